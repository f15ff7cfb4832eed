import type Database from "better-sqlite3";
import { SAMPLE_KIND_NAMES, type SampleKindName } from "../../../protocol/kinds/registry.js";
import type { RollupResolution } from "./sampleStore.js";
import { ensureRollupBacklogSchema } from "./sqliteRollupBacklog.js";
import { fieldNamesOf } from "./storedValues.js";

/** The statistics a rollup row keeps per field, as column suffixes (`rtt_avg_ms_mean` …). */
export const ROLLUP_STATS = ["count", "sum", "mean", "min", "max"] as const;

/** One value per sample kind, e.g. each kind's prepared statement. */
export type PerKind<T> = Record<SampleKindName, T>;

/** Builds a {@link PerKind} with `make` called once per kind of the registry. */
export function perKind<T>(make: (kind: SampleKindName) => T): PerKind<T> {
  return Object.fromEntries(SAMPLE_KIND_NAMES.map((kind) => [kind, make(kind)])) as PerKind<T>;
}

/** Raw samples of a kind: `raw_icmp`. Names come from the kind registry only, never from a request. */
export function rawTable(kind: SampleKindName): string {
  return `raw_${kind}`;
}

/** Rollups of a kind at a resolution: `rollup_5m_icmp`. */
export function rollupTable(kind: SampleKindName, resolution: RollupResolution): string {
  return `rollup_${resolution}_${kind}`;
}

/**
 * Creates what is missing, from the kinds' declarations (protocol/kinds/): per kind a raw table and two rollup tables,
 * and a column for every declared field (a field declared later is added to an existing table). `link` is '' for
 * samples without a link (a primary key column cannot be null; no identifier is empty). Also the rollup backlog and
 * the health probe's row. Idempotent.
 */
export function ensureSampleSchema(db: Database.Database): void {
  ensureRollupBacklogSchema(db);
  db.exec(`
    CREATE TABLE IF NOT EXISTS store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), ts INTEGER NOT NULL);
  `);
  for (const kind of SAMPLE_KIND_NAMES) {
    const fields = fieldNamesOf(kind);
    const raw = rawTable(kind);
    rekeyRawTable(db, raw, fields);
    createRawTable(db, raw);
    addMissingColumns(db, raw, fields.map((field) => `${field} REAL`));
    for (const resolution of ["5m", "1h"] as const) {
      const table = rollupTable(kind, resolution);
      db.exec(`
        CREATE TABLE IF NOT EXISTS ${table} (
          site TEXT NOT NULL, link TEXT NOT NULL, window_ts INTEGER NOT NULL, probe TEXT NOT NULL,
          provider TEXT, role TEXT NOT NULL,
          PRIMARY KEY (${ROLLUP_PRIMARY_KEY.join(", ")})
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ${table}_site_ts ON ${table} (site, window_ts);
        CREATE INDEX IF NOT EXISTS ${table}_ts ON ${table} (window_ts);
      `);
      addMissingColumns(
        db,
        table,
        fields.flatMap((field) => ROLLUP_STATS.map((stat) => `${field}_${stat} ${stat === "count" ? "INTEGER" : "REAL"}`)),
      );
    }
  }
}

/**
 * The raw tables' primary key: the identity of a stored sample on SQLite. The agent's own timestamp, not the
 * corrected `ts`: a resend after the site's clock correction moved (an answer lost, then an NTP fix) is the same
 * measurement under another `ts`, and must stay one row (docs/storage.md, Identity).
 */
export const RAW_PRIMARY_KEY = ["site", "link", "probe", "agent_ts"] as const;

/** The rollup tables' primary key. */
export const ROLLUP_PRIMARY_KEY = ["site", "link", "window_ts", "probe"] as const;

/** Creates a kind's raw table (without its field columns, added by addMissingColumns) and its indexes if missing. */
function createRawTable(db: Database.Database, raw: string): void {
  // `ts` (the collector's time line) is what every query ranges over: (site, ts) for a site's series, windows and
  // outcomes, (ts) for retention.
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${raw} (
      site TEXT NOT NULL, link TEXT NOT NULL, ts INTEGER NOT NULL, probe TEXT NOT NULL,
      provider TEXT, role TEXT NOT NULL, seq INTEGER NOT NULL, agent_ts INTEGER NOT NULL,
      PRIMARY KEY (${RAW_PRIMARY_KEY.join(", ")})
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS ${raw}_site_ts ON ${raw} (site, ts);
    CREATE INDEX IF NOT EXISTS ${raw}_ts ON ${raw} (ts);
  `);
}

/**
 * Migrates a raw table keyed the old way ((site, link, ts, probe), samples.db of a development run before this
 * release) to {@link RAW_PRIMARY_KEY}, in one transaction: its rows are copied, earliest `ts` first, so of two rows
 * of one measurement (a resend stored under two corrected times) the one with the earliest `ts` is kept (the old
 * table cannot tell which came first). Rollups are left as they are. Nothing to do for a table that is missing or already keyed so.
 */
function rekeyRawTable(db: Database.Database, raw: string, fields: string[]): void {
  const key = primaryKeyOf(db, raw);
  if (key.length === 0 || key.join(",") === RAW_PRIMARY_KEY.join(",")) return;
  db.transaction(() => {
    addMissingColumns(db, raw, fields.map((field) => `${field} REAL`));
    const columns = ["site", "link", "ts", "probe", "provider", "role", "seq", "agent_ts", ...fields].join(", ");
    db.exec(`DROP INDEX IF EXISTS ${raw}_site_ts; DROP INDEX IF EXISTS ${raw}_ts; ALTER TABLE ${raw} RENAME TO ${raw}_old_key;`);
    createRawTable(db, raw);
    addMissingColumns(db, raw, fields.map((field) => `${field} REAL`));
    db.exec(`INSERT OR IGNORE INTO ${raw} (${columns}) SELECT ${columns} FROM ${raw}_old_key ORDER BY ts; DROP TABLE ${raw}_old_key;`);
  })();
}

/** The primary key columns of `table` in key order; empty when the table does not exist. */
function primaryKeyOf(db: Database.Database, table: string): string[] {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string; pk: number }>;
  return columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
}

/** Adds each "name TYPE" column `table` lacks. */
function addMissingColumns(db: Database.Database, table: string, columns: string[]): void {
  const present = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name));
  for (const column of columns) {
    const name = column.split(" ")[0] as string;
    if (!present.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column}`);
  }
}
