import type { LostRecordLedger } from "./lostRecords.js";
import { readSegmentEntries } from "./segmentFile.js";
import type { SpoolSegment } from "./segmentRecovery.js";
import type { SpoolLogger } from "./spoolLogger.js";

/** "Record `seq` starts at byte `offset` of the segment whose first seq is `segmentFirstSeq`." */
interface ReadPosition {
  segmentFirstSeq: number;
  seq: number;
  offset: number;
}

// Enough for the uplink's pattern: re-read the same batch after a failed push, or move on after an ack.
const REMEMBERED_READ_POSITIONS = 4;

/** What a body parser says of one record read back from disk: the parsed value, or why it is not one. */
export type BodyParse<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Parses the body of record `seq` as read back from disk into the spool's record type; never throws. */
export type SpoolBodyParser<T> = (seq: number, body: unknown) => BodyParse<T>;

/**
 * Reads records from the segment index, oldest first, starting in the segment that holds the wanted
 * seq and at the byte offset where a previous read started or stopped when it remembers one, so
 * repeated reads of a growing backlog cost about one pass over the data, not one pass per call.
 */
export class PendingRecordReader<T> {
  private positions: ReadPosition[] = [];

  constructor(
    private readonly logger: SpoolLogger,
    private readonly parseBody: SpoolBodyParser<T>,
    private readonly lost: LostRecordLedger,
  ) {}

  /**
   * Up to `limit` records with seq ≥ `startSeq` from `segments` (oldest first), each body parsed. A record whose body
   * does not parse is skipped and recorded in the ledger of lost records (logged once). A record found corrupt now
   * although it was intact at open (a disk fault) ends its segment's readable part: `validBytes` is cut back there,
   * the segment is sealed (no more appends), the rest of its seqs are recorded as lost (logged), and reading goes on
   * with the next segment. Throws only on I/O errors.
   */
  read(segments: readonly SpoolSegment[], startSeq: number, limit: number): { seq: number; body: T }[] {
    const records: { seq: number; body: T }[] = [];
    for (const segment of segments) {
      if (records.length >= limit) break;
      if (segment.lastSeq < startSeq) continue;
      this.readSegment(segment, Math.max(startSeq, segment.firstSeq), limit - records.length, records);
    }
    return records;
  }

  /** Forgets remembered positions in segments no longer in `segments` (deleted). */
  retainSegments(segments: readonly SpoolSegment[]): void {
    this.positions = this.positions.filter((position) => segments.some((segment) => segment.firstSeq === position.segmentFirstSeq));
  }

  /** Appends to `into` up to `maxRecords` records of `segment` from seq `fromSeq` on. */
  private readSegment(segment: SpoolSegment, fromSeq: number, maxRecords: number, into: { seq: number; body: T }[]): void {
    const start = this.nearestPosition(segment, fromSeq);
    let expectedSeq = start.seq;
    let taken = 0;
    for (const entry of readSegmentEntries(segment.path, start.offset, segment.validBytes)) {
      if (entry.kind === "corrupt") {
        this.endSegmentAt(segment, entry.offset, expectedSeq - 1, fromSeq, entry.reason);
        return;
      }
      if (entry.seq !== expectedSeq) {
        this.endSegmentAt(segment, entry.offset, expectedSeq - 1, fromSeq, `seq ${entry.seq} where ${expectedSeq} was expected`);
        return;
      }
      expectedSeq += 1;
      if (entry.seq < fromSeq || this.lost.has(entry.seq)) continue;
      const parsed = this.parseBody(entry.seq, entry.body);
      if (!parsed.ok) {
        this.lost.add(entry.seq, entry.seq);
        this.logger.warn("spool record is not a valid record; dropped", { segment: segment.path, seq: entry.seq, reason: parsed.reason });
        continue;
      }
      if (taken === 0) this.remember({ segmentFirstSeq: segment.firstSeq, seq: entry.seq, offset: entry.offset });
      into.push({ seq: entry.seq, body: parsed.value });
      taken += 1;
      if (taken === maxRecords) {
        this.remember({ segmentFirstSeq: segment.firstSeq, seq: entry.seq + 1, offset: entry.nextOffset });
        return;
      }
    }
  }

  /** The remembered position in `segment` closest before `seq`, or the segment's start. */
  private nearestPosition(segment: SpoolSegment, seq: number): ReadPosition {
    let best: ReadPosition = { segmentFirstSeq: segment.firstSeq, seq: segment.firstSeq, offset: 0 };
    for (const position of this.positions) {
      if (position.segmentFirstSeq === segment.firstSeq && position.seq <= seq && position.seq > best.seq) best = position;
    }
    return best;
  }

  private remember(position: ReadPosition): void {
    const others = this.positions.filter((kept) => kept.segmentFirstSeq !== position.segmentFirstSeq || kept.offset !== position.offset);
    this.positions = [...others, position].slice(-REMEMBERED_READ_POSITIONS);
  }

  private endSegmentAt(segment: SpoolSegment, offset: number, lastGoodSeq: number, fromSeq: number, reason: string): void {
    // Seqs below fromSeq are acknowledged already: not lost.
    const lostRecords = this.lost.add(Math.max(lastGoodSeq + 1, fromSeq), segment.lastSeq);
    this.logger.warn("spool found a corrupt record while reading; the rest of that segment is lost", { segment: segment.path, offset, reason, lostRecords });
    segment.validBytes = offset;
    segment.sealed = true;
    this.positions = this.positions.filter((position) => position.segmentFirstSeq !== segment.firstSeq || position.offset <= offset);
  }
}
