/**
 * The real agent as the agent bench runs it: its token (made with `wardwatch token add`, as an operator would), its
 * YAML file (ICMP probes only, bound to a loopback source address) and the child process started through
 * `bin/wardwatch.js agent`.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** The command line entry point, two levels up from dist/bench/. */
const WARDWATCH_BIN = fileURLToPath(new URL("../../bin/wardwatch.js", import.meta.url));

/** Creates a token for `site` with `wardwatch token add SITE --config FILE` and writes it to `tokenFile` (mode 600). */
export async function addTokenWithCli(collectorFile: string, site: string, tokenFile: string): Promise<void> {
  const { stdout } = await promisify(execFile)(process.execPath, [WARDWATCH_BIN, "token", "add", site, "--config", collectorFile], { encoding: "utf8" });
  const token = stdout.split("\n")[0]!.trim();
  if (!token) throw new Error("wardwatch token add printed no token");
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
}

/** One link of the bench agent: its id (a link of the site in the collector's file) and its ICMP targets. */
export interface BenchAgentLink {
  id: string;
  targets: readonly string[];
}

/** What the bench agent's file says; durations in ms. */
export interface BenchAgentSettings {
  site: string;
  collectorUrl: string;
  tokenFile: string;
  spoolDir: string;
  /** Every link's `source:` (ping -I ADDRESS). */
  source: string;
  links: readonly BenchAgentLink[];
  intervalMs: number;
  count: number;
  packetIntervalMs: number;
  timeoutMs: number;
  /** collector.push_interval. */
  pushIntervalMs: number;
}

/** Writes the agent's YAML file to `dir`/agent.yaml and returns its path. `log: warn`, as a quiet production agent. */
export function writeBenchAgentFile(dir: string, settings: BenchAgentSettings): string {
  const ms = (value: number): string => `${value}ms`;
  const links = settings.links
    .map(
      (link) => `  - id: ${link.id}
    source: ${settings.source}
    probes:
${link.targets.map((target) => `      - { kind: icmp, target: ${target}, interval: ${ms(settings.intervalMs)}, count: ${settings.count}, packet_interval: ${ms(settings.packetIntervalMs)}, timeout: ${ms(settings.timeoutMs)} }`).join("\n")}`,
    )
    .join("\n");
  const yaml = `site: ${settings.site}
collector: { urls: [${JSON.stringify(settings.collectorUrl)}], token_file: ${JSON.stringify(settings.tokenFile)}, push_interval: ${ms(settings.pushIntervalMs)} }
spool_dir: ${JSON.stringify(settings.spoolDir)}
log: { level: warn }
links:
${links}
`;
  const file = join(dir, "agent.yaml");
  writeFileSync(file, yaml);
  return file;
}

/** An agent child process. */
export interface AgentProcess {
  pid: number;
  /** Its log lines so far (warn and error only, at `log: warn`), the last {@link KEPT_LINES} of them. */
  readonly lastLines: readonly string[];
  /** How many log lines it has written in all. */
  readonly lineCount: number;
  /** Exit code or signal name once it has ended, else null. */
  exitStatus(): number | string | null;
  /** Sends SIGTERM and resolves with the exit code (or signal name); SIGKILLs and rejects after `limitMs`. */
  stop(limitMs: number): Promise<number | string>;
  /** SIGKILL if still running; safe to call at any time, more than once. */
  kill(): void;
}

const KEPT_LINES = 20;

/** Starts `node bin/wardwatch.js agent --config FILE`. It logs nothing when all is well, so there is nothing to wait for. */
export function startAgentProcess(configFile: string): AgentProcess {
  const child: ChildProcess = spawn(process.execPath, [WARDWATCH_BIN, "agent", "--config", configFile], { stdio: ["ignore", "ignore", "pipe"] });
  if (child.pid === undefined) throw new Error("agent process has no pid");
  const lastLines: string[] = [];
  let lineCount = 0;
  let status: number | string | null = null;
  // Node itself is the executable, so spawning cannot fail for want of it; an unheard "error" would be thrown.
  child.on("error", (err) => lastLines.push(`spawn error: ${err.message}`));
  const exited = once(child, "exit").then(([code, signal]) => (status = (code ?? signal) as number | string));
  createInterface({ input: child.stderr! }).on("line", (line) => {
    lineCount += 1;
    lastLines.push(line);
    if (lastLines.length > KEPT_LINES) lastLines.shift();
  });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  return {
    pid: child.pid,
    lastLines,
    get lineCount() {
      return lineCount;
    },
    exitStatus: () => status,
    kill,
    async stop(limitMs) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(kill, limitMs);
      const code = await exited;
      clearTimeout(timer);
      if (code === "SIGKILL") throw new Error(`agent did not stop within ${limitMs} ms of SIGTERM:\n${lastLines.join("\n")}`);
      return code;
    },
  };
}
