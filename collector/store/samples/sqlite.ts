import Database from "better-sqlite3";
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { z } from "zod";
import { SAMPLE_KIND_NAMES, type SampleKindName } from "../../../protocol/kinds/registry.js";
import type { SampleRole } from "../../../protocol/sample.js";
import { isSqliteUnavailable } from "../sqliteHealth.js";
import { checkRetention, defineSampleStoreBackend, retentionConfigOf, retentionKeys, type MaintenanceConfig, type RetentionConfig, type SampleStoreDeps } from "./backend.js";
import { runRollupPass, windowsTouched, type RollupIo } from "./rollupPass.js";
import type { RawRow } from "./rollupMath.js";
import { SqliteRollupBacklog } from "./sqliteRollupBacklog.js";
import { ROLLUP_STATS, ensureSampleSchema, rawTable, rollupTable } from "./sqliteSampleSchema.js";
import { bucketsToAnswer, planSeries } from "./seriesPlan.js";
import { MAIN_LATENCY_FIELD, MAX_PATH_SUMMARIES, checkPathSummaryQuery, sortPathSummaries, type PathSummary, type PathSummaryQuery } from "./pathSummary.js";
import { fieldNamesOf, storedValueList } from "./storedValues.js";
import {
  DEFAULT_ROLLUP_BATCH,
  MAX_LINK_OUTCOMES,
  MAX_ROLLUP_ROWS,
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

/** Opens (creating owner-only: data_dir 0700, the file 0600) the SQLite sample store the configuration names. */
export async function openSqliteSampleStore(config: SqliteSampleStoreConfig, deps: SampleStoreDeps): Promise<SqliteSampleStore> {
  mkdirSync(deps.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(deps.dataDir, 0o700);
  const path = join(deps.dataDir, config.file);
  closeSync(openSync(path, "a", 0o600)); // created owner-only before SQLite opens it; its -wal and -shm take its mode
  chmodSync(path, 0o600);
  return SqliteSampleStore.open(path, config, deps.now);
}

/** `storage: { kind: sqlite }` in the backend registry. */
export const sqliteSampleStoreBackend = defineSampleStoreBackend(sqliteSampleStoreSchema, openSqliteSampleStore);

const NO_LINK = "";

/**
 * The SQLite sample store (WAL). Writes are one transaction each, duplicates counted by the primary key; rollup marks
 * go in the same transaction. Queries are bounded (seriesPlan.ts); better-sqlite3 being synchronous, that bound is
 * what keeps a query from holding ingest.
 */
export class SqliteSampleStore implements SampleStore {
  readonly backend = "sqlite";
  readonly reportsDuplicates = true;
  readonly #db: Database.Database;
  readonly #config: RetentionConfig & { retentionChunkRows: number };
  readonly #now: () => number;
  readonly #backlog: SqliteRollupBacklog;
  readonly #inserts: Record<SampleKindName, Database.Statement>;
  readonly #writeTx: (records: readonly SampleRecord[]) => number;
  readonly #io: RollupIo;

  private constructor(db: Database.Database, config: RetentionConfig & { retentionChunkRows: number }, now: () => number) {
    this.#db = db;
    this.#config = config;
    this.#now = now;
    this.#backlog = new SqliteRollupBacklog(db);
    this.#inserts = Object.fromEntries(
      SAMPLE_KIND_NAMES.map((kind) => {
        const columns = ["site", "link", "ts", "probe", "provider", "role", "seq", "agent_ts", ...fieldNamesOf(kind)];
        return [kind, db.prepare(`INSERT OR IGNORE INTO ${rawTable(kind)} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`)];
      }),
    ) as Record<SampleKindName, Database.Statement>;
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
    this.#io = {
      readRaw: async (site, kind, from, to) => this.#guard(() => this.#readRaw(site, kind, from, to)),
      readRollupRows: async (site, kind, resolution, from, to) => this.#readRollupRows(site, kind, resolution, from, to),
      replaceRollups: async (site, kind, resolution, windowTs, rows) => this.#replaceRollups(site, kind, resolution, windowTs, rows),
    };
  }

  /** Opens (creating if needed) the database at `path` (':memory:' for a private one) and its tables. */
  static open(path: string, config: RetentionConfig & { retentionChunkRows: number }, now: () => number): SqliteSampleStore {
    const db = new Database(path);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL"); // as the metadata store: durable against a process crash under WAL
      db.pragma("busy_timeout = 5000");
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
    const plan = planSeries(request);
    const raw = plan.resolution === "raw";
    const table = raw ? rawTable(request.kind) : rollupTable(request.kind, plan.resolution as RollupResolution);
    const tsColumn = raw ? "ts" : "window_ts";
    // Field names are checked against the kind's declaration by planSeries: no request text reaches the SQL.
    const expressions = request.metrics.map(({ field, stat }, m) => {
      const expression = raw
        ? { mean: `AVG(${field})`, min: `MIN(${field})`, max: `MAX(${field})`, count: `COUNT(${field})` }[stat]
        : { mean: `SUM(${field}_sum) / SUM(${field}_count)`, min: `MIN(${field}_min)`, max: `MAX(${field}_max)`, count: `SUM(${field}_count)` }[stat];
      return `${expression} AS m${m}`;
    });
    const sql = `SELECT CAST((${tsColumn} - @from) / @step AS INTEGER) AS bucket, ${expressions.join(", ")}
      FROM ${table}
      WHERE site = @site AND link = @link AND ${tsColumn} >= @from AND ${tsColumn} < @to
        AND (@probe IS NULL OR probe = @probe) AND (@role IS NULL OR role = @role)
      GROUP BY bucket`;
    const rows = this.#guard(() =>
      this.#db.prepare(sql).all({
        site: request.site,
        link: request.link ?? NO_LINK,
        from: request.from,
        to: request.to,
        step: request.stepMs,
        probe: request.probe ?? null,
        role: request.role ?? null,
      }),
    ) as Array<Record<string, number | null>>;
    return bucketsToAnswer(
      request,
      plan,
      rows.map((row) => ({ bucket: row.bucket as number, values: request.metrics.map((_, m) => row[`m${m}`] ?? null) })),
    );
  }

  /** Each kind's rows come in the order of its (site, ts) index (with the key's link, probe after ts): merged, never sorted. */
  async linkOutcomes(site: string, from: number, to: number, page?: LinkOutcomePage): Promise<LinkOutcome[]> {
    const union = SAMPLE_KIND_NAMES.map(
      (kind) => `SELECT ts, link, ok, probe FROM ${rawTable(kind)} WHERE site = @site AND role = 'link' AND ts >= @lowestTs AND ts <= @to AND (ts, link, probe) > (@afterTs, @afterLink, @afterProbe)`,
    ).join(" UNION ALL ");
    const after = page?.after ?? { ts: from - 1, link: "", probe: "" };
    // The index range starts at the cursor (the planner would start it at `from` and filter up to the cursor).
    const lowestTs = Math.max(from, after.ts);
    const limit = Math.max(0, Math.min(page?.limit ?? MAX_LINK_OUTCOMES, MAX_LINK_OUTCOMES));
    const rows = this.#guard(() =>
      this.#db.prepare(`${union} ORDER BY ts, link, probe LIMIT @limit`).all({ site, lowestTs, to, afterTs: after.ts, afterLink: after.link, afterProbe: after.probe, limit }),
    ) as Array<{ ts: number; link: string; ok: number; probe: string }>;
    return rows.map((row) => ({ ts: row.ts, link: row.link, probe: row.probe, ok: row.ok === 1 }));
  }

  async pathSummaries(query: PathSummaryQuery): Promise<PathSummary[]> {
    checkPathSummaryQuery(query);
    const summaries: PathSummary[] = [];
    for (const kind of SAMPLE_KIND_NAMES) {
      const latency = MAIN_LATENCY_FIELD[kind]; // a declared field name from a fixed table, never request text
      const rows = this.#guard(() =>
        this.#db
          .prepare(
            `SELECT site, probe, link, COUNT(*) AS rounds, AVG(ok) * 100 AS okPct, AVG(CASE WHEN ok = 1 THEN ${latency} END) AS latencyAvgMs
             FROM ${rawTable(kind)} WHERE role = @role AND ts >= @from AND ts < @to AND (@site IS NULL OR site = @site)
             GROUP BY site, probe, link LIMIT ${MAX_PATH_SUMMARIES}`,
          )
          .all({ role: query.role, from: query.from, to: query.to, site: query.site ?? null }),
      ) as Array<{ site: string; probe: string; link: string; rounds: number; okPct: number; latencyAvgMs: number | null }>;
      for (const row of rows) summaries.push({ ...row, link: row.link === NO_LINK ? null : row.link, kind });
    }
    return sortPathSummaries(summaries);
  }

  async rollUp(nowMs: number, maxWindows = DEFAULT_ROLLUP_BATCH): Promise<RollupPassResult> {
    return runRollupPass(this.#io, this.#backlog, { nowMs, maxWindows, rawRetentionMs: this.#config.rawRetentionMs });
  }

  async readRollups(query: RollupQuery): Promise<RollupRow[]> {
    return this.#readRollupRows(query.site, query.kind, query.resolution, query.from, query.to);
  }

  /** Deletes raw rows and rollups past retention, `retentionChunkRows` per transaction, yielding to the event loop between chunks. */
  async enforceRetention(nowMs: number): Promise<RetentionResult> {
    let rawDeleted = 0;
    let rollupsDeleted = 0;
    const chunk = this.#config.retentionChunkRows;
    for (const kind of SAMPLE_KIND_NAMES) {
      rawDeleted += await this.#deleteInChunks(rawTable(kind), "ts, probe", "ts", nowMs - this.#config.rawRetentionMs, chunk);
      for (const resolution of ["5m", "1h"] as const) {
        rollupsDeleted += await this.#deleteInChunks(rollupTable(kind, resolution), "window_ts, probe", "window_ts", nowMs - this.#config.rollupRetentionMs, chunk);
      }
    }
    return { rawDeleted, rollupsDeleted };
  }

  async listSeqs(site: string, from: number, to: number): Promise<number[]> {
    const union = SAMPLE_KIND_NAMES.map((kind) => `SELECT seq FROM ${rawTable(kind)} WHERE site = @site AND ts >= @from AND ts < @to`).join(" UNION ALL ");
    return this.#guard(() => this.#db.prepare(`${union} ORDER BY seq`).pluck().all({ site, from, to })) as number[];
  }

  async probe(nowMs: number): Promise<void> {
    this.#guard(() => this.#db.prepare("INSERT INTO store_probe (id, ts) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET ts = excluded.ts").run(nowMs));
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
      return work();
    } catch (err) {
      if (isSqliteUnavailable(err)) throw new SampleStoreUnavailableError(`the SQLite sample store cannot be used now: ${(err as Error).message}`, err);
      throw err;
    }
  }

  async #deleteInChunks(table: string, keyTail: string, tsColumn: string, beforeTs: number, chunk: number): Promise<number> {
    const statement = this.#db.prepare(
      `DELETE FROM ${table} WHERE (site, link, ${keyTail}) IN (SELECT site, link, ${keyTail} FROM ${table} WHERE ${tsColumn} < ? LIMIT ?)`,
    );
    let deleted = 0;
    for (;;) {
      const changes = this.#guard(() => statement.run(beforeTs, chunk).changes);
      deleted += changes;
      if (changes < chunk) return deleted;
      await yieldToEventLoop(); // each chunk is its own short transaction: writers get in between
    }
  }

  #readRaw(site: string, kind: SampleKindName, from: number, to: number): RawRow[] {
    const fields = fieldNamesOf(kind);
    const rows = this.#db.prepare(`SELECT * FROM ${rawTable(kind)} WHERE site = ? AND ts >= ? AND ts < ?`).all(site, from, to) as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      link: row.link === NO_LINK ? null : (row.link as string),
      probe: row.probe as string,
      provider: row.provider as string | null,
      role: row.role as SampleRole,
      ts: row.ts as number,
      values: Object.fromEntries(fields.map((f) => [f, row[f] as number | null])),
    }));
  }

  #readRollupRows(site: string, kind: SampleKindName, resolution: RollupResolution, from: number, to: number): RollupRow[] {
    const fields = fieldNamesOf(kind);
    const rows = this.#guard(() =>
      this.#db
        .prepare(`SELECT * FROM ${rollupTable(kind, resolution)} WHERE site = ? AND window_ts >= ? AND window_ts < ? ORDER BY link, probe, window_ts LIMIT ${MAX_ROLLUP_ROWS}`)
        .all(site, from, to),
    ) as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      site,
      link: row.link === NO_LINK ? null : (row.link as string),
      probe: row.probe as string,
      provider: row.provider as string | null,
      role: row.role as SampleRole,
      windowTs: row.window_ts as number,
      fields: Object.fromEntries(
        fields
          .filter((f) => typeof row[`${f}_count`] === "number" && (row[`${f}_count`] as number) > 0)
          .map((f) => [f, { count: row[`${f}_count`], sum: row[`${f}_sum`], mean: row[`${f}_mean`], min: row[`${f}_min`], max: row[`${f}_max`] }]),
      ) as RollupRow["fields"],
    }));
  }

  #replaceRollups(site: string, kind: SampleKindName, resolution: RollupResolution, windowTs: number, rows: RollupRow[]): void {
    const table = rollupTable(kind, resolution);
    const fields = fieldNamesOf(kind);
    const columns = ["site", "link", "window_ts", "probe", "provider", "role", ...fields.flatMap((f) => ROLLUP_STATS.map((stat) => `${f}_${stat}`))];
    const insert = this.#db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
    this.#guard(() =>
      this.#db.transaction(() => {
        this.#db.prepare(`DELETE FROM ${table} WHERE site = ? AND window_ts = ?`).run(site, windowTs);
        for (const row of rows) {
          const stats = fields.flatMap((f) => ROLLUP_STATS.map((stat) => row.fields[f]?.[stat] ?? null));
          insert.run(site, row.link ?? NO_LINK, windowTs, row.probe, row.provider, row.role, ...stats);
        }
      })(),
    );
  }
}
