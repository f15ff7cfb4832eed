import type { SpoolSegment } from "./segmentRecovery.js";

/**
 * The records of one append that go into one segment file: either the existing segment `existing`
 * (appended at its end) or, when `existing` is null, a new segment whose first record is `firstSeq`.
 * `frames` are encoded records with seqs `firstSeq`..`lastSeq`; `frameBytes` is their total size in bytes.
 */
export interface SegmentWrite {
  existing: SpoolSegment | null;
  firstSeq: number;
  lastSeq: number;
  frames: Buffer[];
  frameBytes: number;
}

/**
 * Splits one append's encoded records (`frames`, seqs from `firstSeq`) over segments: records go to
 * `appendable` (the newest segment, when it may still grow) until a segment has reached `segmentBytes`,
 * then to a new segment. A segment may end above `segmentBytes` by at most one record, and a record
 * larger than `segmentBytes` gets a segment of its own. Pure: touches no file.
 */
export function planSegmentWrites(frames: Buffer[], firstSeq: number, appendable: SpoolSegment | null, segmentBytes: number): SegmentWrite[] {
  const writes: SegmentWrite[] = [];
  let current: SegmentWrite | null = null;
  let currentSegmentBytes = 0;
  if (appendable && appendable.fileBytes < segmentBytes) {
    current = { existing: appendable, firstSeq, lastSeq: firstSeq - 1, frames: [], frameBytes: 0 };
    currentSegmentBytes = appendable.fileBytes;
    writes.push(current);
  }
  for (const [index, frame] of frames.entries()) {
    const seq = firstSeq + index;
    if (!current || currentSegmentBytes >= segmentBytes) {
      current = { existing: null, firstSeq: seq, lastSeq: seq - 1, frames: [], frameBytes: 0 };
      currentSegmentBytes = 0;
      writes.push(current);
    }
    current.frames.push(frame);
    current.frameBytes += frame.length;
    current.lastSeq = seq;
    currentSegmentBytes += frame.length;
  }
  return writes;
}
