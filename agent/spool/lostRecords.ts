/** Records `fromSeq`..`toSeq` (inclusive) are known lost: corrupt on disk, or unreadable as a record. */
export interface LostRange {
  fromSeq: number;
  toSeq: number;
}

/**
 * The unacknowledged records the spool knows it has lost (a corrupt stretch of a segment, a record whose body does
 * not parse) and has not yet counted durably. They stay indexed in their segments, so that the segment, and with it
 * the evidence, is deleted only once the lost records are acknowledged past, when the spool adds them to its
 * persisted `droppedRecords`; a restart before then finds them again and counts them afresh, never twice.
 */
export class LostRecordLedger {
  private ranges: LostRange[] = [];

  /** Records `fromSeq`..`toSeq` as lost; returns how many of them were not known yet. */
  add(fromSeq: number, toSeq: number): number {
    if (toSeq < fromSeq) return 0;
    // The ranges are disjoint, so the overlaps add up.
    const known = this.ranges.reduce((total, range) => total + Math.max(0, Math.min(range.toSeq, toSeq) - Math.max(range.fromSeq, fromSeq) + 1), 0);
    const added = toSeq - fromSeq + 1 - known;
    if (added === 0) return 0;
    this.ranges = merge([...this.ranges, { fromSeq, toSeq }]);
    return added;
  }

  /** Whether record `seq` is known lost. */
  has(seq: number): boolean {
    return this.ranges.some((range) => range.fromSeq <= seq && seq <= range.toSeq);
  }

  /** Whether any record in `fromSeq`..`toSeq` is known lost. */
  anyWithin(fromSeq: number, toSeq: number): boolean {
    return this.ranges.some((range) => range.fromSeq <= toSeq && fromSeq <= range.toSeq);
  }

  /** How many lost records are known. */
  count(): number {
    return this.ranges.reduce((total, range) => total + range.toSeq - range.fromSeq + 1, 0);
  }

  /** How many known lost records have seq ≤ `seq`. */
  countThrough(seq: number): number {
    return this.ranges.reduce((total, range) => total + Math.max(0, Math.min(range.toSeq, seq) - range.fromSeq + 1), 0);
  }

  /** Forgets the lost records with seq ≤ `seq` (acknowledged past: counted durably, or dropped with their segment). */
  forgetThrough(seq: number): void {
    this.ranges = this.ranges.filter((range) => range.toSeq > seq).map((range) => ({ fromSeq: Math.max(range.fromSeq, seq + 1), toSeq: range.toSeq }));
  }
}

function merge(ranges: LostRange[]): LostRange[] {
  const sorted = [...ranges].sort((a, b) => a.fromSeq - b.fromSeq);
  const merged: LostRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range.fromSeq <= last.toSeq + 1) last.toSeq = Math.max(last.toSeq, range.toSeq);
    else merged.push({ ...range });
  }
  return merged;
}
