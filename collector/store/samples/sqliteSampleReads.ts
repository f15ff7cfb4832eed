import type Database from "better-sqlite3";
import { SAMPLE_KIND_NAMES, type SampleKindName } from "../../../protocol/kinds/registry.js";
import type { RawRow } from "./rollupMath.js";
import { perKind, rawTable, rollupTable, type PerKind } from "./sqliteSampleSchema.js";
import { bucketsToAnswer, planSeries } from "./seriesPlan.js";
import { MAIN_LATENCY_FIELD, MAX_PATH_SUMMARIES, checkPathSummaryQuery, sortPathSummaries, type PathSummary, type PathSummaryQuery } from "./pathSummary.js";
import { StoredRowReader, type StoredRow } from "./storedRows.js";
import { fieldNamesOf } from "./storedValues.js";
import { MAX_LINK_OUTCOMES, MAX_ROLLUP_ROWS, type FieldRollup, type LinkOutcome, type LinkOutcomePage, type RollupResolution, type RollupRow, type SeriesAnswer, type SeriesRequest } from "./sampleStore.js";

/** `link` of samples without one: a primary key column cannot be null (sqliteSampleSchema.ts). */
export const NO_LINK = "";

/** Runs a statement, turning "the database cannot be used now" into the store's unavailable error (sqlite.ts). */
export type SqliteGuard = <T>(work: () => T) => T;

/**
 * The SQLite sample store's reads: series, link outcomes, path summaries, seqs, and the raw and rollup rows the
 * rollup pass works from. Every statement but a series' (its SQL depends on the metrics asked for) is prepared once;
 * every row read back is parsed ({@link StoredRowReader}); every statement runs inside the store's guard.
 */
export class SqliteSampleReads {
  readonly #db: Database.Database;
  readonly #guard: SqliteGuard;
  readonly #raw: PerKind<Database.Statement>;
  readonly #rollups: PerKind<Record<RollupResolution, Database.Statement>>;
  readonly #paths: PerKind<Database.Statement>;
  readonly #hourlyPaths: PerKind<Database.Statement>;
  readonly #linkOutcomes: Database.Statement;
  readonly #seqs: Database.Statement;

