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

/**
 * Reads records from the segment index, oldest first, starting in the segment that holds the wanted
 * seq and at the byte offset where a previous read started or stopped when it remembers one, so
 * repeated reads of a growing backlog cost about one pass over the data, not one pass per call.
 */
export class PendingRecordReader {
  private positions: ReadPosition[] = [];

  constructor(private readonly logger: SpoolLogger) {}

  /**
   * Up to `limit` records with seq ≥ `startSeq` from `segments` (oldest first). A record found corrupt
   * now although it was intact at open (a disk fault) ends its segment: the segment's `validBytes` and
   * `lastSeq` are cut back there (logged), which also stops appends to it, and reading goes on with the
   * next segment. Throws only on I/O errors.
   */
  read(segments: readonly SpoolSegment[], startSeq: number, limit: number): { seq: number; body: unknown }[] {
    const records: { seq: number; body: unknown }[] = [];
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
  private readSegment(segment: SpoolSegment, fromSeq: number, maxRecords: number, into: { seq: number; body: unknown }[]): void {
    const start = this.nearestPosition(segment, fromSeq);
    let expectedSeq = start.seq;
    let taken = 0;
    for (const entry of readSegmentEntries(segment.path, start.offset, segment.validBytes)) {
      if (entry.kind === "corrupt") {
        this.endSegmentAt(segment, entry.offset, expectedSeq - 1, entry.reason);
        return;
      }
      if (entry.seq !== expectedSeq) {
        this.endSegmentAt(segment, entry.offset, expectedSeq - 1, `seq ${entry.seq} where ${expectedSeq} was expected`);
        return;
      }
      expectedSeq += 1;
      if (entry.seq < fromSeq) continue;
      if (taken === 0) this.remember({ segmentFirstSeq: segment.firstSeq, seq: entry.seq, offset: entry.offset });
      into.push({ seq: entry.seq, body: entry.body });
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

  private endSegmentAt(segment: SpoolSegment, offset: number, lastGoodSeq: number, reason: string): void {
    this.logger.warn("spool found a corrupt record while reading; skipping the rest of that segment", { segment: segment.path, offset, reason });
    segment.validBytes = offset;
    segment.lastSeq = lastGoodSeq;
    this.positions = this.positions.filter((position) => position.segmentFirstSeq !== segment.firstSeq || position.offset <= offset);
  }
}
