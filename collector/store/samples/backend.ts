import { z } from "zod";
import { durationMs } from "../../../config/units.js";
import type { Logger } from "../../../config/logger.js";
import type { SampleStore } from "./sampleStore.js";

/** What every backend is given besides its own configuration. */
export interface SampleStoreDeps {
  /** The collector's data directory (created owner-only if missing). */
  dataDir: string;
  /** The configuration file, to name in errors about secrets read from elsewhere. */
  configFile: string;
  /** The collector's clock, UTC ms: decides what is past retention. */
  now: () => number;
  logger: Logger;
  /**
   * How many sites the metadata store has heard from (their contacts). A backend that finds its storage missing
   * while this is above 0 (samples.db deleted, a new database) warns once that the history of samples starts empty.
   */
  sitesHeardFrom?: number;
}

/** Retention every backend has, ms: raw samples, and the 5-minute and 1-hour rollups. */
export interface RetentionConfig {
  rawRetentionMs: number;
  rollupRetentionMs: number;
}

/** How often the collector runs its rollup and retention passes (collector/store/sampleMaintenance.ts), ms; every backend has them. */
export interface MaintenanceConfig {
  rollupIntervalMs: number;
  retentionIntervalMs: number;
}

/** Shortest retention InfluxDB 1.x accepts for a retention policy (and so for any backend), ms. */
export const MIN_RETENTION_MS = 3_600_000;

/**
 * The retention keys every backend's YAML has (`raw_retention` 30d, `rollup_retention` 400d by default), and the
 * intervals of the collector's passes (`rollup_interval` 30s, `retention_interval` 10m).
 */
export const retentionKeys = {
  raw_retention: durationMs(MIN_RETENTION_MS, 3650 * 86_400_000).prefault("30d"),
  rollup_retention: durationMs(MIN_RETENTION_MS, 3650 * 86_400_000).prefault("400d"),
  rollup_interval: durationMs(1000, 3_600_000).prefault("30s"),
  retention_interval: durationMs(10_000, 86_400_000).prefault("10m"),
};

/** The {@link RetentionConfig} and {@link MaintenanceConfig} of a parsed backend file (the keys of {@link retentionKeys}). */
export function retentionConfigOf(file: { raw_retention: number; rollup_retention: number; rollup_interval: number; retention_interval: number }): RetentionConfig & MaintenanceConfig {
  return { rawRetentionMs: file.raw_retention, rollupRetentionMs: file.rollup_retention, rollupIntervalMs: file.rollup_interval, retentionIntervalMs: file.retention_interval };
}

/** Rollups are read where raw samples are gone, so they must be kept at least as long. */
export function checkRetention(file: { raw_retention: number; rollup_retention: number }, ctx: z.RefinementCtx): void {
  if (file.rollup_retention < file.raw_retention) {
    ctx.addIssue({ code: "custom", path: ["rollup_retention"], message: "must be at least raw_retention (rollups outlive raw samples)" });
  }
}

/** A backend: its YAML schema (a strict object with a literal `kind`) and how to open a store from what it parses to. */
export interface SampleStoreBackend<S extends z.ZodType<{ kind: string }>> {
  schema: S;
  /** Opens the store, creating on the backend what is missing (tables, retention policies). Rejects when it cannot. */
  open(config: z.output<S>, deps: SampleStoreDeps): Promise<SampleStore>;
}

/** Pairs a backend's schema with its opener, checking that they agree on the parsed type. */
export function defineSampleStoreBackend<S extends z.ZodType<{ kind: string }>>(schema: S, open: (config: z.output<S>, deps: SampleStoreDeps) => Promise<SampleStore>): SampleStoreBackend<S> {
  return { schema, open };
}
