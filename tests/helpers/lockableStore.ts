/**
 * A real SQLite store in a temp dir that a test can make fail for real: `lock()` opens a second connection to the
 * same file and holds `BEGIN EXCLUSIVE` (the database is in WAL mode, so reads still answer and every write waits
 * for the busy timeout, then fails with SQLITE_BUSY), `unlock()` rolls it back. The store's busy timeout is short so
 * a failing write costs the test little.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqliteMetadataStore } from "../../collector/store/sqlite.js";

/** See the file comment. */
export interface LockableStore {
  store: SqliteMetadataStore;
  file: string;
  /** Holds the write lock from another connection until {@link unlock}. */
  lock(): void;
  unlock(): void;
  /** Runs `sql` on a connection of its own (another writer, as a second process would be). */
  execElsewhere(sql: string): void;
  /** Unlocks, closes the store and removes the temp dir. */
  remove(): void;
}

/** Opens a {@link LockableStore} whose writes wait `busyTimeoutMs` for a lock (default 50 ms). */
export function lockableStore(busyTimeoutMs = 50): LockableStore {
  const dir = mkdtempSync(join(tmpdir(), "ww-lockable-"));
  const file = join(dir, "wardwatch.db");
  const store = SqliteMetadataStore.open(file, { busyTimeoutMs });
  let locker: Database.Database | null = null;
  const unlock = (): void => {
    if (!locker) return;
    locker.exec("ROLLBACK");
    locker.close();
    locker = null;
  };
  return {
    store,
    file,
    lock() {
      if (locker) return;
      locker = new Database(file);
      locker.exec("BEGIN EXCLUSIVE");
    },
    unlock,
    execElsewhere(sql) {
      const other = new Database(file);
      try {
        other.exec(sql);
      } finally {
        other.close();
      }
    },
    remove() {
      unlock();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
