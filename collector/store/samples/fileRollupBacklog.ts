import { chmodSync, closeSync, openSync } from "node:fs";
import Database from "better-sqlite3";
import { isSqliteUnavailable } from "../sqliteHealth.js";
import type { MarkedWindow, RollupBacklog, RollupWindow } from "./rollupBacklog.js";
import { SampleStoreUnavailableError, type RollupResolution } from "./sampleStore.js";
import { SqliteRollupBacklog, ensureRollupBacklogSchema } from "./sqliteRollupBacklog.js";

/** The InfluxDB store's rollup backlog file, in data_dir. */
export const INFLUX_ROLLUP_BACKLOG_FILE = "influxdb-rollup-backlog.db";

/**
 * How long a backlog statement waits for a lock, ms. Only this collector opens the file, so a lock is never expected;
 * better-sqlite3 waits on the event loop, so the wait stays short.
 */
const BUSY_TIMEOUT_MS = 1000;

/**
 * A rollup backlog in a SQLite file of its own (a {@link SqliteRollupBacklog} on `rollup_backlog`), for a sample store
 * whose engine cannot keep it (InfluxDB): marks survive a collector restart, so a window written but not yet rolled
 * up is still rolled up after it. Its own file, not the metadata store's wardwatch.db: a lock or an outage of one
 * never stalls the other's writes. The file is created owner-only (0600; its -wal and -shm take its mode).
 *
 * A failure of the file (disk full, I/O error, read-only) throws a {@link SampleStoreUnavailableError}: the write
 * that marked is then answered "store unavailable" and resent, and the resend marks again (writes are idempotent).
 */
export class FileRollupBacklog implements RollupBacklog {
  readonly #db: Database.Database;
  readonly #backlog: SqliteRollupBacklog;

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#backlog = new SqliteRollupBacklog(db);
  }

  /** Opens (or creates) the backlog file at `path`; its directory must exist. Throws when it cannot be opened. */
  static open(path: string): FileRollupBacklog {
    closeSync(openSync(path, "a", 0o600));
    chmodSync(path, 0o600);
    const db = new Database(path);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL"); // durable against a process crash under WAL, as the other stores
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      ensureRollupBacklogSchema(db);
      return new FileRollupBacklog(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  mark(windows: readonly RollupWindow[]): void {
    this.#guard(() => this.#backlog.mark(windows));
  }

  due(resolution: RollupResolution, closedByTs: number, limit: number): MarkedWindow[] {
    return this.#guard(() => this.#backlog.due(resolution, closedByTs, limit));
  }

  clear(window: MarkedWindow): void {
    this.#guard(() => this.#backlog.clear(window));
  }

  size(): number {
    return this.#guard(() => this.#backlog.size());
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** Runs `work`, turning "the file cannot be used now" into a {@link SampleStoreUnavailableError}. */
  #guard<T>(work: () => T): T {
    try {
      return work();
    } catch (err) {
      if (isSqliteUnavailable(err)) throw new SampleStoreUnavailableError(`the rollup backlog file cannot be used now: ${(err as Error).message}`, err);
      throw err;
    }
  }
}
