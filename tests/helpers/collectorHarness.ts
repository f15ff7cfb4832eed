import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCollectorConfig } from "../../collector/config.js";
import { startCollector, type RunningCollector } from "../../collector/service.js";
import { SqliteMetadataStore } from "../../collector/store/sqlite.js";
import { openSampleStore } from "../../collector/store/samples/registry.js";
import type { SampleStore } from "../../collector/store/samples/sampleStore.js";
import { generateToken, hashToken } from "../../collector/auth/tokens.js";
import { apiTokenIn, bearer } from "./auth.js";
import { createLogger, type Logger } from "../../config/logger.js";
import type { CollectorConfig } from "../../config/collectorSchema.js";

/** A collector running in this process on a free loopback port, with its own temp dir and a settable clock. */
export interface TestCollector {
  collector: RunningCollector;
  config: CollectorConfig;
  /** The metadata store (wardwatch.db). */
  store: SqliteMetadataStore;
  /** The sample store `storage:` names (default: SQLite, data_dir/samples.db). */
  samples: SampleStore;
  /** Every seq of the site's stored samples, ascending. */
  storedSeqs(site: string): Promise<number[]>;
  dir: string;
  clock: { nowMs: number | null };
  /** Creates and registers a token for the site. */
  tokenFor(site: string): string;
  /** The header of a province API token made at start: every read and change of the API is allowed with it. */
  provinceAuth: { Authorization: string };
  /** Stops the collector and keeps its directory, for another collector to start on (`options.dir`). */
  stop(): Promise<void>;
  /** Stops the collector and removes its directory. */
  close(): Promise<void>;
}

/**
 * The province API token of the collector in `dir`: made at its first start and kept in `dir/province.token`, so a
 * restart on the same directory (perhaps with the store locked) reuses it without writing.
 */
function provinceToken(dir: string, store: SqliteMetadataStore): string {
  const file = join(dir, "province.token");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const token = apiTokenIn(store.auth);
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}

/** A two-link site per id: `tslcd` (VNPT, dedicated) and `inet` (Viettel, internet). */
export function collectorYaml(siteIds: string[], extra = ""): string {
  const sites = siteIds
    .map(
      (id) => `  - id: ${id}
    name: "Phường ${id}"
    links:
      - { id: tslcd, kind: dedicated, provider: vnpt, circuit: "TSL-${id}", bandwidth_mbps: 200 }
      - { id: inet, kind: internet, provider: viettel, circuit: "VT-${id}", bandwidth_mbps: 100 }`,
    )
    .join("\n");
  return `listen: 127.0.0.1:0
province: { id: test, name: "Tỉnh Thử" }
log: { level: error }
providers:
  - { id: vnpt, name: VNPT }
  - { id: viettel, name: Viettel }
${extra}
sites:
${sites}
`;
}

/**
 * Starts a collector for `siteIds` (see {@link collectorYaml}); `extra` YAML is added at top level. Options:
 * `busyTimeoutMs`, the store's wait for a lock (its default when absent); `dir`, the directory of a collector stopped
 * before (a restart: same database, same data_dir), a new temp dir when absent; `logger`, an error-level logger when
 * absent. The metadata database is `<dir>/wardwatch.db`, data_dir `<dir>/data` (the SQLite sample store's samples.db
 * is there).
 */
export async function startTestCollector(
  siteIds: string[],
  extra = "",
  options: { busyTimeoutMs?: number; dir?: string; logger?: Logger } = {},
): Promise<TestCollector> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "ww-collector-"));
  const file = join(dir, "collector.yaml");
  writeFileSync(file, collectorYaml(siteIds, extra) + `data_dir: ${JSON.stringify(join(dir, "data"))}\n`);
  const config = loadCollectorConfig(file);
  const store = SqliteMetadataStore.open(join(dir, "wardwatch.db"), options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs });
  const clock: { nowMs: number | null } = { nowMs: null };
  const now = () => clock.nowMs ?? Date.now();
  const logger = options.logger ?? createLogger("error", "collector");
  const samples = await openSampleStore(config.storage, { dataDir: config.dataDir, configFile: file, now, logger });
  const collector = await startCollector({
    config,
    store,
    auth: store.auth,
    samples,
    incidents: store.incidents,
    logger,
    now,
    dashboardDir: null,
  });
  return {
    collector,
    config,
    store,
    samples,
    storedSeqs: (site) => samples.listSeqs(site, 0, 8_640_000_000_000_000),
    dir,
    clock,
    provinceAuth: bearer(provinceToken(dir, store)),
    tokenFor(site) {
      const token = generateToken(site);
      store.addToken(site, hashToken(token), Date.now());
      return token;
    },
    async stop() {
      await collector.close();
    },
    async close() {
      await collector.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
