import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { fsyncDirectory } from "./fsyncDirectory.js";
import type { SpoolLogger } from "./spoolLogger.js";

/** Name of the cursor file inside the spool directory. */
export const CURSOR_FILE_NAME = "cursor.json";

/** Name of the temporary file a new cursor is written to before it is renamed over the cursor file. */
export const CURSOR_TEMP_FILE_NAME = "cursor.json.tmp";

const cursorFileSchema = z.strictObject({
  version: z.literal(1),
  ackedSeq: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  droppedRecords: z.number().int().nonnegative(),
});

/**
 * The spool's persisted progress.
 * - `ackedSeq`: every record with seq ≤ this is acknowledged (or dropped) and never read again.
 * - `lastSeq`: the highest seq ever assigned when the cursor was written, so seqs keep increasing
 *   even when every segment has been deleted.
 * - `droppedRecords`: unacknowledged records discarded because the spool was full, lost in a corrupt segment or
 *   unreadable as a record, since the spool was created.
 */
export interface SpoolCursor {
  ackedSeq: number;
  lastSeq: number;
  droppedRecords: number;
}

/** The cursor of a spool that has never acknowledged, assigned or dropped anything. */
export const EMPTY_SPOOL_CURSOR: SpoolCursor = Object.freeze({ ackedSeq: 0, lastSeq: 0, droppedRecords: 0 });

/** What the agent does without a cursor, said in every warning about an unreadable one. */
const WITHOUT_CURSOR =
  "starting from the records on disk: they are sent again, seqs go on after the newest one on disk (from 1 when there is none) and the dropped count starts again from 0";

/**
 * Reads the cursor file of spool directory `dir`. Returns null when there is none, and also when it cannot
 * be read or is unreadable as a cursor (logged as a warning saying so and what follows): the caller then
 * starts from {@link EMPTY_SPOOL_CURSOR} and re-sends what is still on disk. Seqs may then start again; the
 * collector identifies samples by (site, link, probe, ts), so a re-sent sample is a duplicate and a
 * restarted seq is not. Never throws.
 */
export function readSpoolCursor(dir: string, logger: SpoolLogger): SpoolCursor | null {
  const path = join(dir, CURSOR_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    logger.warn(`spool cursor cannot be read; ${WITHOUT_CURSOR}`, { path, err: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    logger.warn(`spool cursor is not valid JSON; ${WITHOUT_CURSOR}`, { path, err: (err as Error).message });
    return null;
  }
  const parsed = cursorFileSchema.safeParse(json);
  if (!parsed.success) {
    logger.warn(`spool cursor has an unexpected shape; ${WITHOUT_CURSOR}`, { path, issues: parsed.error.issues.map((issue) => issue.message) });
    return null;
  }
  const { ackedSeq, lastSeq, droppedRecords } = parsed.data;
  return { ackedSeq, lastSeq, droppedRecords };
}

/**
 * Replaces the cursor of spool directory `dir` atomically and durably: writes a temporary file,
 * fsyncs it, renames it over the cursor file and fsyncs the directory. After a crash at any point
 * the cursor file holds either the old or the new cursor. Throws on I/O errors (the old cursor stays).
 */
export function writeSpoolCursor(dir: string, cursor: SpoolCursor): void {
  const tempPath = join(dir, CURSOR_TEMP_FILE_NAME);
  const content = Buffer.from(`${JSON.stringify({ version: 1, ...cursor })}\n`, "utf8");
  const fd = openSync(tempPath, "w", 0o600);
  try {
    let written = 0;
    while (written < content.length) written += writeSync(fd, content, written, content.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tempPath, join(dir, CURSOR_FILE_NAME));
  fsyncDirectory(dir);
}

/**
 * Removes a temporary cursor file left by a crash during {@link writeSpoolCursor}. Such a file may be
 * partial; the cursor file itself still holds the last complete cursor, so the temporary one is discarded.
 */
export function removeStaleCursorTemp(dir: string, logger: SpoolLogger): void {
  const tempPath = join(dir, CURSOR_TEMP_FILE_NAME);
  try {
    rmSync(tempPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  logger.info("spool removed a stale temporary cursor file", { path: tempPath });
}
