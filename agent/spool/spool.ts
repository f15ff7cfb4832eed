import { mkdirSync, rmSync } from "node:fs";
import { EMPTY_SPOOL_CURSOR, readSpoolCursor, removeStaleCursorTemp, writeSpoolCursor } from "./cursor.js";
import { LostRecordLedger } from "./lostRecords.js";
import { PendingRecordReader, type SpoolBodyParser } from "./pendingReader.js";
import { SegmentAppender } from "./segmentAppender.js";
import { encodeRecord } from "./segmentFile.js";
import { recoverSegments, type SpoolSegment } from "./segmentRecovery.js";
import { planSegmentWrites } from "./segmentWritePlan.js";
import { silentSpoolLogger, type SpoolLogger } from "./spoolLogger.js";
import { validateSpoolOptions, type SpoolOptions } from "./spoolOptions.js";

export type { SpoolLogger } from "./spoolLogger.js";
export type { SpoolBodyParser } from "./pendingReader.js";
export type { SpoolOptions } from "./spoolOptions.js";

/** One spooled record: the agent-assigned sequence number and the body. */
export interface SpoolRecord<T = unknown> {
  seq: number;
  body: T;
}

/**
 * A snapshot of the spool's accounting.
 * - `pendingRecords`: records on disk not yet acknowledged (and not known lost); `droppedRecords`: unacknowledged
 *   records discarded because the spool was full, lost in a corrupt segment or unreadable as a record, since the spool
 *   directory was created (survives restarts).
 * - `bytes`: total size of the segment files, bytes; `segments`: how many segment files there are.
 * - `ackedSeq`: every seq ≤ this is acknowledged or dropped; `lastSeq`: the last seq assigned (0: none yet).
 */
export interface SpoolStats {
  pendingRecords: number;
  droppedRecords: number;
  bytes: number;
  ackedSeq: number;
  lastSeq: number;
  segments: number;
}

/**
 * The agent's durable on-disk queue of samples awaiting delivery to the collector. Records get
 * consecutive seqs (1, 2, …, never reused), are fdatasync'ed before {@link Spool.append} returns, are
 * read oldest first by {@link Spool.readPending} and removed from disk by {@link Spool.ack} once the
 * collector stored them. Survives crashes (see docs/spool.md). Synchronous; for one process at a time.
 */
export class Spool<T = unknown> {
  private segments: SpoolSegment[];
  private readonly appender: SegmentAppender;
  private readonly pendingReader: PendingRecordReader<T>;
  /** Lost records not yet acknowledged past; `droppedRecords` counts only those that are (it is what the cursor holds). */
  private readonly lost = new LostRecordLedger();
  private closed = false;

  private constructor(
    private readonly options: SpoolOptions<T>,
    private readonly logger: SpoolLogger,
    segments: SpoolSegment[],
    private ackedSeq: number,
    private lastSeq: number,
    private droppedRecords: number,
  ) {
    this.segments = segments;
    this.appender = new SegmentAppender(options.dir, logger);
    const parseBody = options.parseBody ?? ((_seq: number, body: unknown) => ({ ok: true as const, value: body as T }));
    this.pendingReader = new PendingRecordReader(logger, parseBody, this.lost);
  }

  /**
   * Opens the spool in `options.dir`, creating the directory if needed, and recovers its state: the ack
   * cursor, the segment index, torn records truncated away (logged), records lost in corrupt segments
   * counted as dropped, fully acknowledged segments deleted and the size bound applied. An unreadable
   * cursor is logged and the spool starts from what is on disk. Throws RangeError on invalid options and
   * on I/O errors.
   */
  static open<T = unknown>(options: SpoolOptions<T>): Spool<T> {
    validateSpoolOptions(options);
    const logger = options.logger ?? silentSpoolLogger;
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    removeStaleCursorTemp(options.dir, logger);
    const cursor = readSpoolCursor(options.dir, logger) ?? EMPTY_SPOOL_CURSOR;
    const { segments, lost } = recoverSegments(options.dir, logger, cursor.lastSeq);
    const lastSeq = Math.max(cursor.lastSeq, cursor.ackedSeq, segments.at(-1)?.lastSeq ?? 0);
    const spool = new Spool<T>(options, logger, segments, cursor.ackedSeq, lastSeq, cursor.droppedRecords);
    const lostRecords = lost.reduce((total, range) => total + spool.lost.add(Math.max(range.fromSeq, cursor.ackedSeq + 1), range.toSeq), 0);
    if (lostRecords > 0) logger.warn("spool counts records lost in corrupt segments as dropped", { lostRecords });
    spool.deleteAcknowledgedSegments();
    spool.enforceSizeBound();
    logger.info("spool opened", { dir: options.dir, ...spool.stats() });
    return spool;
  }

  /**
   * Writes `bodies` as records with the next consecutive seqs and returns them in order. All of them are
   * on stable storage (fdatasync) when this returns; on any error nothing is appended and no seq is used.
   * Bodies must be JSON-serialisable (TypeError otherwise); they are read back as their JSON round trip,
   * through `parseBody`.
   * May drop the oldest segments afterwards to stay within `maxBytes`.
   */
  append(bodies: unknown[]): SpoolRecord[] {
    this.assertOpen();
    if (bodies.length === 0) return [];
    const firstSeq = this.lastSeq + 1;
    const frames = bodies.map((body, index) => encodeRecord(firstSeq + index, body));
    const writes = planSegmentWrites(frames, firstSeq, this.appendableSegment(), this.options.segmentBytes);
    this.appender.write(writes, this.segments);
    this.lastSeq = firstSeq + bodies.length - 1;
    this.enforceSizeBound();
    return bodies.map((body, index) => ({ seq: firstSeq + index, body }));
  }

