import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { collectorYaml } from "./collectorHarness.js";
import { runWardwatchOnce } from "./processes.js";
import { addProvinceApiToken } from "./alertingE2e.js";
import { SAMPLE_KIND_NAMES } from "../../protocol/kinds/registry.js";
import { freePort } from "./freePort.js";

/** Re-exported for the e2e tests that import it from here. */
export { freePort };

/** One agent link for {@link agentYaml}: its id, how it is bound and the ICMP target. */
export interface E2eLink {
  id: string;
  bind: string;
  target: string;
}

/**
 * Every stored sample of the SQLite sample store, as one table to select from: `FROM ${STORED_SAMPLES}` (columns
 * site, link — '' for none —, ts, probe, role, seq, agent_ts, ok), the raw table of each kind.
 */
export const STORED_SAMPLES = `(${SAMPLE_KIND_NAMES.map((kind) => `SELECT site, link, ts, probe, role, seq, agent_ts, ok FROM raw_${kind}`).join(" UNION ALL ")})`;

/** Files of an end-to-end run: a collector and one agent, in a temp dir. */
export interface E2eFiles {
  dir: string;
  port: number;
  collectorFile: string;
  agentFile: string;
  /** A province API token's header, for the REST API (made with `wardwatch api-token add`). */
  apiAuth: { Authorization: string };
  /** The metadata store (wardwatch.db): tokens, events, link states. */
  dbFile: string;
  /** The SQLite sample store (samples.db): the samples, one raw table per kind (read them through {@link STORED_SAMPLES}). */
  samplesFile: string;
  spoolDir: string;
  /** Seqs stored for the site's samples, read straight from the collector's SQLite sample store (samples.db). */
  storedSeqs(site: string): number[];
  remove(): void;
}

/** An agent file probing `links` every `intervalMs`, pushing every `pushInterval` in batches of `batchSize`. */
export function agentYaml(options: { site: string; port: number; tokenFile: string; spoolDir: string; links: E2eLink[]; roundInterval: string; pushInterval: string; batchSize: number; extra?: string }): string {
  const links = options.links
    .map(
      (link) => `  - id: ${link.id}
    ${link.bind}
    probes: [ { kind: icmp, target: ${link.target}, interval: ${options.roundInterval}, count: 3, packet_interval: 50ms, timeout: 300ms } ]`,
    )
    .join("\n");
  return `site: ${options.site}
collector: { urls: ["http://127.0.0.1:${options.port}"], token_file: ${JSON.stringify(options.tokenFile)}, push_interval: ${options.pushInterval}, batch_size: ${options.batchSize}, max_backoff: 2s, request_timeout: 3s }
spool_dir: ${JSON.stringify(options.spoolDir)}
log: { level: debug }
${options.extra ?? ""}
links:
${links}
`;
}

/**
 * Writes collector and agent files for one site `site` (links `tslcd` and `inet`) and creates the agent's token with
 * the real `wardwatch token add` command.
 */
export async function writeE2eFiles(options: { site: string; links: E2eLink[]; roundInterval?: string; pushInterval?: string; batchSize?: number; collectorExtra?: string }): Promise<E2eFiles> {
  const dir = mkdtempSync(join(tmpdir(), "ww-e2e-"));
  const port = await freePort();
  const collectorFile = join(dir, "collector.yaml");
  const agentFile = join(dir, "agent.yaml");
  const tokenFile = join(dir, "agent.token");
  const spoolDir = join(dir, "spool");
  const dataDir = join(dir, "data");
  writeFileSync(
    collectorFile,
    collectorYaml([options.site], options.collectorExtra ?? "").replace("listen: 127.0.0.1:0", `listen: 127.0.0.1:${port}`).replace("log: { level: error }", "log: { level: info }") +
      `data_dir: ${JSON.stringify(dataDir)}\n`,
  );
  const token = await runWardwatchOnce(["token", "add", options.site, "--config", collectorFile]);
  if (token.code !== 0) throw new Error(`token add failed: ${token.stderr}`);
  writeFileSync(tokenFile, token.stdout, { mode: 0o600 });
  const apiAuth = await addProvinceApiToken(collectorFile);
  writeFileSync(
    agentFile,
    agentYaml({
      site: options.site,
      port,
      tokenFile,
      spoolDir,
      links: options.links,
      roundInterval: options.roundInterval ?? "1s",
      pushInterval: options.pushInterval ?? "1s",
      batchSize: options.batchSize ?? 500,
    }),
  );
  const dbFile = join(dataDir, "wardwatch.db");
  const samplesFile = join(dataDir, "samples.db");
  return {
    dir,
    port,
    apiAuth,
    collectorFile,
    agentFile,
    dbFile,
    samplesFile,
    spoolDir,
    storedSeqs(site) {
      const db = new Database(samplesFile, { readonly: true, fileMustExist: true });
      try {
        return (db.prepare(`SELECT seq FROM ${STORED_SAMPLES} WHERE site = ? ORDER BY seq`).all(site) as Array<{ seq: number }>).map((r) => r.seq);
      } finally {
        db.close();
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
