import { closeSync, fdatasyncSync, ftruncateSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseSegmentFileName, readSegmentEntries } from "./segmentFile.js";
import type { SpoolLogger } from "./spoolLogger.js";

/**
 * In-memory index entry of one segment file. Records in [0, `validBytes`) are intact and have the
 * consecutive seqs `firstSeq`..`lastSeq` (`lastSeq` = `firstSeq` − 1 if a later read found the first
 * record corrupt). `fileBytes` is the file's size on disk; it exceeds `validBytes` only when a corrupt
 * record was found, and such a segment is never appended to again.
 */
export interface SpoolSegment {
  path: string;
  firstSeq: number;
  lastSeq: number;
  validBytes: number;
  fileBytes: number;
}

/**
 * Rebuilds the segment index of spool directory `dir` after a restart, oldest first, reading every
 * segment and checking every record. A torn or corrupt record in the last segment (a write cut short
 * by a crash) is truncated away; in an older segment, reading of that segment stops there and the file
 * is left as it is. Segments with no readable record are deleted. Each discard is logged as a warning.
 * Never throws for bad data; throws only on I/O errors.
 */
export function recoverSegments(dir: string, logger: SpoolLogger): SpoolSegment[] {
  const candidates = readdirSync(dir)
    .map((name) => ({ name, namedFirstSeq: parseSegmentFileName(name) }))
    .filter((file): file is { name: string; namedFirstSeq: number } => file.namedFirstSeq !== null)
    .sort((a, b) => a.namedFirstSeq - b.namedFirstSeq);

  const segments: SpoolSegment[] = [];
  candidates.forEach(({ name }, index) => {
    const path = join(dir, name);
    const isNewest = index === candidates.length - 1;
    const previousLastSeq = segments.at(-1)?.lastSeq ?? 0;
    const scan = scanSegment(path, previousLastSeq);

    if (scan.corruption) {
      const meta = { segment: name, offset: scan.corruption.offset, reason: scan.corruption.reason, recordsKept: scan.recordCount };
      if (isNewest) {
        logger.warn("spool discarded a torn record at the end of its newest segment", { ...meta, bytesDiscarded: scan.fileBytes - scan.validBytes });
        truncateDurably(path, scan.validBytes);
        scan.fileBytes = scan.validBytes;
      } else {
        logger.warn("spool found a corrupt record in an older segment; skipping the rest of that segment", meta);
      }
    }
    if (scan.recordCount === 0) {
      // Nothing readable: an empty file from a crash right after a roll, or a segment corrupt from its first record.
      rmSync(path);
      logger.info("spool deleted a segment with no readable records", { segment: name, bytes: scan.fileBytes });
      return;
    }
    segments.push({ path, firstSeq: scan.firstSeq, lastSeq: scan.lastSeq, validBytes: scan.validBytes, fileBytes: scan.fileBytes });
  });
  return segments;
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
