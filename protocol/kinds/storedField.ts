import type { z } from "zod";

/**
 * Unit of a stored field: `ms` milliseconds, `pct` percent 0–100, `count` a plain number of things, `days` whole days,
 * `bytes`, `score` a dimensionless quality figure (R-factor, MOS), `bool` 1 = true / 0 = false, `code` an integer code
 * from the field's `codes` table.
 */
export type FieldUnit = "ms" | "pct" | "count" | "days" | "bytes" | "score" | "bool" | "code";

/**
 * One numeric field a sample store keeps for a kind of sample. The stores, the series API and the dashboard read
 * these declarations; none lists a kind's columns by hand. Field names are snake_case with their unit where it is not
 * obvious (`rtt_avg_ms`), and are the column (SQLite) or field (InfluxDB) names: renaming one is a schema change.
 */
export interface StoredField<S> {
  unit: FieldUnit;
  /** What it is, for operators and docs. */
  description: string;
  /** Worth drawing as a series (false: kept for audits and rollups only). */
  chartable: boolean;
  /** The value in `unit`, or null when the sample has none (rtt of a round without replies). Finite when not null. */
  read(sample: S): number | null;
  /** For `code` fields: each known text and its integer; a text not listed is stored as {@link UNKNOWN_CODE}. */
  codes?: Readonly<Record<string, number>>;
}

/** The integer a `code` field stores for a text its table does not list. */
export const UNKNOWN_CODE = -1;

/**
 * A kind of sample: its wire schema (one member of the protocol's union) and its stored fields. `name` equals the
 * literal `kind` of the schema; it names the kind's InfluxDB measurement and SQLite tables.
 */
export interface SampleKind<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
  fields: Readonly<Record<string, StoredField<z.output<S>>>>;
}

/** Field names a store may use: lower-case snake_case, so they are safe as SQL column and InfluxQL field names. */
const FIELD_NAME = /^[a-z][a-z0-9_]{0,47}$/;

/** Names the stores keep beside the declared fields; a kind may not declare them. */
const RESERVED_FIELDS: ReadonlySet<string> = new Set(["seq", "agent_ts", "ts", "time", "site", "link", "provider", "probe", "role"]);

/**
 * Declares a kind; throws when a field name is not lower snake_case or is reserved, so a bad declaration fails when
 * the module loads rather than in a store.
 */
export function defineSampleKind<S extends z.ZodType>(name: string, schema: S, fields: Record<string, StoredField<z.output<S>>>): SampleKind<S> {
  if (!FIELD_NAME.test(name)) throw new Error(`sample kind name '${name}' must be lower snake_case`);
  for (const field of Object.keys(fields)) {
    if (!FIELD_NAME.test(field)) throw new Error(`field '${field}' of sample kind '${name}' must be lower snake_case (at most 48 characters)`);
    if (RESERVED_FIELDS.has(field)) throw new Error(`field '${field}' of sample kind '${name}' is a name the stores keep for themselves`);
  }
  return Object.freeze({ name, schema, fields: Object.freeze({ ...fields }) });
}

/** `ok` as a stored field: 1 when the target answered as expected, 0 when not. Every kind declares it. */
export const okField: StoredField<{ ok: boolean }> = {
  unit: "bool",
  description: "1 when the target answered as expected, 0 when not (the mean over a bucket is the success ratio)",
  chartable: true,
  read: (sample) => (sample.ok ? 1 : 0),
};

/** A stored field in `unit` read straight from a numeric (or null/absent) property of the sample. */
export function numberField<S>(unit: FieldUnit, description: string, read: (sample: S) => number | null | undefined, chartable = true): StoredField<S> {
  return { unit, description, chartable, read: (sample) => read(sample) ?? null };
}

/** The integer of `text` in `codes` (null text: null; a text not listed: {@link UNKNOWN_CODE}). */
export function codeOf(codes: Readonly<Record<string, number>>, text: string | null): number | null {
  if (text === null) return null;
  return Object.hasOwn(codes, text) ? (codes[text] as number) : UNKNOWN_CODE;
}
