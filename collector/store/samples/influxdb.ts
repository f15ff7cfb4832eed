import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { InfluxDB, type IPoint } from "influx";
import { z } from "zod";
import { secretRefSchema, type SecretRef } from "../../../config/alertingSchema.js";
import { SAMPLE_KIND_NAMES, type SampleKindName } from "../../../protocol/kinds/registry.js";
import { durationMs } from "../../../config/units.js";
import { resolveSecret } from "../../alerts/resolveReceivers.js";
import { checkRetention, defineSampleStoreBackend, retentionConfigOf, retentionKeys, type MaintenanceConfig, type RetentionConfig, type SampleStoreDeps } from "./backend.js";
import { FileRollupBacklog, INFLUX_ROLLUP_BACKLOG_FILE } from "./fileRollupBacklog.js";
import { classifyInfluxError, droppedBeyondRetention } from "./influxErrors.js";
import { RETENTION_POLICIES, literal, rawRowsOf, rollupFields, rollupRowsOf, rowsOf, seriesOf, source, tagsOf, timeRange } from "./influxQueries.js";
import { MemoryRollupBacklog, type RollupBacklog } from "./rollupBacklog.js";
import { runRollupPass, windowsTouched, type RollupIo } from "./rollupPass.js";
import { cmp, influxLinkOutcomes, influxListSeqs, influxPathSummaries, influxQuerySeries, type InfluxSelect } from "./influxReads.js";
import type { PathSummary, PathSummaryQuery } from "./pathSummary.js";
import { fieldNamesOf, storedValueList } from "./storedValues.js";
import {
  DEFAULT_ROLLUP_BATCH,
  MAX_ROLLUP_ROWS,
  type LinkOutcome,
  type LinkOutcomePage,
  type RetentionResult,
  type RollupPassResult,
  type RollupQuery,
  type RollupRow,
  type SampleRecord,
  type SampleStore,
  type SampleWriteResult,
  type SeriesAnswer,
  type SeriesRequest,
} from "./sampleStore.js";

/**
 * `storage: { kind: influxdb }`: InfluxDB 1.x (or another engine that speaks its v1 HTTP API and line protocol).
 *
 * ```yaml
 * storage:
 *   kind: influxdb
 *   url: http://127.0.0.1:8086
 *   database: wardwatch
 *   username: wardwatch
 *   password: { env: WARDWATCH_INFLUX_PASSWORD }   # or { file: /etc/wardwatch/influx.pass }, or the text itself
 *   timeout: 10s               # a request taking longer fails as "store unavailable"
 *   raw_retention: 30d         # retention policy `raw`
 *   rollup_retention: 400d     # retention policies `rollup_5m`, `rollup_1h`
 *   rollup_interval: 30s       # how often the collector rolls up closed windows
 *   retention_interval: 10m    # (nothing to do on InfluxDB: its retention policies drop old shards)
 * ```
 */
export const influxSampleStoreSchema = z
  .strictObject({
    kind: z.literal("influxdb"),
    url: z.url({ protocol: /^https?$/ }),
    database: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1–64 characters of A-Z, a-z, 0-9, '_' or '-'"),
    username: z.string().min(1).max(100),
    password: z.union([z.string().min(1), secretRefSchema]),
    timeout: durationMs(100, 120_000).prefault("10s"),
    ...retentionKeys,
  })
  .superRefine(checkRetention)
  .transform((file): InfluxSampleStoreConfig => ({
    kind: file.kind,
    url: file.url,
    database: file.database,
    username: file.username,
    password: typeof file.password === "string" ? { value: file.password } : file.password,
    timeoutMs: file.timeout,
    ...retentionConfigOf(file),
  }));

/** A validated `storage: { kind: influxdb }`: the password as written (`value`) or where to read it. Times in ms. */
export interface InfluxSampleStoreConfig extends RetentionConfig, MaintenanceConfig {
  kind: "influxdb";
  url: string;
  database: string;
  username: string;
  password: SecretRef | { value: string };
  timeoutMs: number;
}

/** What the store itself needs of its configuration (the pass intervals are the collector's). */
type InfluxConnectionConfig = Omit<InfluxSampleStoreConfig, "password" | keyof MaintenanceConfig>;

/**
 * Opens the InfluxDB sample store: reads the password, opens its rollup backlog (data_dir/{@link
 * INFLUX_ROLLUP_BACKLOG_FILE}, owner-only, so marks survive a restart), creates the database and retention policies if
 * missing.
 */