  /**
   * Up to `limit` unacknowledged records (seq > ackedSeq), oldest first, parsed (a record that does not
   * parse is skipped, logged once and counted as dropped). Does not consume them: until
   * {@link Spool.ack}, the same records are returned again. Reads only from the segment holding the
   * oldest pending record onwards, resuming at a remembered byte offset when it can.
   */
  readPending(limit: number): SpoolRecord<T>[] {
    this.assertOpen();
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`readPending: limit must be a non-negative integer, got ${limit}`);
    return this.pendingReader.read(this.segments, this.ackedSeq + 1, limit);
  }

  /**
   * Acknowledges every record with seq ≤ `lastSeq`: persists the cursor durably, then deletes segments
   * that hold only acknowledged records. An ack at or below the current ackedSeq is a no-op; one beyond
   * the last assigned seq is clamped to it (logged). Throws RangeError for a non-integer, and on I/O
   * errors writing the cursor (the previous ack then still stands).
   */
  ack(lastSeq: number): void {
    this.assertOpen();
    if (!Number.isSafeInteger(lastSeq)) throw new RangeError(`ack: seq must be an integer, got ${lastSeq}`);
    if (lastSeq <= this.ackedSeq) return;
    let ackedSeq = lastSeq;
    if (ackedSeq > this.lastSeq) {
      this.logger.warn("spool ack beyond the last assigned seq; clamping", { ackSeq: lastSeq, lastSeq: this.lastSeq });
      ackedSeq = this.lastSeq;
      if (ackedSeq <= this.ackedSeq) return;
    }
    // Lost records acknowledged past are counted durably now, in the same cursor.
    const droppedRecords = this.droppedRecords + this.lost.countThrough(ackedSeq);
    writeSpoolCursor(this.options.dir, { ackedSeq, lastSeq: this.lastSeq, droppedRecords });
    this.ackedSeq = ackedSeq;
    this.droppedRecords = droppedRecords;
    this.lost.forgetThrough(ackedSeq);
    this.deleteAcknowledgedSegments();
  }

  /** The spool's current accounting; see {@link SpoolStats}. */
  stats(): SpoolStats {
    let pendingRecords = 0;
    let bytes = 0;
    for (const segment of this.segments) {
      pendingRecords += Math.max(0, segment.lastSeq - Math.max(this.ackedSeq, segment.firstSeq - 1));
      bytes += segment.fileBytes;
    }
    const lostRecords = this.lost.count();
    return { pendingRecords: pendingRecords - lostRecords, droppedRecords: this.droppedRecords + lostRecords, bytes, ackedSeq: this.ackedSeq, lastSeq: this.lastSeq, segments: this.segments.length };
  }

  /** Closes the open segment file. Idempotent; afterwards only {@link Spool.stats} may be called. */
  close(): void {
    this.appender.close();
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("spool is closed");
  }

  /** The newest segment, if appends may still go into it (not full, no corrupt bytes at its end). */
  private appendableSegment(): SpoolSegment | null {
    const newest = this.segments.at(-1);
    if (!newest || newest.sealed || newest.validBytes !== newest.fileBytes || newest.fileBytes >= this.options.segmentBytes) return null;
    return newest;
  }

  /** Deletes segments holding only acknowledged records; a file that cannot be deleted stays indexed (logged) and is retried later. */
  private deleteAcknowledgedSegments(): void {
    const kept: SpoolSegment[] = [];
    for (const segment of this.segments) {
      if (segment.lastSeq > this.ackedSeq) {
        kept.push(segment);
        continue;
      }
      this.appender.closeIfWriting(segment);
      try {
        rmSync(segment.path, { force: true });
      } catch (err) {
        this.logger.warn("spool could not delete an acknowledged segment", { segment: segment.path, err: (err as Error).message });
        kept.push(segment);
      }
    }
    this.segments = kept;
    this.pendingReader.retainSegments(kept);
  }

  /**
   * While the segment files exceed `maxBytes`, drops the oldest segments except the newest one,
   * counting their unacknowledged records as dropped and moving ackedSeq past them. Never throws: if the
   * cursor cannot be written, nothing is dropped now (logged) and the next append tries again.
   */
  private enforceSizeBound(): void {
    let bytes = this.segments.reduce((total, segment) => total + segment.fileBytes, 0);
    const doomed: SpoolSegment[] = [];
    while (bytes > this.options.maxBytes && doomed.length < this.segments.length - 1) {
      const oldest = this.segments[doomed.length]!;
      doomed.push(oldest);
      bytes -= oldest.fileBytes;
    }
    const newestDoomed = doomed.at(-1);
    if (!newestDoomed) return;
    const ackedSeq = Math.max(this.ackedSeq, newestDoomed.lastSeq);
    const dropped = doomed.reduce((total, segment) => total + Math.max(0, segment.lastSeq - Math.max(this.ackedSeq, segment.firstSeq - 1)), 0);
    try {
      writeSpoolCursor(this.options.dir, { ackedSeq, lastSeq: this.lastSeq, droppedRecords: this.droppedRecords + dropped });
    } catch (err) {
      this.logger.warn("spool is over its size bound but could not persist the drop", { dir: this.options.dir, err: (err as Error).message });
      return;
    }
    this.ackedSeq = ackedSeq;
    this.droppedRecords += dropped;
    // The doomed segments' lost records are in `dropped` already.
    this.lost.forgetThrough(ackedSeq);
    this.logger.warn("spool full; dropped its oldest records", {
      dir: this.options.dir,
      segmentsDropped: doomed.length,
      droppedRecords: dropped,
      totalDroppedRecords: this.droppedRecords,
      ackedSeq,
      maxBytes: this.options.maxBytes,
    });
    this.deleteAcknowledgedSegments();
  }
}
