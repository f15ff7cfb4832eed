import Database from "better-sqlite3";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { z } from "zod";
import { SAMPLE_KIND_NAMES, type SampleKindName } from "../../../protocol/kinds/registry.js";
import { SqliteHealth, isSqliteUnavailable } from "../sqliteHealth.js";
import { openingStoreFile } from "../storeFileErrors.js";
import { checkRetention, defineSampleStoreBackend, retentionConfigOf, retentionKeys, type MaintenanceConfig, type RetentionConfig, type SampleStoreDeps } from "./backend.js";
import { runRollupPass, windowsTouched, type RollupIo } from "./rollupPass.js";
import { SqliteRollupBacklog } from "./sqliteRollupBacklog.js";
import { RAW_PRIMARY_KEY, ROLLUP_PRIMARY_KEY, ROLLUP_STATS, ensureSampleSchema, perKind, rawTable, rollupTable, type PerKind } from "./sqliteSampleSchema.js";
import { NO_LINK, SqliteSampleReads } from "./sqliteSampleReads.js";
import type { PathSummary, PathSummaryQuery } from "./pathSummary.js";
import { fieldNamesOf, storedValueList } from "./storedValues.js";
import {
  DEFAULT_ROLLUP_BATCH,
  SampleStoreUnavailableError,
  type LinkOutcome,
  type LinkOutcomePage,
  type RetentionResult,
  type RollupPassResult,
  type RollupQuery,
  type RollupResolution,
  type RollupRow,
  type SampleRecord,
  type SampleStore,
  type SampleWriteResult,
  type SeriesAnswer,
  type SeriesRequest,
} from "./sampleStore.js";

/**
 * `storage: { kind: sqlite }`: samples in their own SQLite file in data_dir (no lock contention with the metadata).
 *
 * ```yaml
 * storage:
 *   kind: sqlite
 *   file: samples.db          # in data_dir
 *   raw_retention: 30d        # raw samples
 *   rollup_retention: 400d    # 5-minute and 1-hour rollups
 *   rollup_interval: 30s      # how often the collector rolls up closed windows
 *   retention_interval: 10m   # how often it deletes what is past retention
 *   retention_chunk_rows: 2000  # rows deleted per transaction by the retention pass
 * ```
 */
export const sqliteSampleStoreSchema = z
  .strictObject({
    kind: z.literal("sqlite"),
    file: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "must be a file name (it is created in data_dir)").default("samples.db"),
    ...retentionKeys,
    retention_chunk_rows: z.number().int().min(100).max(100_000).default(2000),
  })
  .superRefine(checkRetention)
  .transform((file): SqliteSampleStoreConfig => ({
    kind: file.kind,
    file: file.file,
    ...retentionConfigOf(file),
    retentionChunkRows: file.retention_chunk_rows,
  }));

/** A validated `storage: { kind: sqlite }`; retention in ms. */
export interface SqliteSampleStoreConfig extends RetentionConfig, MaintenanceConfig {
  kind: "sqlite";
  file: string;
  retentionChunkRows: number;
}

/**
 * Opens (creating owner-only: data_dir 0700, the file 0600) the SQLite sample store the configuration names. A file
 * that cannot be opened is a StoreFileError naming it (storeFileErrors.ts); a file that was missing while the metadata
 * store has heard from sites is created empty, with one warning.
 */
