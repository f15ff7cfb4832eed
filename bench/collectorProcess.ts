/**
 * The real collector as the ingest bench runs it: its YAML file, its site tokens (written straight into its SQLite
 * store before it starts, instead of one `wardwatch token add` process per site), the child process started through
 * `bin/wardwatch.js`. What Linux says about that process is read with processTimes.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { generateToken, hashToken } from "../collector/auth/tokens.js";
import { SqliteMetadataStore } from "../collector/store/sqlite.js";
import { BENCH_LINKS } from "./ingestWorkload.js";

/** The command line entry point, two levels up from dist/bench/. */
const WARDWATCH_BIN = fileURLToPath(new URL("../../bin/wardwatch.js", import.meta.url));

/** Files of a bench collector inside `dir`. */
export interface BenchCollectorFiles {
  configFile: string;
  /** The metadata store's SQLite file (data_dir/wardwatch.db): tokens, events, link states. */
  dbFile: string;
  /** The SQLite sample store's file (data_dir/samples.db, the default `storage:`): the samples. */
  samplesFile: string;
}

/**
 * Writes a collector file for `sites` (each with links `tslcd` and `inet`) listening on a free loopback port.
 * - `max_in_flight`: as given (the bench passes more than the number of agents unless told otherwise).
 * - `clock_skew_tolerance: 1h`: bodies are built before the timed part, so their `sentAt` is older than the send
 *   by up to the length of the run; a real agent stamps each attempt, and would not be "corrected".
 * - `log: info`, not `warn`: the bench waits for the "collector listening" line, which is logged at info; nothing
 *   on the ingest path logs at info except link state changes (a few per site).
 */
export function writeBenchCollectorFiles(dir: string, sites: string[], maxInFlight: number): BenchCollectorFiles {
  const dataDir = join(dir, "data");
  mkdirSync(dataDir, { recursive: true });
  const siteLines = sites
    .map(
      (id) => `  - id: ${id}
    name: "Phường ${id}"
    links:
      - { id: ${BENCH_LINKS[0]}, kind: dedicated, provider: vnpt, circuit: "TSL-${id}", bandwidth_mbps: 200 }
      - { id: ${BENCH_LINKS[1]}, kind: internet, provider: viettel, circuit: "VT-${id}", bandwidth_mbps: 100 }`,
    )
    .join("\n");
  const yaml = `listen: 127.0.0.1:0
data_dir: ${JSON.stringify(dataDir)}
province: { id: bench, name: "Tỉnh Bench" }
ingest: { max_in_flight: ${maxInFlight}, clock_skew_tolerance: 1h }
log: { level: info }
providers:
  - { id: vnpt, name: VNPT }
  - { id: viettel, name: Viettel }
sites:
${siteLines}
`;
  const configFile = join(dir, "collector.yaml");
  writeFileSync(configFile, yaml);
  return { configFile, dbFile: join(dataDir, "wardwatch.db"), samplesFile: join(dataDir, "samples.db") };
}

/** Creates one token per site in the store at `dbFile` (hash only, as `wardwatch token add` does); returns site → token. */
export function addSiteTokens(dbFile: string, sites: string[]): Map<string, string> {
  const store = SqliteMetadataStore.open(dbFile);
  try {
    const tokens = new Map<string, string>();
    for (const site of sites) {
      const token = generateToken(site);
      store.addToken(site, hashToken(token), Date.now());
      tokens.set(site, token);
    }
    return tokens;
  } finally {
    store.close();
  }
}

/** A collector child process that has logged "collector listening". */
export interface CollectorProcess {
  pid: number;
  /** Base URL from the "collector listening" line, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Sends SIGTERM and resolves with the exit code (or signal name); SIGKILLs and rejects after `limitMs`. */
  stop(limitMs: number): Promise<number | string>;
  /** SIGKILL if still running; safe to call at any time, more than once. */
  kill(): void;
}

/**
 * Extra Node options for the collector child from `BENCH_COLLECTOR_NODE_ARGS` (space-separated), e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the collector under a bench's load (Node refuses --cpu-prof in
 * NODE_OPTIONS). None when unset.
 */
export function collectorNodeArgs(env: NodeJS.ProcessEnv): string[] {
  return (env.BENCH_COLLECTOR_NODE_ARGS ?? "").split(" ").filter((arg) => arg !== "");
}

/** The last stderr lines of the child, for error messages. */
const KEPT_LINES = 20;

/**
 * Starts `node bin/wardwatch.js collector --config FILE` and resolves once its JSON log says "collector listening".
 * Rejects (and kills the child) if it exits first or `limitMs` passes; the rejection carries the last log lines.
 */
export async function startCollectorProcess(configFile: string, limitMs: number): Promise<CollectorProcess> {
  const nodeArgs = collectorNodeArgs(process.env);
  const child = spawn(process.execPath, [...nodeArgs, WARDWATCH_BIN, "collector", "--config", configFile], { stdio: ["ignore", "ignore", "pipe"] });
  const lastLines: string[] = [];
  const exited = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | string);
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not log "collector listening" within ${limitMs} ms:\n${lastLines.join("\n")}`)), limitMs);
    createInterface({ input: child.stderr! }).on("line", (line) => {
      lastLines.push(line);
      if (lastLines.length > KEPT_LINES) lastLines.shift();
      const url = listeningUrl(line);
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited (${code}) before listening:\n${lastLines.join("\n")}`));
    });
  });
  let url: string;
  try {
    url = await listening;
  } catch (err) {
    kill();
    throw err;
  }
  return {
    pid: pidOf(child),
    url,
    kill,
    async stop(stopLimitMs) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(kill, stopLimitMs);
      const code = await exited;
      clearTimeout(timer);
      if (code === "SIGKILL") throw new Error(`collector did not stop within ${stopLimitMs} ms of SIGTERM:\n${lastLines.join("\n")}`);
      return code;
    },
  };
}

function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error("collector process has no pid");
  return child.pid;
}

/** The `url` of a "collector listening" JSON log line, or null for any other line. */
function listeningUrl(line: string): string | null {
  try {
    const entry = JSON.parse(line) as { message?: unknown; url?: unknown };
    return entry.message === "collector listening" && typeof entry.url === "string" ? entry.url : null;
  } catch {
    return null;
  }
}
