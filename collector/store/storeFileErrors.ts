import Database from "better-sqlite3";

/** Which of the collector's two stores a file is (docs/storage.md): `metadata` (wardwatch.db) or `samples`. */
export type StoreRole = "metadata" | "samples";

/** What to do about a damaged file of each store, for the operator reading the start-up error. */
const DAMAGED_ADVICE = {
  samples: "restore it from a backup or move it aside to start with an empty history",
  metadata: "restore it from a backup (moved aside, the collector starts without its site tokens, link states and incidents)",
} as const satisfies Record<StoreRole, string>;

/**
 * A store's file could not be opened or read at start. The message names the store's role and its file, and for a
 * damaged file (not a database, malformed) what to do: "samples store /var/lib/wardwatch/samples.db: file is not a
 * database; restore it from a backup or move it aside to start with an empty history".
 */
export class StoreFileError extends Error {
  constructor(
    readonly role: StoreRole,
    readonly file: string,
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${role} store ${file}: ${reason}${isSqliteDamaged(cause) ? `; ${DAMAGED_ADVICE[role]}` : ""}`);
    this.name = "StoreFileError";
  }
}

/** Whether `err` (from better-sqlite3) says the file is damaged: SQLITE_CORRUPT, SQLITE_NOTADB (and their extended codes). */
export function isSqliteDamaged(err: unknown): boolean {
  return err instanceof Database.SqliteError && /^SQLITE_(CORRUPT|NOTADB)(_|$)/.test(err.code);
}

/** Runs `open` (a store's opening at start); an error it throws becomes a {@link StoreFileError} naming `role` and `file`. */
export function openingStoreFile<T>(role: StoreRole, file: string, open: () => T): T {
  try {
    return open();
  } catch (err) {
    throw err instanceof StoreFileError ? err : new StoreFileError(role, file, err);
  }
}
