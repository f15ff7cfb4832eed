import type Database from "better-sqlite3";
import type { MarkedWindow, RollupBacklog, RollupWindow } from "./rollupBacklog.js";
import { ROLLUP_WINDOW_MS, type RollupResolution } from "./sampleStore.js";

/** Creates the `rollup_backlog` table and its index if missing, in any SQLite database. Idempotent. */
export function ensureRollupBacklogSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS rollup_backlog (
      resolution TEXT NOT NULL, site TEXT NOT NULL, kind TEXT NOT NULL, window_ts INTEGER NOT NULL, version INTEGER NOT NULL,
      PRIMARY KEY (resolution, site, kind, window_ts)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS rollup_backlog_due ON rollup_backlog (resolution, window_ts);
  `);
}

/**
 * The rollup backlog in a SQLite table (`rollup_backlog`, {@link ensureRollupBacklogSchema}), so marks survive a
 * restart: in samples.db, written in the same transaction as the samples that made them (sqlite.ts); in a file of its
 * own for the InfluxDB store (fileRollupBacklog.ts). Versions come from a counter kept in the table.
 */
export class SqliteRollupBacklog implements RollupBacklog {
  readonly #mark: Database.Statement;
  readonly #due: Database.Statement;
  readonly #clear: Database.Statement;
  readonly #size: Database.Statement;
  readonly #markAll: (windows: readonly RollupWindow[]) => void;

  constructor(db: Database.Database) {
    // The version is bumped on every mark, so a window marked while it was being recomputed stays marked.
    this.#mark = db.prepare(
      `INSERT INTO rollup_backlog (resolution, site, kind, window_ts, version) VALUES (?, ?, ?, ?, 1)
       ON CONFLICT (resolution, site, kind, window_ts) DO UPDATE SET version = version + 1`,
    );
    this.#due = db.prepare(
      `SELECT resolution, site, kind, window_ts AS windowTs, version FROM rollup_backlog
       WHERE resolution = ? AND window_ts <= ? ORDER BY window_ts LIMIT ?`,
    );
    this.#clear = db.prepare("DELETE FROM rollup_backlog WHERE resolution = ? AND site = ? AND kind = ? AND window_ts = ? AND version = ?");
    this.#size = db.prepare("SELECT COUNT(*) FROM rollup_backlog").pluck();
    this.#markAll = db.transaction((windows: readonly RollupWindow[]) => {
      for (const w of windows) this.#mark.run(w.resolution, w.site, w.kind, w.windowTs);
    });
  }

  /** Marks in one transaction (a savepoint when called inside the write's). */
  mark(windows: readonly RollupWindow[]): void {
    if (windows.length > 0) this.#markAll(windows);
  }

  due(resolution: RollupResolution, closedByTs: number, limit: number): MarkedWindow[] {
    return this.#due.all(resolution, closedByTs - ROLLUP_WINDOW_MS[resolution], limit) as MarkedWindow[];
  }

  clear(window: MarkedWindow): void {
    this.#clear.run(window.resolution, window.site, window.kind, window.windowTs, window.version);
  }

  size(): number {
    return this.#size.get() as number;
  }
}
