import { z } from "zod";
import type { SampleKindName } from "../../../protocol/kinds/registry.js";
import type { RawRow } from "./rollupMath.js";
import { StoredRowReader, type StoredRow } from "./storedRows.js";
import { fieldNamesOf } from "./storedValues.js";
import type { FieldRollup, Resolution, RollupRow, SeriesRequest } from "./sampleStore.js";

/** Retention policy names in the database: raw samples, and the rollups at each resolution. */
export const RETENTION_POLICIES = { raw: "raw", "5m": "rollup_5m", "1h": "rollup_1h" } as const satisfies Record<Resolution, string>;

/** The statistics a rollup point keeps per field (field keys `<field>_<stat>`). */
const ROLLUP_STATS = ["count", "sum", "mean", "min", "max"] as const;

/** An InfluxQL string literal: backslashes and single quotes escaped, so no text can end the literal. */
export function literal(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** `"rp"."measurement"`; both come from fixed tables (RETENTION_POLICIES, the kind registry), never from a request. */
export function source(resolution: Resolution, kind: SampleKindName): string {
  return `"${RETENTION_POLICIES[resolution]}"."${kind}"`;
}

/** `time >= …ms AND time < …ms` (UTC ms; integers checked by the caller). */
export function timeRange(from: number, to: number, inclusiveTo = false): string {
  return `time >= ${Math.trunc(from)}ms AND time ${inclusiveTo ? "<=" : "<"} ${Math.trunc(to)}ms`;
}

/** A series as InfluxDB's /query answers it with epoch=ms. */
export interface InfluxSeries {
  name: string;
  /** The series' tags when the query grouped by them. */
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** The body of a /query answer: one result per statement, each its series or its error. */
const queryAnswerSchema = z.object({
  results: z
    .array(
      z.object({
        error: z.string().optional(),
        series: z.array(z.object({ name: z.string(), tags: z.record(z.string(), z.string()).optional(), columns: z.array(z.string()), values: z.array(z.array(z.unknown())) })).optional(),
      }),
    )
    .default([]),
});

/** The series of every statement of a /query answer; throws the first statement error, or one naming what is malformed. */
export function seriesOf(answer: unknown): InfluxSeries[] {
  const parsed = queryAnswerSchema.safeParse(answer);
  if (!parsed.success) throw new Error(`InfluxDB answered a query with an unexpected body: ${z.prettifyError(parsed.error)}`);
  const series: InfluxSeries[] = [];
  for (const result of parsed.data.results) {
    if (result.error) throw new Error(`InfluxDB query failed: ${result.error}`);
    series.push(...(result.series ?? []));
  }
  return series;
}

/** Each row of `series` as an object keyed by column (read its values with a {@link StoredRowReader}). */
export function rowsOf(series: InfluxSeries[]): StoredRow[] {
  return series.flatMap((s) => s.values.map((values) => Object.fromEntries(s.columns.map((column, i) => [column, values[i]]))));
}

/** The InfluxQL of a series request at `resolution` (checked by planSeries first: fields are declared names). */
export function seriesQuery(request: SeriesRequest, resolution: Resolution): string {
  const raw = resolution === "raw";
  const selects = request.metrics.map(({ field, stat }, m) => {
    const expression = raw
      ? { mean: `mean("${field}")`, min: `min("${field}")`, max: `max("${field}")`, count: `count("${field}")` }[stat]
      : { mean: `sum("${field}_sum") / sum("${field}_count")`, min: `min("${field}_min")`, max: `max("${field}_max")`, count: `sum("${field}_count")` }[stat];
    return `${expression} AS "m${m}"`;
  });
  const where = [`"site" = ${literal(request.site)}`, `"link" = ${literal(request.link ?? "")}`, timeRange(request.from, request.to)];
  if (request.probe !== undefined) where.push(`"probe" = ${literal(request.probe)}`);
  if (request.role !== undefined) where.push(`"role" = ${literal(request.role)}`);
  const offsetMs = ((request.from % request.stepMs) + request.stepMs) % request.stepMs;
  return `SELECT ${selects.join(", ")} FROM ${source(resolution, request.kind)} WHERE ${where.join(" AND ")} GROUP BY time(${request.stepMs}ms, ${offsetMs}ms) fill(none)`;
}

/** Raw rows of one /query answer of `SELECT *` on a kind's raw measurement. */
export function rawRowsOf(kind: SampleKindName, rows: StoredRow[]): RawRow[] {
  const fields = fieldNamesOf(kind);
  const reader = new StoredRowReader(`InfluxDB ${source("raw", kind)}`);
  return rows.map((row) => ({
    link: reader.textOrNone(row, "link"),
    probe: reader.text(row, "probe"),
    provider: reader.textOrNone(row, "provider"),
    role: reader.role(row),
    ts: reader.number(row, "time"),
    values: Object.fromEntries(fields.map((f) => [f, reader.numberOrNull(row, f)])),
  }));
}

/** Rollup rows of one /query answer of `SELECT *` on a kind's rollup measurement. */
export function rollupRowsOf(site: string, kind: SampleKindName, resolution: Exclude<Resolution, "raw">, rows: StoredRow[]): RollupRow[] {
  const fields = fieldNamesOf(kind);
  const reader = new StoredRowReader(`InfluxDB ${source(resolution, kind)}`);
  return rows.map((row) => {
    const stats: Record<string, FieldRollup> = {};
    for (const field of fields) {
      const count = reader.numberOrNull(row, `${field}_count`);
      if (count === null || count === 0) continue;
      const stat = (name: (typeof ROLLUP_STATS)[number]) => reader.number(row, `${field}_${name}`);
      stats[field] = { count, sum: stat("sum"), mean: stat("mean"), min: stat("min"), max: stat("max") };
    }
    return {
      site,
      link: reader.textOrNone(row, "link"),
      probe: reader.text(row, "probe"),
      provider: reader.textOrNone(row, "provider"),
      role: reader.role(row),
      windowTs: reader.number(row, "time"),
      fields: stats,
    };
  });
}

/** The fields of a rollup point: `<field>_<stat>` for each field with values. */
export function rollupFields(row: RollupRow): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const [field, stats] of Object.entries(row.fields)) for (const stat of ROLLUP_STATS) fields[`${field}_${stat}`] = stats[stat];
  return fields;
}

/** Tags of a point: empty values left out (InfluxDB has no empty tag; `"link" = ''` matches a point without it). */
export function tagsOf(tags: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== ""));
}