  constructor(db: Database.Database, guard: SqliteGuard) {
    this.#db = db;
    this.#guard = guard;
    this.#raw = perKind((kind) => db.prepare(`SELECT * FROM ${rawTable(kind)} WHERE site = ? AND ts >= ? AND ts < ?`));
    this.#rollups = perKind((kind) => ({
      "5m": this.#prepareRollupRead(kind, "5m"),
      "1h": this.#prepareRollupRead(kind, "1h"),
    }));
    // The latency field comes from a fixed table of declared names, never from request text.
    this.#paths = perKind((kind) =>
      db.prepare(
        `SELECT site, probe, link, COUNT(*) AS rounds, AVG(ok) * 100 AS okPct, AVG(CASE WHEN ok = 1 THEN ${MAIN_LATENCY_FIELD[kind]} END) AS latencyAvgMs
         FROM ${rawTable(kind)} WHERE role = @role AND ts >= @from AND ts < @to AND (@site IS NULL OR site = @site)
         GROUP BY site, probe, link LIMIT ${MAX_PATH_SUMMARIES}`,
      ),
    );
    this.#hourlyPaths = perKind((kind) => {
      const latency = MAIN_LATENCY_FIELD[kind];
      return db.prepare(
        `SELECT site, probe, link, SUM(ok_count) AS rounds, SUM(ok_sum) * 100.0 / SUM(ok_count) AS okPct, SUM(${latency}_sum) / SUM(${latency}_count) AS latencyAvgMs
         FROM ${rollupTable(kind, "1h")} WHERE role = @role AND window_ts >= @from AND window_ts < @to AND (@site IS NULL OR site = @site)
         GROUP BY site, probe, link HAVING SUM(ok_count) > 0 LIMIT ${MAX_PATH_SUMMARIES}`,
      );
    });
    // Each kind's rows come in the order of its (site, ts) index (with link, probe after ts): merged, never sorted.
    // The index range starts at the cursor (the planner would start it at `from` and filter up to the cursor).
    const outcomes = SAMPLE_KIND_NAMES.map(
      (kind) => `SELECT ts, link, ok, probe FROM ${rawTable(kind)} WHERE site = @site AND role = 'link' AND ts >= @lowestTs AND ts <= @to AND (ts, link, probe) > (@afterTs, @afterLink, @afterProbe)`,
    );
    this.#linkOutcomes = db.prepare(`${outcomes.join(" UNION ALL ")} ORDER BY ts, link, probe LIMIT @limit`);
    const seqs = SAMPLE_KIND_NAMES.map((kind) => `SELECT seq FROM ${rawTable(kind)} WHERE site = @site AND ts >= @from AND ts < @to`);
    this.#seqs = db.prepare(`${seqs.join(" UNION ALL ")} ORDER BY seq`);
  }

  /** See SampleStore.querySeries. */
  querySeries(request: SeriesRequest): SeriesAnswer {
    const plan = planSeries(request);
    const raw = plan.resolution === "raw";
    const table = plan.resolution === "raw" ? rawTable(request.kind) : rollupTable(request.kind, plan.resolution);
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
    const parameters = {
      site: request.site,
      link: request.link ?? NO_LINK,
      from: request.from,
      to: request.to,
      step: request.stepMs,
      probe: request.probe ?? null,
      role: request.role ?? null,
    };
    const rows = this.#all(() => this.#db.prepare(sql).all(parameters));
    const reader = new StoredRowReader(`series of ${table}`);
    const buckets = rows.map((row) => ({ bucket: reader.number(row, "bucket"), values: request.metrics.map((_, m) => reader.numberOrNull(row, `m${m}`)) }));
    return bucketsToAnswer(request, plan, buckets);
  }

  /** See SampleStore.linkOutcomes. */
  linkOutcomes(site: string, from: number, to: number, page?: LinkOutcomePage): LinkOutcome[] {
    const reader = new StoredRowReader("raw tables (link outcomes)");
    const after = page?.after ?? { ts: from - 1, link: "", probe: "" };
    const limit = Math.max(0, Math.min(page?.limit ?? MAX_LINK_OUTCOMES, MAX_LINK_OUTCOMES));
    const parameters = { site, lowestTs: Math.max(from, after.ts), to, afterTs: after.ts, afterLink: after.link, afterProbe: after.probe, limit };
    return this.#all(() => this.#linkOutcomes.all(parameters)).map((row) => ({
      ts: reader.number(row, "ts"),
      link: reader.text(row, "link"),
      probe: reader.text(row, "probe"),
      ok: reader.numberOrNull(row, "ok") === 1,
    }));
  }

  /** See SampleStore.pathSummaries. */
  pathSummaries(query: PathSummaryQuery): PathSummary[] {
    checkPathSummaryQuery(query);
    const summaries: PathSummary[] = [];
    for (const kind of SAMPLE_KIND_NAMES) {
      const reader = new StoredRowReader(`path summaries of ${rawTable(kind)}`);
      const statement = (query.resolution ?? "raw") === "raw" ? this.#paths[kind] : this.#hourlyPaths[kind];
      const rows = this.#all(() => statement.all({ role: query.role, from: query.from, to: query.to, site: query.site ?? null }));
      for (const row of rows) {
        summaries.push({
          site: reader.text(row, "site"),
          probe: reader.text(row, "probe"),
          link: reader.textOrNone(row, "link"),
          kind,
          rounds: reader.number(row, "rounds"),
          okPct: reader.numberOrNull(row, "okPct") ?? 0,
          latencyAvgMs: reader.numberOrNull(row, "latencyAvgMs"),
        });
      }
    }
    return sortPathSummaries(summaries);
  }

  /** See SampleStore.listSeqs. */
  listSeqs(site: string, from: number, to: number): number[] {
    const reader = new StoredRowReader("raw tables (seqs)");
    return this.#all(() => this.#seqs.all({ site, from, to })).map((row) => reader.number(row, "seq"));
  }

  /** One site's raw samples of `kind` with `from` ≤ ts < `to` (the rollup pass's input). */
  readRaw(site: string, kind: SampleKindName, from: number, to: number): RawRow[] {
    const fields = fieldNamesOf(kind);
    const reader = new StoredRowReader(rawTable(kind));
    return this.#all(() => this.#raw[kind].all(site, from, to)).map((row) => ({
      link: reader.textOrNone(row, "link"),
      probe: reader.text(row, "probe"),
      provider: reader.textOrNone(row, "provider"),
      role: reader.role(row),
      ts: reader.number(row, "ts"),
      values: Object.fromEntries(fields.map((f) => [f, reader.numberOrNull(row, f)])),
    }));
  }

  /** One site's rollup rows of `kind` at `resolution` whose window starts in [from, to), ordered by link, probe, window. */
  readRollupRows(site: string, kind: SampleKindName, resolution: RollupResolution, from: number, to: number): RollupRow[] {
    const fields = fieldNamesOf(kind);
    const reader = new StoredRowReader(rollupTable(kind, resolution));
    return this.#all(() => this.#rollups[kind][resolution].all(site, from, to)).map((row) => {
      const stats: Record<string, FieldRollup> = {};
      for (const f of fields) {
        const count = reader.numberOrNull(row, `${f}_count`);
        if (count === null || count === 0) continue;
        stats[f] = { count, sum: reader.number(row, `${f}_sum`), mean: reader.number(row, `${f}_mean`), min: reader.number(row, `${f}_min`), max: reader.number(row, `${f}_max`) };
      }
      return {
        site,
        link: reader.textOrNone(row, "link"),
        probe: reader.text(row, "probe"),
        provider: reader.textOrNone(row, "provider"),
        role: reader.role(row),
        windowTs: reader.number(row, "window_ts"),
        fields: stats,
      };
    });
  }

  #prepareRollupRead(kind: SampleKindName, resolution: RollupResolution): Database.Statement {
    return this.#db.prepare(`SELECT * FROM ${rollupTable(kind, resolution)} WHERE site = ? AND window_ts >= ? AND window_ts < ? ORDER BY link, probe, window_ts LIMIT ${MAX_ROLLUP_ROWS}`);
  }

  /** Runs a read in the guard; its rows are objects (better-sqlite3's `all()` without `pluck`). */
  #all(read: () => unknown[]): StoredRow[] {
    return this.#guard(read) as StoredRow[];
  }
}
