import { statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Spool } from "../../../agent/spool/spool.js";
import { makeTempDir, numberedBodies, range, recordingLogger, segmentFiles, seqsOf } from "./spoolFixtures.js";

// vi.mock is hoisted above the imports, so the spool is loaded with this fs.
// Every fs call the spool makes is recorded (and can be made to fail) so the tests can check what
// reaches the disk, in which order, and how much is read.
const fsCalls = vi.hoisted(() => ({
  log: [] as { call: string; fd?: number; path?: string; flags?: string; bytes?: number; sizeOnDisk?: number }[],
  /** When set, the writeSync call this many calls from now throws ENOSPC (1: the next one). */
  failWriteInCalls: null as number | null,
}));

vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  const pathOfFd = new Map<number, string>();
  const wrapped = {
    ...actual,
    openSync: (path: string, flags?: string, mode?: number) => {
      const fd = actual.openSync(path, flags ?? "r", mode);
      pathOfFd.set(fd, path);
      fsCalls.log.push({ call: "open", fd, path, flags: flags ?? "r" });
      return fd;
    },
    writeSync: (fd: number, ...rest: unknown[]) => {
      if (fsCalls.failWriteInCalls !== null && --fsCalls.failWriteInCalls === 0) {
        fsCalls.failWriteInCalls = null;
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      }
      const bytes = (actual.writeSync as (...args: unknown[]) => number)(fd, ...rest);
      fsCalls.log.push({ call: "write", fd, path: pathOfFd.get(fd), bytes });
      return bytes;
    },
    readSync: (fd: number, ...rest: unknown[]) => {
      const bytes = (actual.readSync as (...args: unknown[]) => number)(fd, ...rest);
      fsCalls.log.push({ call: "read", fd, path: pathOfFd.get(fd), bytes });
      return bytes;
    },
    fdatasyncSync: (fd: number) => {
      actual.fdatasyncSync(fd);
      fsCalls.log.push({ call: "fdatasync", fd, path: pathOfFd.get(fd), sizeOnDisk: actual.fstatSync(fd).size });
    },
    fsyncSync: (fd: number) => {
      actual.fsyncSync(fd);
      fsCalls.log.push({ call: "fsync", fd, path: pathOfFd.get(fd) });
    },
    renameSync: (from: string, to: string) => {
      actual.renameSync(from, to);
      fsCalls.log.push({ call: "rename", path: `${from} -> ${to}` });
    },
    rmSync: (path: string, options?: import("node:fs").RmOptions) => {
      actual.rmSync(path, options);
      fsCalls.log.push({ call: "rm", path });
    },
  };
  return { ...wrapped, default: wrapped };
});

