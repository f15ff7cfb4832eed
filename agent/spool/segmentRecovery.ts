import { closeSync, fdatasyncSync, ftruncateSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseSegmentFileName, readSegmentEntries } from "./segmentFile.js";
import type { LostRange, LostRecordLedger } from "./lostRecords.js";
import type { SpoolLogger } from "./spoolLogger.js";

/**
 * In-memory index entry of one segment file, which holds the seqs `firstSeq`..`lastSeq`. Records in
 * [0, `validBytes`) are intact and consecutive from `firstSeq`; when a corrupt record was found (`sealed`), the seqs
 * after the last intact one up to `lastSeq` are lost (known to the spool's {@link LostRecordLedger}) and the segment
 * is never appended to again. `fileBytes` is the file's size on disk.
 */
export interface SpoolSegment {
  path: string;
  firstSeq: number;
  lastSeq: number;
  validBytes: number;
  fileBytes: number;
  sealed?: boolean;
}

/** The recovered index, oldest first, and the seqs found lost in it (to be counted as dropped). */
export interface RecoveredSegments {
  segments: SpoolSegment[];
  lost: LostRange[];
}

/**
 * Rebuilds the segment index of spool directory `dir` after a restart, oldest first, reading every segment and
 * checking every record. `assignedSeq` is the highest seq the cursor says was handed out.
 * - A torn record at the end of the newest segment (a write cut short by a crash, its seq never handed out) is
 *   truncated away.
 * - A corrupt record in an older segment (or in the newest, past seqs the cursor says were handed out) ends the
 *   segment's readable part; the seqs from there to the next segment's first (or `assignedSeq`) are lost: the segment
 *   keeps them in its range, sealed, and they are returned in `lost`. The file is left as it is.
 * - Segments that hold no seq at all are deleted.
 * Each discard is logged as a warning. Never throws for bad data; throws only on I/O errors.
 */
export function recoverSegments(dir: string, logger: SpoolLogger, assignedSeq: number): RecoveredSegments {
  const candidates = readdirSync(dir)
    .map((name) => ({ name, namedFirstSeq: parseSegmentFileName(name) }))
    .filter((file): file is { name: string; namedFirstSeq: number } => file.namedFirstSeq !== null)
    .sort((a, b) => a.namedFirstSeq - b.namedFirstSeq);

  const segments: SpoolSegment[] = [];
  const lost: LostRange[] = [];
  candidates.forEach(({ name, namedFirstSeq }, index) => {
    const path = join(dir, name);
    const next = candidates[index + 1];
    const previousLastSeq = segments.at(-1)?.lastSeq ?? 0;
    const scan = scanSegment(path, previousLastSeq);
    const firstSeq = scan.recordCount > 0 ? scan.firstSeq : Math.max(namedFirstSeq, previousLastSeq + 1);
    const readableLastSeq = scan.recordCount > 0 ? scan.lastSeq : firstSeq - 1;
    // The last seq this file was meant to hold: up to the next file's first, or what the cursor says was handed out.
    const heldThrough = next ? next.namedFirstSeq - 1 : Math.max(readableLastSeq, assignedSeq);

    if (scan.corruption) {
      const meta = { segment: name, offset: scan.corruption.offset, reason: scan.corruption.reason, recordsKept: scan.recordCount };
      if (!next && heldThrough === readableLastSeq) {
        logger.warn("spool discarded a torn record at the end of its newest segment", { ...meta, bytesDiscarded: scan.fileBytes - scan.validBytes });
        truncateDurably(path, scan.validBytes);
        scan.fileBytes = scan.validBytes;
      } else {
        logger.warn("spool found a corrupt record in a segment; its remaining records are lost", { ...meta, lostRecords: heldThrough - readableLastSeq });
      }
    }
    const lostThrough = scan.corruption || !next ? heldThrough : readableLastSeq;
    if (lostThrough < firstSeq) {
      // Nothing readable and nothing lost: an empty file from a crash right after a roll.
      rmSync(path);
      logger.info("spool deleted a segment with no readable records", { segment: name, bytes: scan.fileBytes });
      return;
    }
    const segment: SpoolSegment = { path, firstSeq, lastSeq: lostThrough, validBytes: scan.validBytes, fileBytes: scan.fileBytes };
    if (lostThrough > readableLastSeq) {
      segment.sealed = true;
      lost.push({ fromSeq: readableLastSeq + 1, toSeq: lostThrough });
    }
    segments.push(segment);
  });
  return { segments, lost };
}

interface SegmentScan {
  recordCount: number;
  firstSeq: number;
  lastSeq: number;
  validBytes: number;
  fileBytes: number;
  corruption: { offset: number; reason: string } | null;
}

/** Reads a whole segment; seqs must exceed `previousLastSeq` and be consecutive, else that record counts as corrupt. */
function scanSegment(path: string, previousLastSeq: number): SegmentScan {
  const fileBytes = statSync(path).size;
  const scan: SegmentScan = { recordCount: 0, firstSeq: 0, lastSeq: 0, validBytes: 0, fileBytes, corruption: null };
  for (const entry of readSegmentEntries(path, 0, fileBytes)) {
    if (entry.kind === "corrupt") {
      scan.corruption = { offset: entry.offset, reason: entry.reason };
      break;
    }
    const inOrder = scan.recordCount === 0 ? entry.seq > previousLastSeq : entry.seq === scan.lastSeq + 1;
    if (!inOrder) {
      scan.corruption = { offset: entry.offset, reason: `seq ${entry.seq} out of order after ${scan.recordCount === 0 ? previousLastSeq : scan.lastSeq}` };
      break;
    }
    if (scan.recordCount === 0) scan.firstSeq = entry.seq;
    scan.lastSeq = entry.seq;
    scan.recordCount += 1;
    scan.validBytes = entry.nextOffset;
  }
  return scan;
}

/** Cuts a file to `bytes` and flushes the new length to disk. */
function truncateDurably(path: string, bytes: number): void {
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, bytes);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
