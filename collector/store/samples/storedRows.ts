import { sampleRoleSchema, type SampleRole } from "../../../protocol/sample.js";

/** A row as a database driver answers it (better-sqlite3's `all()`, an InfluxDB series' columns): column name → value. */
export type StoredRow = Readonly<Record<string, unknown>>;

/** A row read back from a sample store does not have the shape its table or measurement declares. */
export class StoredRowError extends Error {
  constructor(source: string, column: string, expected: string, value: unknown) {
    super(`${source}: column ${column} is ${describe(value)}, expected ${expected}`);
    this.name = "StoredRowError";
  }
}

/**
 * Reads the columns of rows from one source (a table, a measurement), checking each value's type: the stores' row
 * parsers at their boundary, a few `typeof` checks per column (cheap enough for every row of a rollup window).
 * Every method throws a {@link StoredRowError} naming the source and column when the value is not of the type.
 */
export class StoredRowReader {
  /** `source`: what the rows come from, named in errors ("raw_icmp", "InfluxDB rollup_5m.icmp"). */
  constructor(readonly source: string) {}

  /** A text column that is never null. */
  text(row: StoredRow, column: string): string {
    const value = row[column];
    if (typeof value !== "string") throw new StoredRowError(this.source, column, "text", value);
    return value;
  }

  /** A text column where null, absent or '' all mean none (SQLite's '' for no link, InfluxDB's absent tag). */
  textOrNone(row: StoredRow, column: string): string | null {
    const value = row[column];
    if (value === null || value === undefined || value === "") return null;
    if (typeof value !== "string") throw new StoredRowError(this.source, column, "text or null", value);
    return value;
  }

  /** A finite number column that is never null. */
  number(row: StoredRow, column: string): number {
    const value = row[column];
    if (typeof value !== "number" || !Number.isFinite(value)) throw new StoredRowError(this.source, column, "a number", value);
    return value;
  }

  /** A number column, null (or absent: InfluxDB leaves out a field a point does not have) when it has no value. */
  numberOrNull(row: StoredRow, column: string): number | null {
    const value = row[column];
    if (value === null || value === undefined) return null;
    if (typeof value !== "number" || !Number.isFinite(value)) throw new StoredRowError(this.source, column, "a number or null", value);
    return value;
  }

  /** A sample's role (`link`, `app`, `lan`). */
  role(row: StoredRow, column = "role"): SampleRole {
    const parsed = sampleRoleSchema.safeParse(row[column]);
    if (!parsed.success) throw new StoredRowError(this.source, column, `one of ${sampleRoleSchema.options.join(", ")}`, row[column]);
    return parsed.data;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "absent";
  if (value === null) return "null";
  const text = typeof value === "string" ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value);
  return `${typeof value} ${text}`;
}
