import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "../config/logger.js";
import type { CollectorConfig } from "../config/collectorSchema.js";
import { startCollector, type RunningCollector } from "./service.js";
import { SqliteStore } from "./store/sqlite.js";
import { generateToken, hashToken } from "./auth/tokens.js";

/** Where the built dashboard is, next to the compiled collector (dist/dashboard). */
export const DASHBOARD_DIR = fileURLToPath(new URL("../dashboard/", import.meta.url));

/** Opens the store the configuration names (the embedded SQLite file in data_dir, created owner-only: 0700). */
export function openStore(config: CollectorConfig): SqliteStore {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return SqliteStore.open(join(config.dataDir, "wardwatch.db"));
}

/** Starts the collector from a validated configuration, wired with the real clock, store and dashboard. */
export function launchCollector(config: CollectorConfig, configFile: string): Promise<RunningCollector> {
  const logger = createLogger(config.logLevel, "collector");
  const store = openStore(config);
  return startCollector({ config, configFile, store, incidents: store.incidents, logger, now: Date.now, dashboardDir: DASHBOARD_DIR });
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
