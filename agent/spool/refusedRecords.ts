import { closeSync, fdatasyncSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { fsyncDirectory } from "./fsyncDirectory.js";
import type { SpoolLogger } from "./spoolLogger.js";

/** Name of the file of records set aside, inside the spool directory. */
export const REFUSED_FILE_NAME = "refused.jsonl";

/** How many records set aside are kept by default (the newest). */
export const DEFAULT_REFUSED_KEPT = 1000;

/**
 * A record the collector refused and the agent set aside instead of resending: its seq, when it was set aside (UTC
 * ms, the agent's clock), the collector's stable `error` code and its `message`, and the record as it was sent.
 */
export interface SetAsideRecord {
  seq: number;
  refusedAt: number;
  error: string;
  message: string;
  record: unknown;
}

const lineSchema = z.strictObject({
  version: z.literal(1),
  /** The lifetime count of records set aside, this one included. */
  total: z.number().int().positive(),
  seq: z.number().int().nonnegative(),
  refusedAt: z.number().int().nonnegative(),
  error: z.string(),
  message: z.string(),
  record: z.unknown(),
});

type Line = z.infer<typeof lineSchema>;

/**
 * The records the collector refused, kept in the spool directory as `refused.jsonl`: one JSON line per record, appended
 * and fdatasync'ed, owner-only (0600). The newest `kept` are held; when the file holds twice as many it is rewritten
 * with the newest `kept` (temporary file, fsync, rename, directory fsync). Each line carries the lifetime total, so the
 * count survives restarts and rewrites. A missing file is an empty one; lines that do not parse (a torn write, a
 * corrupt disk) are skipped with one warning and the file is rewritten without them: never fatal.
 */
export class RefusedRecordStore {
  private lines: Line[];
  private fileLines: number;
  private count: number;

  private constructor(
    private readonly path: string,
    private readonly kept: number,
    lines: Line[],
  ) {
    this.lines = lines.slice(-kept);
    this.fileLines = lines.length;
    this.count = lines.reduce((most, line) => Math.max(most, line.total), 0);
  }

  /** Opens (or starts) the file in spool directory `dir`; throws only on I/O errors other than a missing file. */
  static open(options: { dir: string; kept?: number; logger: SpoolLogger }): RefusedRecordStore {
    const path = join(options.dir, REFUSED_FILE_NAME);
    const kept = options.kept ?? DEFAULT_REFUSED_KEPT;
    if (!Number.isSafeInteger(kept) || kept < 1) throw new RangeError(`refused records: kept must be a positive integer, got ${kept}`);
    const { lines, unreadable, tornTail } = readLines(path);
    const store = new RefusedRecordStore(path, kept, lines);
    if (unreadable > 0 || tornTail) {
      options.logger.warn("spool's file of refused records has unreadable lines; keeping the readable ones", { path, unreadableLines: unreadable, total: store.count });
      store.rewrite();
    }
    return store;
  }

  /**
   * Sets `records` aside, durably (on disk when this returns), and counts them. Throws on I/O errors; the records
   * are then still counted and held in memory.
   */
  setAside(records: readonly SetAsideRecord[]): void {
    if (records.length === 0) return;
    const lines = records.map((record) => ({ version: 1 as const, total: ++this.count, ...record }));
    this.lines = [...this.lines, ...lines].slice(-this.kept);
    if (this.fileLines + lines.length > 2 * this.kept) {
      this.rewrite();
      return;
    }
    const fd = openSync(this.path, "a", 0o600);
    try {
      writeFully(fd, Buffer.from(lines.map((line) => `${JSON.stringify(line)}\n`).join(""), "utf8"));
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.fileLines += lines.length;
  }

  /** How many records have been set aside since the spool directory was created. */
  total(): number {
    return this.count;
  }

  /** The newest `limit` records set aside, newest first. */
  recent(limit: number): SetAsideRecord[] {
    return this.lines
      .slice(-limit)
      .reverse()
      .map(({ seq, refusedAt, error, message, record }) => ({ seq, refusedAt, error, message, record }));
  }

  /** Replaces the file by the lines held, atomically and durably. */
  private rewrite(): void {
    const temp = `${this.path}.tmp`;
    const fd = openSync(temp, "w", 0o600);
    try {
      writeFully(fd, Buffer.from(this.lines.map((line) => `${JSON.stringify(line)}\n`).join(""), "utf8"));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
    fsyncDirectory(join(this.path, ".."));
    this.fileLines = this.lines.length;
  }
}

/** The file's lines that parse, how many did not, and whether the last one was cut short (no newline). */
function readLines(path: string): { lines: Line[]; unreadable: number; tornTail: boolean } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { lines: [], unreadable: 0, tornTail: false };
    throw err;
  }
  const lines: Line[] = [];
  let unreadable = 0;
  const parts = text.split("\n");
  const tornTail = parts.at(-1) !== "";
  for (const part of parts) {
    if (part === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(part);
    } catch {
      unreadable++;
      continue;
    }
    const parsed = lineSchema.safeParse(json);
    if (parsed.success) lines.push(parsed.data);
    else unreadable++;
  }
  return { lines, unreadable, tornTail };
}

function writeFully(fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written);
}