export async function openSqliteSampleStore(config: SqliteSampleStoreConfig, deps: SampleStoreDeps): Promise<SqliteSampleStore> {
  mkdirSync(deps.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(deps.dataDir, 0o700);
  const path = join(deps.dataDir, config.file);
  const existed = existsSync(path);
  closeSync(openSync(path, "a", 0o600)); // created owner-only before SQLite opens it; its -wal and -shm take its mode
  chmodSync(path, 0o600);
  const store = openingStoreFile("samples", path, () => SqliteSampleStore.open(path, config, deps.now));
  if (!existed && (deps.sitesHeardFrom ?? 0) > 0) {
    deps.logger.warn("sample store file was missing: created empty, the history of samples starts now", { file: path, sitesHeardFrom: deps.sitesHeardFrom });
  }
  return store;
}

/** `storage: { kind: sqlite }` in the backend registry. */
export const sqliteSampleStoreBackend = defineSampleStoreBackend(sqliteSampleStoreSchema, openSqliteSampleStore);

/**
 * How long an ordinary statement of the sample store waits for another connection's lock, ms. The collector is the
 * only writer of samples.db, so a lock held longer is an outage; and better-sqlite3 waits on the event loop, so every
 * site's ingest waits with it. The breaker's probe and the writes let through after it wait less
 * (PROBE_BUSY_TIMEOUT_MS, sqliteHealth.ts); while the breaker is open nothing waits at all.
 */
export const SAMPLE_BUSY_TIMEOUT_MS = 1000;

/**
 * The SQLite sample store (WAL). Writes are one transaction each, duplicates counted by the primary key; rollup marks
 * go in the same transaction. Queries are bounded (seriesPlan.ts); better-sqlite3 being synchronous, that bound is
 * what keeps a query from holding ingest. Reads are in sqliteSampleReads.ts.
 */
export class SqliteSampleStore implements SampleStore {
  readonly backend = "sqlite";
  readonly reportsDuplicates = true;
  readonly #db: Database.Database;
  readonly #config: RetentionConfig & { retentionChunkRows: number };
  readonly #now: () => number;
  readonly #health: SqliteHealth;
  readonly #backlog: SqliteRollupBacklog;
  readonly #reads: SqliteSampleReads;
  readonly #inserts: PerKind<Database.Statement>;
  readonly #writeTx: (records: readonly SampleRecord[]) => number;
  readonly #replaceTx: PerKind<Record<RollupResolution, (site: string, windowTs: number, rows: RollupRow[]) => void>>;
  readonly #io: RollupIo;
  /** How many {@link withShortLockWait} calls are under way: while any is, statements wait only the probe's short time. */
  #shortWaits = 0;

  private constructor(db: Database.Database, config: RetentionConfig & { retentionChunkRows: number }, now: () => number) {
    this.#db = db;
    this.#config = config;
    this.#now = now;
    this.#health = new SqliteHealth(db, SAMPLE_BUSY_TIMEOUT_MS);
    this.#backlog = new SqliteRollupBacklog(db);
    this.#reads = new SqliteSampleReads(db, (work) => this.#guard(work));
    this.#inserts = perKind((kind) => {
      const columns = ["site", "link", "ts", "probe", "provider", "role", "seq", "agent_ts", ...fieldNamesOf(kind)];
      return db.prepare(`INSERT OR IGNORE INTO ${rawTable(kind)} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
    });
    this.#writeTx = db.transaction((records: readonly SampleRecord[]) => {
      const inserted: SampleRecord[] = [];
      for (const record of records) {
        const { sample } = record;
        const row = [record.site, sample.link ?? NO_LINK, record.ts, sample.probe, record.provider, sample.role, sample.seq, record.agentTs, ...storedValueList(sample)];
        if (this.#inserts[sample.kind].run(row).changes > 0) inserted.push(record);
      }
      this.#backlog.mark(windowsTouched(inserted));
      return inserted.length;
    });
    this.#replaceTx = perKind((kind) => ({ "5m": this.#prepareReplace(kind, "5m"), "1h": this.#prepareReplace(kind, "1h") }));
    this.#io = {
      readRaw: async (site, kind, from, to) => this.#reads.readRaw(site, kind, from, to),
      readRollupRows: async (site, kind, resolution, from, to) => this.#reads.readRollupRows(site, kind, resolution, from, to),
      replaceRollups: async (site, kind, resolution, windowTs, rows) => this.#guard(() => this.#replaceTx[kind][resolution](site, windowTs, rows)),
    };
  }

  /** Opens (creating if needed) the database at `path` (':memory:' for a private one) and its tables. */
  static open(path: string, config: RetentionConfig & { retentionChunkRows: number }, now: () => number): SqliteSampleStore {
    const db = new Database(path);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL"); // as the metadata store: durable against a process crash under WAL
      db.pragma(`busy_timeout = ${SAMPLE_BUSY_TIMEOUT_MS}`);
      ensureSampleSchema(db);
      return new SqliteSampleStore(db, config, now);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async write(records: readonly SampleRecord[]): Promise<SampleWriteResult> {
    const cutoff = this.#now() - this.#config.rawRetentionMs;
    const kept = records.filter((r) => r.ts >= cutoff);
    const written = kept.length === 0 ? 0 : this.#guard(() => this.#writeTx(kept));
    return { written, duplicates: kept.length - written, expired: records.length - kept.length };
  }

  async querySeries(request: SeriesRequest): Promise<SeriesAnswer> {
    return this.#reads.querySeries(request);
  }

  async linkOutcomes(site: string, from: number, to: number, page?: LinkOutcomePage): Promise<LinkOutcome[]> {
    return this.#reads.linkOutcomes(site, from, to, page);
  }

  async pathSummaries(query: PathSummaryQuery): Promise<PathSummary[]> {
    return this.#reads.pathSummaries(query);
  }

  async rollUp(nowMs: number, maxWindows = DEFAULT_ROLLUP_BATCH): Promise<RollupPassResult> {
    return runRollupPass(this.#io, this.#backlog, { nowMs, maxWindows, rawRetentionMs: this.#config.rawRetentionMs });
  }

  async readRollups(query: RollupQuery): Promise<RollupRow[]> {
    return this.#reads.readRollupRows(query.site, query.kind, query.resolution, query.from, query.to);
  }

  /** Deletes raw rows and rollups past retention, `retentionChunkRows` per transaction, yielding to the event loop between chunks. */
  async enforceRetention(nowMs: number): Promise<RetentionResult> {
    let rawDeleted = 0;
    let rollupsDeleted = 0;
    const chunk = this.#config.retentionChunkRows;
    for (const kind of SAMPLE_KIND_NAMES) {
      rawDeleted += await this.#deleteInChunks(rawTable(kind), RAW_KEY, "ts", nowMs - this.#config.rawRetentionMs, chunk);
      for (const resolution of ["5m", "1h"] as const) {
        rollupsDeleted += await this.#deleteInChunks(rollupTable(kind, resolution), ROLLUP_KEY, "window_ts", nowMs - this.#config.rollupRetentionMs, chunk);
      }
    }
    return { rawDeleted, rollupsDeleted };
  }

  async listSeqs(site: string, from: number, to: number): Promise<number[]> {
    return this.#reads.listSeqs(site, from, to);
  }

  /** Rewrites the one row of `store_probe`, waiting at most PROBE_BUSY_TIMEOUT_MS (sqliteHealth.ts) for a lock. */
  async probe(nowMs: number): Promise<void> {
    this.#guard(() => this.#health.probeWrite(nowMs));
  }

  /**
   * Runs `work` (this store's calls) with every statement waiting at most PROBE_BUSY_TIMEOUT_MS for a lock instead of
   * {@link SAMPLE_BUSY_TIMEOUT_MS}: the breaker's half-open writes, while the database may still be locked.
   */
  async withShortLockWait<T>(work: () => Promise<T>): Promise<T> {
    this.#shortWaits++;
    try {
      return await work();
    } finally {
      this.#shortWaits--;
    }
  }

  isUnavailableError(err: unknown): boolean {
    return err instanceof SampleStoreUnavailableError || isSqliteUnavailable(err);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  /** Runs `work`, turning "the database cannot be used now" into a {@link SampleStoreUnavailableError}. */
  #guard<T>(work: () => T): T {
    try {
      return this.#shortWaits > 0 ? this.#health.withShortLockWait(work) : work();
    } catch (err) {
      if (isSqliteUnavailable(err)) throw new SampleStoreUnavailableError(`the SQLite sample store cannot be used now: ${(err as Error).message}`, err);
      throw err;
    }
  }

  async #deleteInChunks(table: string, key: string, tsColumn: string, beforeTs: number, chunk: number): Promise<number> {
    const statement = this.#guard(() => this.#db.prepare(`DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE ${tsColumn} < ? LIMIT ?)`));
    let deleted = 0;
    for (;;) {
      const changes = this.#guard(() => statement.run(beforeTs, chunk).changes);
      deleted += changes;
      if (changes < chunk) return deleted;
      await yieldToEventLoop(); // each chunk is its own short transaction: writers get in between
    }
  }

  /** One transaction that makes `rows` the rollups of a window: the window's old rows deleted, the new ones inserted. */
  #prepareReplace(kind: SampleKindName, resolution: RollupResolution): (site: string, windowTs: number, rows: RollupRow[]) => void {
    const table = rollupTable(kind, resolution);
    const fields = fieldNamesOf(kind);
    const columns = ["site", "link", "window_ts", "probe", "provider", "role", ...fields.flatMap((f) => ROLLUP_STATS.map((stat) => `${f}_${stat}`))];
    const remove = this.#db.prepare(`DELETE FROM ${table} WHERE site = ? AND window_ts = ?`);
    const insert = this.#db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
    return this.#db.transaction((site: string, windowTs: number, rows: RollupRow[]) => {
      remove.run(site, windowTs);
      for (const row of rows) {
        const stats = fields.flatMap((f) => ROLLUP_STATS.map((stat) => row.fields[f]?.[stat] ?? null));
        insert.run(site, row.link ?? NO_LINK, windowTs, row.probe, row.provider, row.role, ...stats);
      }
    });
  }
}

/** The primary keys of the raw and rollup tables (sqliteSampleSchema.ts), for deleting by key in chunks. */
const RAW_KEY = RAW_PRIMARY_KEY.join(", ");
const ROLLUP_KEY = ROLLUP_PRIMARY_KEY.join(", ");