describe("agent/spool", () => {
  let temp: ReturnType<typeof makeTempDir>;
  let spool: Spool | null = null;

  beforeEach(() => {
    temp = makeTempDir();
    fsCalls.log.length = 0;
    fsCalls.failWriteInCalls = null;
  });
  afterEach(() => {
    spool?.close();
    spool = null;
    temp.remove();
  });

  function callsSince(start: number): (typeof fsCalls.log)[number][] {
    return fsCalls.log.slice(start);
  }

  describe("durability", () => {
    it("fdatasyncs once per append, after every record of the batch was written", () => {
      spool = Spool.open({ dir: temp.dir, maxBytes: 1024 * 1024, segmentBytes: 64 * 1024 });
      const mark = fsCalls.log.length;
      spool.append(numberedBodies(3));
      const calls = callsSince(mark);
      const syncs = calls.filter((entry) => entry.call === "fdatasync");
      expect(syncs).toHaveLength(1);
      const segmentPath = join(temp.dir, "segment-000000000001.log");
      expect(syncs[0]!.path).toBe(segmentPath);
      expect(syncs[0]!.sizeOnDisk).toBe(statSync(segmentPath).size);
      expect(calls.findLastIndex((entry) => entry.call === "write")).toBeLessThan(calls.indexOf(syncs[0]!));
    });

    it("syncs every segment an append touched and the directory when it created one", () => {
      spool = Spool.open({ dir: temp.dir, maxBytes: 1024 * 1024, segmentBytes: 100 });
      spool.append(numberedBodies(2));
      const mark = fsCalls.log.length;
      spool.append(numberedBodies(7, 3)); // fills segment 1 and creates segments 5 and 9
      const calls = callsSince(mark);
      expect(calls.filter((entry) => entry.call === "fdatasync").map((entry) => entry.path)).toEqual(
        ["segment-000000000001.log", "segment-000000000005.log", "segment-000000000009.log"].map((name) => join(temp.dir, name)),
      );
      expect(calls.filter((entry) => entry.call === "fsync").map((entry) => entry.path)).toEqual([temp.dir]);
    });

    it("persists an ack by writing a temporary cursor, fsyncing it, renaming it and fsyncing the directory, before deleting segments", () => {
      spool = Spool.open({ dir: temp.dir, maxBytes: 1024 * 1024, segmentBytes: 100 });
      spool.append(numberedBodies(9));
      const mark = fsCalls.log.length;
      spool.ack(5);
      const steps = callsSince(mark).map((entry) => `${entry.call} ${entry.path?.replace(`${temp.dir}/`, "") ?? ""}`.trim());
      const tempCursor = "cursor.json.tmp";
      expect(steps).toEqual([
        `open ${tempCursor}`,
        `write ${tempCursor}`,
        `fsync ${tempCursor}`,
        `rename ${tempCursor} -> ${temp.dir}/cursor.json`,
        `open ${temp.dir}`,
        `fsync ${temp.dir}`,
        "rm segment-000000000001.log",
      ]);
    });

    it("leaves no trace of an append whose write fails", () => {
      spool = Spool.open({ dir: temp.dir, maxBytes: 1024 * 1024, segmentBytes: 100 });
      spool.append(numberedBodies(2));
      const sizeBefore = statSync(join(temp.dir, "segment-000000000001.log")).size;
      // The next append fills segment 1 (first write) and creates segment 5 (second write, which fails).
      fsCalls.failWriteInCalls = 2;
      expect(() => spool!.append(numberedBodies(5, 3))).toThrow(/ENOSPC/);
      expect(fsCalls.failWriteInCalls).toBeNull();
      expect(segmentFiles(temp.dir)).toEqual(["segment-000000000001.log"]);
      expect(statSync(join(temp.dir, "segment-000000000001.log")).size).toBe(sizeBefore);
      expect(spool.stats()).toMatchObject({ lastSeq: 2, pendingRecords: 2, segments: 1 });
      expect(seqsOf(spool.append([{ n: 3 }]))).toEqual([3]);
      expect(seqsOf(spool.readPending(10))).toEqual([1, 2, 3]);
    });
  });

  describe("read efficiency", () => {
    it("opens only the segment holding the oldest pending record", () => {
      spool = Spool.open({ dir: temp.dir, maxBytes: 1024 * 1024, segmentBytes: 100, logger: recordingLogger() });
      spool.append(numberedBodies(40));
      spool.ack(21);
      const mark = fsCalls.log.length;
      expect(seqsOf(spool.readPending(2))).toEqual([22, 23]);
      const opened = callsSince(mark).filter((entry) => entry.call === "open").map((entry) => entry.path);
      const holding22 = segmentFiles(temp.dir).filter((name) => Number(name.slice(8, 20)) <= 22).at(-1)!;
      expect(opened).toEqual([join(temp.dir, holding22)]);
    });

    it("reads a backlog in small batches with about one pass over the file, not one pass per batch", () => {
      spool = Spool.open({ dir: temp.dir, maxBytes: 64 * 1024 * 1024, segmentBytes: 32 * 1024 * 1024 });
      spool.append(Array.from({ length: 1000 }, (_, index) => ({ n: index, padding: "x".repeat(500) })));
      const segmentBytes = spool.stats().bytes;
      const mark = fsCalls.log.length;
      const delivered: number[] = [];
      for (let batch = spool.readPending(20); batch.length > 0; batch = spool.readPending(20)) {
        expect(seqsOf(spool.readPending(20))).toEqual(seqsOf(batch)); // a retry re-reads the same records
        delivered.push(...seqsOf(batch));
        spool.ack(batch.at(-1)!.seq);
      }
      expect(delivered).toEqual(range(1, 1000));
      const bytesRead = callsSince(mark)
        .filter((entry) => entry.call === "read")
        .reduce((total, entry) => total + (entry.bytes ?? 0), 0);
      // Re-reading from the segment start on every call would read about 50 times the file.
      expect(bytesRead).toBeLessThan(3 * 2 * segmentBytes);
    });
  });
});
