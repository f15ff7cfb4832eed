import { appendFileSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Spool, type SpoolOptions } from "../../../agent/spool/spool.js";
import { encodeRecord } from "../../../agent/spool/segmentFile.js";
import { makeTempDir, newestSegment, numberedBodies, range, recordingLogger, segmentFiles, seqsOf } from "./spoolFixtures.js";

// With bodies { n: seq } and seqs 1–9 every record frame is 32 bytes, so with segmentBytes 100 a segment
// takes 4 records (96 bytes < 100, the 4th brings it to 128) before the spool rolls to a new one.
const SMALL_SEGMENT_BYTES = 100;

describe("agent/spool", () => {
  let temp: ReturnType<typeof makeTempDir>;
  let logger: ReturnType<typeof recordingLogger>;
  const openSpools: Spool[] = [];

  beforeEach(() => {
    temp = makeTempDir();
    logger = recordingLogger();
  });
  afterEach(() => {
    for (const spool of openSpools.splice(0)) spool.close();
    temp.remove();
  });

  function openSpool(overrides: Partial<SpoolOptions> = {}): Spool {
    const spool = Spool.open({ dir: temp.dir, maxBytes: 1024 * 1024, segmentBytes: 64 * 1024, logger, ...overrides });
    openSpools.push(spool);
    return spool;
  }

  function reopen(spool: Spool, overrides: Partial<SpoolOptions> = {}): Spool {
    spool.close();
    return openSpool(overrides);
  }

  describe("append, read, ack", () => {
    it("assigns consecutive seqs from 1 and reads the bodies back oldest first", () => {
      const spool = openSpool();
      const first = spool.append([{ link: "a", rttMs: 12.5 }, { link: "b", rttMs: null }]);
      const second = spool.append(["text", 42]);
      expect(first).toEqual([
        { seq: 1, body: { link: "a", rttMs: 12.5 } },
        { seq: 2, body: { link: "b", rttMs: null } },
      ]);
      expect(seqsOf(second)).toEqual([3, 4]);
      expect(spool.readPending(10)).toEqual([...first, ...second]);
      expect(spool.stats()).toMatchObject({ pendingRecords: 4, ackedSeq: 0, lastSeq: 4, segments: 1, droppedRecords: 0 });
    });

    it("returns the same records until they are acknowledged, then only the newer ones", () => {
      const spool = openSpool();
      spool.append(numberedBodies(5));
      expect(seqsOf(spool.readPending(3))).toEqual([1, 2, 3]);
      expect(seqsOf(spool.readPending(3))).toEqual([1, 2, 3]);
      spool.ack(3);
      expect(spool.readPending(10)).toEqual([
        { seq: 4, body: { n: 4 } },
        { seq: 5, body: { n: 5 } },
      ]);
      expect(spool.stats()).toMatchObject({ pendingRecords: 2, ackedSeq: 3 });
    });

    it("treats an ack of an older seq as a no-op and clamps an ack beyond the last seq", () => {
      const spool = openSpool();
      spool.append(numberedBodies(5));
      spool.ack(4);
      spool.ack(2);
      expect(spool.stats().ackedSeq).toBe(4);
      expect(seqsOf(spool.readPending(10))).toEqual([5]);

      spool.ack(99);
      expect(spool.stats().ackedSeq).toBe(5);
      expect(logger.warnings.map((line) => line.msg)).toContainEqual(expect.stringContaining("beyond the last assigned seq"));
      expect(seqsOf(spool.append([{ n: 6 }]))).toEqual([6]);
      expect(seqsOf(spool.readPending(10))).toEqual([6]);
    });

    it("appends nothing and uses no seq when a body has no JSON form", () => {
      const spool = openSpool();
      spool.append([{ n: 1 }]);
      const bytesBefore = spool.stats().bytes;
      expect(() => spool.append([{ n: 2 }, undefined])).toThrow(TypeError);
      expect(spool.stats()).toMatchObject({ lastSeq: 1, bytes: bytesBefore });
      expect(seqsOf(spool.append([{ n: 2 }]))).toEqual([2]);
    });

    it("writes each record as [u32 LE length][u32 LE crc32][JSON payload]", () => {
      const spool = openSpool();
      spool.append([{ link: "wan1" }]);
      const file = readFileSync(newestSegment(temp.dir).path);
      const payload = Buffer.from('{"seq":1,"body":{"link":"wan1"}}', "utf8");
      expect(file.readUInt32LE(0)).toBe(payload.length);
      expect(file.readUInt32LE(4)).toBe(crc32(payload));
      expect(file.subarray(8)).toEqual(payload);
    });
  });

  describe("segments", () => {
    it("rolls to a new segment, named by its first seq, once the current one reaches segmentBytes", () => {
      const spool = openSpool({ segmentBytes: SMALL_SEGMENT_BYTES });
      for (const body of numberedBodies(9)) spool.append([body]);
      expect(segmentFiles(temp.dir)).toEqual(["segment-000000000001.log", "segment-000000000005.log", "segment-000000000009.log"]);
      expect(statSync(join(temp.dir, "segment-000000000001.log")).size).toBe(128);
      expect(spool.stats()).toMatchObject({ segments: 3, bytes: 128 + 128 + 32 });
    });

    it("splits one large append over segments the same way", () => {
      const spool = openSpool({ segmentBytes: SMALL_SEGMENT_BYTES });
      spool.append(numberedBodies(9));
      expect(segmentFiles(temp.dir)).toEqual(["segment-000000000001.log", "segment-000000000005.log", "segment-000000000009.log"]);
    });

    it("readPending(limit) respects the limit and the order across segment boundaries", () => {
      const spool = openSpool({ segmentBytes: SMALL_SEGMENT_BYTES });
      spool.append(numberedBodies(9));
      expect(seqsOf(spool.readPending(6))).toEqual(range(1, 6));
      expect(spool.readPending(0)).toEqual([]);

      const delivered: number[] = [];
      for (let batch = spool.readPending(3); batch.length > 0; batch = spool.readPending(3)) {
        expect(batch.length).toBeLessThanOrEqual(3);
        delivered.push(...seqsOf(batch));
        spool.ack(batch.at(-1)!.seq);
      }
      expect(delivered).toEqual(range(1, 9));
      expect(spool.readPending(3)).toEqual([]);
    });

    it("reads correctly after an ack in the middle of a segment and after appends to a segment already read", () => {
      const spool = openSpool({ segmentBytes: SMALL_SEGMENT_BYTES });
      spool.append(numberedBodies(2));
      expect(seqsOf(spool.readPending(5))).toEqual([1, 2]);
      spool.append(numberedBodies(5, 3));
      spool.ack(1);
      expect(seqsOf(spool.readPending(2))).toEqual([2, 3]);
      expect(seqsOf(spool.readPending(10))).toEqual(range(2, 7));
      spool.ack(5);
      expect(spool.readPending(10)).toEqual([
        { seq: 6, body: { n: 6 } },
        { seq: 7, body: { n: 7 } },
      ]);
    });

    it("deletes segments whose records are all acknowledged and keeps a partly acknowledged one", () => {
      const spool = openSpool({ segmentBytes: SMALL_SEGMENT_BYTES });
      spool.append(numberedBodies(9));
      spool.ack(6);
      expect(segmentFiles(temp.dir)).toEqual(["segment-000000000005.log", "segment-000000000009.log"]);
      expect(spool.stats()).toMatchObject({ segments: 2, pendingRecords: 3, bytes: 128 + 32 });
      expect(seqsOf(spool.readPending(10))).toEqual([7, 8, 9]);
    });

    it("deletes the segment being written once it is fully acknowledged and starts a new one on the next append", () => {
      const spool = openSpool({ segmentBytes: SMALL_SEGMENT_BYTES });
      spool.append(numberedBodies(2));
      spool.ack(2);
      expect(segmentFiles(temp.dir)).toEqual([]);
      expect(seqsOf(spool.append([{ n: 3 }]))).toEqual([3]);
      expect(segmentFiles(temp.dir)).toEqual(["segment-000000000003.log"]);
      expect(seqsOf(spool.readPending(10))).toEqual([3]);
    });
  });

  describe("restart", () => {
    it("continues seqs after reopening", () => {
      let spool = openSpool();
      spool.append(numberedBodies(3));
      spool = reopen(spool);
      expect(seqsOf(spool.append([{ n: 4 }]))).toEqual([4]);
      expect(seqsOf(spool.readPending(10))).toEqual([1, 2, 3, 4]);
    });

    it("resumes from the persisted ack cursor: nothing acknowledged comes back, nothing unacknowledged is lost", () => {
      let spool = openSpool({ segmentBytes: SMALL_SEGMENT_BYTES });
      spool.append(numberedBodies(9));
      spool.ack(6);
      spool = reopen(spool, { segmentBytes: SMALL_SEGMENT_BYTES });
      expect(spool.readPending(10)).toEqual([
        { seq: 7, body: { n: 7 } },
        { seq: 8, body: { n: 8 } },
        { seq: 9, body: { n: 9 } },
      ]);
      expect(spool.stats()).toMatchObject({ ackedSeq: 6, lastSeq: 9, pendingRecords: 3 });
    });

    it("continues seqs after every segment was deleted by a full ack", () => {
      let spool = openSpool({ segmentBytes: SMALL_SEGMENT_BYTES });
      spool.append(numberedBodies(9));
      spool.ack(9);
      expect(segmentFiles(temp.dir)).toEqual([]);
      spool = reopen(spool, { segmentBytes: SMALL_SEGMENT_BYTES });
      expect(spool.stats()).toMatchObject({ lastSeq: 9, ackedSeq: 9, pendingRecords: 0, segments: 0 });
      expect(seqsOf(spool.append([{ n: 10 }]))).toEqual([10]);
      expect(seqsOf(spool.readPending(10))).toEqual([10]);
    });

    it("never reuses a seq handed out before the last ack, even if the segment holding it is lost", () => {
      let spool = openSpool({ segmentBytes: SMALL_SEGMENT_BYTES });
      spool.append(numberedBodies(5)); // segments 1–4 and 5
      spool.ack(3);
      spool.close();
      flipByte(join(temp.dir, "segment-000000000005.log"), 10);
      spool = openSpool({ segmentBytes: SMALL_SEGMENT_BYTES });
      // Record 5 was handed out (the cursor says so) and is lost: counted, and its segment is never appended to.
      expect(spool.stats()).toMatchObject({ pendingRecords: 1, droppedRecords: 1 });
      expect(seqsOf(spool.append([{ n: 6 }]))).toEqual([6]);
      expect(segmentFiles(temp.dir)).toEqual(["segment-000000000001.log", "segment-000000000005.log", "segment-000000000006.log"]);
      expect(seqsOf(spool.readPending(10))).toEqual([4, 6]);
    });

    it("ignores and removes a stale temporary cursor file", () => {
      let spool = openSpool();
      spool.append(numberedBodies(4));
      spool.ack(2);
      spool.close();
      writeFileSync(join(temp.dir, "cursor.json.tmp"), '{"version":1,"ackedSeq":4,"la');
      spool = openSpool();
      expect(seqsOf(spool.readPending(10))).toEqual([3, 4]);
      expect(segmentFiles(temp.dir)).toHaveLength(1);
      expect(() => statSync(join(temp.dir, "cursor.json.tmp"))).toThrow(/ENOENT/);
    });

    it("re-sends rather than loses records when the cursor file is unreadable", () => {
      let spool = openSpool();
      spool.append(numberedBodies(4));
      spool.ack(2);
      spool.close();
      writeFileSync(join(temp.dir, "cursor.json"), "not json");
      spool = openSpool();
      expect(seqsOf(spool.readPending(10))).toEqual([1, 2, 3, 4]);
      expect(logger.warnings.map((line) => line.msg)).toContainEqual(expect.stringContaining("cursor"));
    });

    it("deletes an empty segment left by a crash right after a roll and keeps seqs going", () => {
      let spool = openSpool();
      spool.append(numberedBodies(2));
      spool.close();
      writeFileSync(join(temp.dir, "segment-000000000003.log"), "");
      spool = openSpool();
      expect(segmentFiles(temp.dir)).toEqual(["segment-000000000001.log"]);
      expect(seqsOf(spool.append([{ n: 3 }]))).toEqual([3]);
      expect(seqsOf(spool.readPending(10))).toEqual([1, 2, 3]);
    });
  });

  describe("crash recovery", () => {
    // Each case damages the tail of a segment holding records 1–3 and says how many records stay intact.
    const tornTails: [string, (segmentPath: string, bytes: number) => void, number][] = [
      ["truncated by a few bytes", (path, bytes) => truncateSync(path, bytes - 3), 2],
      ["cut inside its header", (path, bytes) => truncateSync(path, bytes - encodeRecord(3, { n: 3 }).length + 5), 2],
      ["with a bad crc", (path, bytes) => flipByte(path, bytes - 2), 2],
      [
        "with truncated JSON under a valid crc",
        (path, bytes) => {
          truncateSync(path, bytes - encodeRecord(3, { n: 3 }).length);
          appendFileSync(path, frame(Buffer.from('{"seq":3,"bo', "utf8")));
        },
        2,
      ],
      ["followed by garbage bytes", (path) => appendFileSync(path, Buffer.from("deadbeef0102030405060708", "hex")), 3],
      ["followed by a few stray bytes", (path) => appendFileSync(path, Buffer.from("0a0b", "hex")), 3],
      ["followed by an intact record with a seq out of order", (path) => appendFileSync(path, encodeRecord(7, { n: 7 })), 3],
    ];

    it.each(tornTails)("discards and truncates a last record %s, then appends cleanly", (_name, tear, intactRecords) => {
      let spool = openSpool();
      spool.append(numberedBodies(3));
      spool.close();
      const { path, bytes } = newestSegment(temp.dir);
      const intactBytes = numberedBodies(intactRecords).reduce((total, body) => total + encodeRecord(body.n, body).length, 0);
      tear(path, bytes);

      spool = openSpool();
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]!.msg).toContain("torn record");
      expect(statSync(path).size).toBe(intactBytes);
      expect(seqsOf(spool.readPending(10))).toEqual(range(1, intactRecords));
      const next = intactRecords + 1;
      expect(seqsOf(spool.append([{ n: next }, { n: next + 1 }]))).toEqual([next, next + 1]);

      spool = reopen(spool);
      expect(logger.warnings).toHaveLength(1);
      expect(spool.readPending(10)).toEqual(numberedBodies(next + 1).map((body) => ({ seq: body.n, body })));
    });

    it("stops reading an older segment at a bad crc in its middle and continues with the next segment", () => {
      let spool = openSpool({ segmentBytes: SMALL_SEGMENT_BYTES });
      spool.append(numberedBodies(9));
      spool.close();
      const firstSegment = join(temp.dir, "segment-000000000001.log");
      const secondRecordOffset = encodeRecord(1, { n: 1 }).length;
      flipByte(firstSegment, secondRecordOffset + 8 + 4);

      spool = openSpool({ segmentBytes: SMALL_SEGMENT_BYTES });
      expect(logger.warnings.map((line) => line.msg)).toEqual([expect.stringContaining("corrupt record in a segment"), expect.stringContaining("lost in corrupt segments")]);
      expect(logger.warnings[0]!.meta).toMatchObject({ segment: "segment-000000000001.log", offset: secondRecordOffset, reason: "crc32 mismatch", lostRecords: 3 });
      expect(statSync(firstSegment).size).toBe(128);
      expect(seqsOf(spool.readPending(100))).toEqual([1, ...range(5, 9)]);
      expect(spool.stats()).toMatchObject({ pendingRecords: 6, droppedRecords: 3, lastSeq: 9 });
      expect(seqsOf(spool.append([{ n: 10 }]))).toEqual([10]);
    });

    it("ends a segment found corrupt after open and appends to a new segment", () => {
      const spool = openSpool();
      spool.append(numberedBodies(3));
      const { path, bytes } = newestSegment(temp.dir);
      flipByte(path, bytes - 2);

      expect(seqsOf(spool.readPending(10))).toEqual([1, 2]);
      expect(logger.warnings.map((line) => line.msg)).toEqual([expect.stringContaining("corrupt record while reading")]);
      expect(seqsOf(spool.append([{ n: 4 }]))).toEqual([4]);
      expect(segmentFiles(temp.dir)).toEqual(["segment-000000000001.log", "segment-000000000004.log"]);
      expect(seqsOf(spool.readPending(10))).toEqual([1, 2, 4]);
      expect(spool.stats()).toMatchObject({ pendingRecords: 3, droppedRecords: 1 });
    });
  });

  describe("size bound", () => {
    it("drops the oldest segments beyond maxBytes, counts and logs the drop, and never reads dropped records", () => {
      let spool = openSpool({ maxBytes: 300, segmentBytes: SMALL_SEGMENT_BYTES });
      for (const body of numberedBodies(9)) spool.append([body]);
      // 1–4 (128 bytes), 5–8 (128), 9 (32) = 288 bytes: within the bound.
      expect(spool.stats()).toMatchObject({ droppedRecords: 0, segments: 3 });

      spool.append([{ n: 10 }]); // 322 bytes: segment 1–4 must go.
      expect(segmentFiles(temp.dir)).toEqual(["segment-000000000005.log", "segment-000000000009.log"]);
      expect(spool.stats()).toMatchObject({ droppedRecords: 4, ackedSeq: 4, pendingRecords: 6, bytes: 128 + 66 });
      expect(logger.warnings).toEqual([{ msg: expect.stringContaining("spool full"), meta: expect.objectContaining({ droppedRecords: 4, totalDroppedRecords: 4 }) }]);
      expect(seqsOf(spool.readPending(100))).toEqual(range(5, 10));

      spool = reopen(spool, { maxBytes: 300, segmentBytes: SMALL_SEGMENT_BYTES });
      expect(spool.stats()).toMatchObject({ droppedRecords: 4, ackedSeq: 4, lastSeq: 10 });
      expect(seqsOf(spool.readPending(100))).toEqual(range(5, 10));
    });

    it("counts only unacknowledged records as dropped", () => {
      const spool = openSpool({ maxBytes: 300, segmentBytes: SMALL_SEGMENT_BYTES });
      spool.append(numberedBodies(9));
      spool.ack(2);
      spool.append([{ n: 10 }]);
      expect(spool.stats()).toMatchObject({ droppedRecords: 2, ackedSeq: 4 });
      expect(seqsOf(spool.readPending(100))).toEqual(range(5, 10));
    });

    it("applies a lowered bound when reopening", () => {
      let spool = openSpool({ segmentBytes: SMALL_SEGMENT_BYTES });
      spool.append(numberedBodies(9));
      spool = reopen(spool, { maxBytes: 150, segmentBytes: SMALL_SEGMENT_BYTES });
      expect(spool.stats()).toMatchObject({ droppedRecords: 8, segments: 1 });
      expect(seqsOf(spool.readPending(100))).toEqual([9]);
    });

    it("never drops the segment being written, even when it alone exceeds maxBytes", () => {
      const spool = openSpool({ maxBytes: 100, segmentBytes: 100 });
      const [record] = spool.append(["x".repeat(200)]);
      expect(spool.stats()).toMatchObject({ droppedRecords: 0, segments: 1, pendingRecords: 1 });
      expect(spool.readPending(10)).toEqual([record]);
    });
  });

  it("refuses invalid options and use after close", () => {
    expect(() => Spool.open({ dir: temp.dir, maxBytes: 100, segmentBytes: 200 })).toThrow(RangeError);
    expect(() => Spool.open({ dir: temp.dir, maxBytes: 0, segmentBytes: 0 })).toThrow(RangeError);
    const spool = openSpool();
    spool.close();
    expect(() => spool.append([1])).toThrow(/closed/);
    expect(() => spool.readPending(1)).toThrow(/closed/);
  });
});

/** Inverts one byte of a file in place. */
function flipByte(path: string, offset: number): void {
  const content = readFileSync(path);
  content[offset] = content[offset]! ^ 0xff;
  writeFileSync(path, content);
}

/** A record frame around an arbitrary payload, with a correct length and crc. */
function frame(payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}
