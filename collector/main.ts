import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "../config/logger.js";
import type { CollectorConfig } from "../config/collectorSchema.js";
import { startCollector, type RunningCollector } from "./service.js";
import { SqliteMetadataStore } from "./store/sqlite.js";
import { openSampleStore, type SampleStoreConfig } from "./store/samples/registry.js";
import { migrateLegacySamples } from "./store/legacySamples.js";
import { generateToken, hashToken } from "./auth/tokens.js";
import { StoreFileError, isSqliteDamaged, openingStoreFile } from "./store/storeFileErrors.js";

/** Where the built dashboard is, next to the compiled collector (dist/dashboard). */
export const DASHBOARD_DIR = fileURLToPath(new URL("../dashboard/", import.meta.url));

/** The metadata store's file in data_dir. */
export const METADATA_FILE = "wardwatch.db";

/**
 * Opens the metadata store (wardwatch.db in data_dir, created owner-only: 0700). Throws a StoreFileError naming the
 * file (and, when it is damaged, what to do) when it cannot be opened.
 */
export function openStore(config: CollectorConfig): SqliteMetadataStore {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const file = join(config.dataDir, METADATA_FILE);
  return openingStoreFile("metadata", file, () => SqliteMetadataStore.open(file));
}

/**
 * Starts the collector from a validated configuration, wired with the real clock, the metadata store, the sample
 * store `storage:` names (from the backend registry) and the dashboard. Samples still in wardwatch.db from before
 * the sample stores are copied over in the background (legacySamples.ts).
 */
export async function launchCollector(config: CollectorConfig<SampleStoreConfig>, configFile: string): Promise<RunningCollector> {
  const logger = createLogger(config.logLevel, "collector");
  const store = openStore(config);
  const metadataFile = join(config.dataDir, METADATA_FILE);
  let samples;
  try {
    const sitesHeardFrom = openingStoreFile("metadata", metadataFile, () => store.loadSiteContacts().length);
    samples = await openSampleStore(config.storage, { dataDir: config.dataDir, configFile, now: Date.now, logger, sitesHeardFrom });
  } catch (err) {
    store.close();
    throw err;
  }
  const { rollupIntervalMs, retentionIntervalMs } = config.storage;
  let running: RunningCollector;
  try {
    running = await startCollector({
      config,
      configFile,
      store,
      auth: store.auth,
      incidents: store.incidents,
      samples,
      sampleMaintenance: { rollupIntervalMs, retentionIntervalMs },
      logger,
      now: Date.now,
      dashboardDir: DASHBOARD_DIR,
    });
  } catch (err) {
    store.close();
    await samples.close();
    // At start only the metadata store is read (link states, contacts, incidents); samples are read on demand.
    throw isSqliteDamaged(err) ? new StoreFileError("metadata", metadataFile, err) : err;
  }
  const migration = migrateLegacySamples({ metadata: store, samples, breaker: running.sampleBreaker, sites: config.sites, logger });
  return {
    ...running,
    async close() {
      await migration.stop();
      await running.close();
    },
  };
}

/** Creates a token for `site`, stores only its hash, and returns the token (to be shown once). */
export function addSiteToken(config: CollectorConfig, site: string): string {
  if (!config.sites.some((s) => s.id === site)) {
    throw new Error(`unknown site '${site}' (known: ${config.sites.map((s) => s.id).join(", ")})`);
  }
  const store = openStore(config);
  try {
    const token = generateToken(site);
    store.addToken(site, hashToken(token), Date.now());
    return token;
  } finally {
    store.close();
  }
}