export async function openInfluxSampleStore(config: InfluxSampleStoreConfig, deps: SampleStoreDeps): Promise<InfluxSampleStore> {
  const password = "value" in config.password ? config.password.value : resolveSecret(config.password, "storage.password", deps.configFile);
  mkdirSync(deps.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(deps.dataDir, 0o700);
  const backlog = FileRollupBacklog.open(join(deps.dataDir, INFLUX_ROLLUP_BACKLOG_FILE));
  const store = new InfluxSampleStore({ ...config, password }, deps.now, backlog);
  try {
    await store.start();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/** `storage: { kind: influxdb }` in the backend registry. */
export const influxSampleStoreBackend = defineSampleStoreBackend(influxSampleStoreSchema, openInfluxSampleStore);

/** Each kind's field names in declaration order, matching storedValueList. */
const FIELD_NAMES = Object.fromEntries(SAMPLE_KIND_NAMES.map((kind) => [kind, fieldNamesOf(kind)])) as Record<SampleKindName, string[]>;

/** Delay before the client retries a host it found down, ms: short, the breaker decides when to try. */
const HOST_RETRY_MS = 100;
const fixedBackoff = { getDelay: () => HOST_RETRY_MS, next: () => fixedBackoff, reset: () => fixedBackoff };

/**
 * The InfluxDB 1.x sample store: a measurement per kind, tags site/link/provider/probe/role, numeric fields only (the
 * declared ones plus `seq` and `agent_ts`), ms precision. A point is identified by measurement, tags and time, so a
 * resend overwrites the same point with the same values: duplicates cannot be told ({@link reportsDuplicates} false).
 * The time is the corrected `ts` (queries range over it), so a resend stored after the site's clock correction moved
 * is a second point (rare: the correction moves only on a real clock step, collector/ingest/clockOffset.ts).
 * Retention is the engine's (retention policies); rollups are the collector's (rollupPass.ts).
 */
export class InfluxSampleStore implements SampleStore {
  readonly backend = "influxdb";
  readonly reportsDuplicates = false;
  readonly #influx: InfluxDB;
  readonly #config: InfluxConnectionConfig;
  readonly #now: () => number;
  readonly #backlog: RollupBacklog;
  readonly #io: RollupIo;

  /** `backlog`: where rollup marks are kept (default in memory, for tests; the collector's is a file: fileRollupBacklog.ts); closed with the store. */
  constructor(config: InfluxConnectionConfig & { password: string }, now: () => number, backlog: RollupBacklog = new MemoryRollupBacklog()) {
    const url = new URL(config.url);
    const { password, ...rest } = config;
    this.#config = rest;
    this.#now = now;
    this.#backlog = backlog;
    this.#influx = new InfluxDB({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
      protocol: url.protocol === "https:" ? "https" : "http",
      path: url.pathname.replace(/\/$/, ""),
      database: config.database,
      username: config.username,
      password,
      pool: { maxRetries: 0, requestTimeout: config.timeoutMs, backoff: fixedBackoff },
    });
    this.#io = {
      readRaw: async (site, kind, from, to) => rawRowsOf(kind, rowsOf(await this.#select(`SELECT * FROM ${source("raw", kind)} WHERE "site" = ${literal(site)} AND ${timeRange(from, to)}`))),
      readRollupRows: async (site, kind, resolution, from, to) => this.#readRollupRows(site, kind, resolution, from, to),
      replaceRollups: async (_site, kind, resolution, windowTs, rows) => this.#writeRollups(kind, resolution, windowTs, rows),
    };
  }

  /** Creates the database and the retention policies if missing (`raw` the default), and sets their durations. */
  async start(): Promise<void> {
    await this.#call(async () => {
      const names = await this.#influx.getDatabaseNames();
      if (!names.includes(this.#config.database)) await this.#influx.createDatabase(this.#config.database);
      const existing = new Set((await this.#influx.showRetentionPolicies(this.#config.database)).map((rp) => rp.name));
      const wanted = [
        { name: RETENTION_POLICIES.raw, ms: this.#config.rawRetentionMs, isDefault: true },
        { name: RETENTION_POLICIES["5m"], ms: this.#config.rollupRetentionMs, isDefault: false },
        { name: RETENTION_POLICIES["1h"], ms: this.#config.rollupRetentionMs, isDefault: false },
      ];
      for (const { name, ms, isDefault } of wanted) {
        const options = { database: this.#config.database, duration: `${Math.round(ms / 1000)}s`, replication: 1, isDefault };
        if (existing.has(name)) await this.#influx.alterRetentionPolicy(name, options);
        else await this.#influx.createRetentionPolicy(name, options);
      }
    });
  }

  async write(records: readonly SampleRecord[]): Promise<SampleWriteResult> {
    const cutoff = this.#now() - this.#config.rawRetentionMs;
    const kept = records.filter((r) => r.ts >= cutoff);
    const points: IPoint[] = kept.map(({ site, provider, ts, agentTs, sample }) => {
      const fields: Record<string, number> = { seq: sample.seq, agent_ts: agentTs };
      const names = FIELD_NAMES[sample.kind];
      const values = storedValueList(sample);
      for (let i = 0; i < values.length; i++) if (values[i] !== null) fields[names[i] as string] = values[i] as number;
      return { measurement: sample.kind, tags: tagsOf({ site, link: sample.link, provider, probe: sample.probe, role: sample.role }), fields, timestamp: ts };
    });
    let dropped = 0;
    if (points.length > 0) {
      try {
        await this.#call(() => this.#influx.writePoints(points, { precision: "ms", retentionPolicy: RETENTION_POLICIES.raw }));
      } catch (err) {
        // InfluxDB retains by its own clock: a point our clock kept but its clock finds too old is dropped, the rest
        // written. Resending would drop it again, so it counts as expired rather than failing the batch.
        const beyond = droppedBeyondRetention(err);
        if (beyond === null) throw err;
        dropped = beyond;
      }
      this.#backlog.mark(windowsTouched(kept));
    }
    return { written: kept.length - dropped, duplicates: null, expired: records.length - kept.length + dropped };
  }

  async querySeries(request: SeriesRequest): Promise<SeriesAnswer> {
    return influxQuerySeries(this.#select, request);
  }

  async linkOutcomes(site: string, from: number, to: number, page?: LinkOutcomePage): Promise<LinkOutcome[]> {
    return influxLinkOutcomes(this.#select, site, from, to, page);
  }

  async pathSummaries(query: PathSummaryQuery): Promise<PathSummary[]> {
    return influxPathSummaries(this.#select, query);
  }

  async rollUp(nowMs: number, maxWindows = DEFAULT_ROLLUP_BATCH): Promise<RollupPassResult> {
    return runRollupPass(this.#io, this.#backlog, { nowMs, maxWindows, rawRetentionMs: this.#config.rawRetentionMs });
  }

  async readRollups(query: RollupQuery): Promise<RollupRow[]> {
    const rows = await this.#readRollupRows(query.site, query.kind, query.resolution, query.from, query.to);
    return rows.sort((a, b) => cmp(a.link ?? "", b.link ?? "") || cmp(a.probe, b.probe) || a.windowTs - b.windowTs);
  }

  /** Nothing to do: the engine drops what its retention policies no longer keep. */
  async enforceRetention(_nowMs: number): Promise<RetentionResult> {
    return { rawDeleted: 0, rollupsDeleted: 0 };
  }

  async listSeqs(site: string, from: number, to: number): Promise<number[]> {
    return influxListSeqs(this.#select, site, from, to);
  }

  /** Writes one point to the measurement `store_probe` (raw retention): a real write, as the ingest's. */
  async probe(nowMs: number): Promise<void> {
    await this.#call(() => this.#influx.writePoints([{ measurement: "store_probe", fields: { ts: nowMs }, timestamp: nowMs }], { precision: "ms", retentionPolicy: RETENTION_POLICIES.raw }));
  }

  /** No lock to wait for: each request is bounded by `timeout`. */
  async withShortLockWait<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  isUnavailableError(err: unknown): boolean {
    return classifyInfluxError(err) !== null;
  }

  /** Closes the rollup backlog (requests are plain HTTP: nothing else is held open). */
  async close(): Promise<void> {
    this.#backlog.close?.();
  }

  async #readRollupRows(site: string, kind: SampleKindName, resolution: "5m" | "1h", from: number, to: number): Promise<RollupRow[]> {
    return rollupRowsOf(site, kind, resolution, rowsOf(await this.#select(`SELECT * FROM ${source(resolution, kind)} WHERE "site" = ${literal(site)} AND ${timeRange(from, to)} LIMIT ${MAX_ROLLUP_ROWS}`)));
  }

  async #writeRollups(kind: SampleKindName, resolution: "5m" | "1h", windowTs: number, rows: RollupRow[]): Promise<void> {
    // Rows only grow as samples arrive (none is ever taken out of a window), so overwriting the points replaces them.
    const points: IPoint[] = rows.map((row) => ({
      measurement: kind,
      tags: tagsOf({ site: row.site, link: row.link, provider: row.provider, probe: row.probe, role: row.role }),
      fields: rollupFields(row),
      timestamp: windowTs,
    }));
    const withFields = points.filter((p) => Object.keys(p.fields ?? {}).length > 0);
    if (withFields.length > 0) await this.#call(() => this.#influx.writePoints(withFields, { precision: "ms", retentionPolicy: RETENTION_POLICIES[resolution] }));
  }

  /** Runs one query; its series (errors classified by {@link #call}). */
  readonly #select: InfluxSelect = async (query) => seriesOf(await this.#call(() => this.#influx.queryRaw(query, { precision: "ms" })));

  /** Runs a request, turning "InfluxDB cannot take requests now" into SampleStoreUnavailableError (influxErrors.ts). */
  async #call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw classifyInfluxError(err) ?? err;
    }
  }
}
