import { chmodSync, closeSync, openSync } from "node:fs";

/** SQLite's companions of a database file: the write-ahead log, its shared-memory index, a rollback journal. */
const COMPANION_SUFFIXES = ["-wal", "-shm", "-journal"] as const;

/**
 * Makes the database at `path` and its companions owner-only (0600) before SQLite opens it: creates the file 0600
 * when absent, and tightens the mode of the file and of any companion a run of an older version left readable.
 * SQLite creates `-wal`, `-shm` and `-journal` with the database file's own mode, so they are 0600 too. The database
 * holds token hashes and every site's measurements; nobody but the collector's user reads it. ':memory:' has no files.
 */
export function restrictDatabaseFiles(path: string): void {
  if (path === ":memory:" || path === "") return;
  closeSync(openSync(path, "a", 0o600));
  for (const file of [path, ...COMPANION_SUFFIXES.map((suffix) => `${path}${suffix}`)]) {
    try {
      chmodSync(file, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
}
