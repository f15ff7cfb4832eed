import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fsyncDirectory } from "./fsyncDirectory.js";
import { segmentFileName } from "./segmentFile.js";
import type { SpoolSegment } from "./segmentRecovery.js";
import type { SegmentWrite } from "./segmentWritePlan.js";
import type { SpoolLogger } from "./spoolLogger.js";

/**
 * The spool's durable appends to its segment files in `dir`: writes each planned segment write, fdatasyncs it (and
 * the directory when a segment file is new), keeps the newest segment's file open for the next append, and undoes a
 * failed append so that nothing half-written is indexed.
 */
export class SegmentAppender {
  private writer: { segment: SpoolSegment; fd: number } | null = null;

  constructor(
    private readonly dir: string,
    private readonly logger: SpoolLogger,
  ) {}

  /**
   * Writes and fdatasyncs every planned write, then updates `segments` (the spool's index, oldest first: new segments
   * are pushed onto it); on error undoes the writes, leaves `segments` as it was and rethrows.
   */
  write(writes: SegmentWrite[], segments: SpoolSegment[]): void {
    const opened: { write: SegmentWrite; segment: SpoolSegment; fd: number }[] = [];
    try {
      for (const write of writes) {
        const target = write.existing ? { segment: write.existing, fd: this.writerFd(write.existing) } : this.createSegment(write.firstSeq);
        opened.push({ write, ...target });
        writeFully(target.fd, Buffer.concat(write.frames, write.frameBytes));
        fdatasyncSync(target.fd);
      }
      if (opened.some(({ write }) => !write.existing)) fsyncDirectory(this.dir);
    } catch (err) {
      this.undoWrites(opened);
      throw err;
    }
    for (const { write, segment, fd } of opened) {
      segment.lastSeq = write.lastSeq;
      segment.fileBytes += write.frameBytes;
      segment.validBytes += write.frameBytes;
      if (!write.existing) segments.push(segment);
      if (this.writer?.fd === fd) continue;
      this.close();
      this.writer = { segment, fd };
    }
  }

  /** Closes the open file if it is `segment`'s (before the segment is deleted). */
  closeIfWriting(segment: SpoolSegment): void {
    if (this.writer?.segment === segment) this.close();
  }

  /** Closes the open segment file, if any. */
  close(): void {
    if (!this.writer) return;
    closeSync(this.writer.fd);
    this.writer = null;
  }

  /** Best-effort undo of a failed append: new segment files removed, the existing one cut back. Never throws. */
  private undoWrites(opened: { write: SegmentWrite; segment: SpoolSegment; fd: number }[]): void {
    for (const { write, segment, fd } of opened) {
      if (write.existing) {
        try {
          ftruncateSync(fd, segment.fileBytes);
        } catch (err) {
          // Could not cut back: count the unknown tail as corrupt bytes so nothing is appended after it.
          this.logger.warn("spool could not undo a failed append", { segment: segment.path, err: (err as Error).message });
          segment.fileBytes = safeFileSize(fd) ?? segment.fileBytes + write.frameBytes;
          this.close();
        }
        continue;
      }
      try {
        closeSync(fd);
        rmSync(segment.path, { force: true });
      } catch (err) {
        this.logger.warn("spool could not remove a segment of a failed append", { segment: segment.path, err: (err as Error).message });
      }
    }
  }

  private writerFd(segment: SpoolSegment): number {
    if (this.writer?.segment === segment) return this.writer.fd;
    this.close();
    this.writer = { segment, fd: openSync(segment.path, "a") };
    return this.writer.fd;
  }

  private createSegment(firstSeq: number): { segment: SpoolSegment; fd: number } {
    const path = join(this.dir, segmentFileName(firstSeq));
    const fd = openSync(path, "ax", 0o600);
    return { segment: { path, firstSeq, lastSeq: firstSeq - 1, validBytes: 0, fileBytes: 0 }, fd };
  }
}

function writeFully(fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written);
}

function safeFileSize(fd: number): number | null {
  try {
    return fstatSync(fd).size;
  } catch {
    return null;
  }
}
