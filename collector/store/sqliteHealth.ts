import Database from "better-sqlite3";

/**
 * How long the health probe, and the writes let through after it succeeded, wait for a lock, ms. Short: they run
 * while the store is known to have failed, and better-sqlite3 waits on the event loop.
 */
export const PROBE_BUSY_TIMEOUT_MS = 100;

/**
 * SQLite result codes (primary, before any `_EXTENDED` suffix) that mean the database cannot take writes now, rather
 * than that one statement was wrong: locked by another connection, disk full, I/O error, read-only file system,
 * file gone or damaged, out of memory.
 */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_FULL",
  "SQLITE_IOERR",
  "SQLITE_READONLY",
  "SQLITE_CANTOPEN",
  "SQLITE_CORRUPT",
  "SQLITE_NOTADB",
  "SQLITE_NOMEM",
  "SQLITE_PROTOCOL",
]);

/**
 * Whether `err`, thrown by better-sqlite3, means the database cannot take writes now (see {@link UNAVAILABLE_CODES});
 * a closed database counts too. Anything else (a constraint, a bad statement, a bug) is the write's own fault.
 */
export function isSqliteUnavailable(err: unknown): boolean {
  // Extended codes add a suffix to the primary one: SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT, SQLITE_READONLY_DBMOVED.
  if (err instanceof Database.SqliteError) return UNAVAILABLE_CODES.has(err.code.split("_").slice(0, 2).join("_"));
  return err instanceof TypeError && /database connection is not open/.test(err.message);
}

/**
 * What the store breaker (collector/health/storeBreaker.ts) asks of one SQLite connection: a cheap real write to
 * find out whether the database takes writes again, and a way to run writes with the probe's short lock wait.
 */
export class SqliteHealth {
  readonly #db: Database.Database;
  readonly #busyTimeoutMs: number;
  readonly #probeStatement: Database.Statement;

  /** `busyTimeoutMs`: the connection's ordinary wait for a lock, restored after each short one, ms. */
  constructor(db: Database.Database, busyTimeoutMs: number) {
    this.#db = db;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#probeStatement = db.prepare("INSERT INTO store_probe (id, ts) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET ts = excluded.ts");
  }

  /** Rewrites the one row of `store_probe` (a committed write), waiting at most {@link PROBE_BUSY_TIMEOUT_MS} for a lock. */
  probeWrite(nowMs: number): void {
    this.withShortLockWait(() => this.#probeStatement.run(nowMs));
  }

  /** Runs `work` with the connection waiting at most {@link PROBE_BUSY_TIMEOUT_MS} for a lock; returns its result. */
  withShortLockWait<T>(work: () => T): T {
    this.#db.pragma(`busy_timeout = ${Math.min(PROBE_BUSY_TIMEOUT_MS, this.#busyTimeoutMs)}`);
    try {
      return work();
    } finally {
      if (this.#db.open) this.#db.pragma(`busy_timeout = ${this.#busyTimeoutMs}`);
    }
  }
}
