import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Spool, type SpoolOptions } from "../../../agent/spool/spool.js";
import { parseSpooledBody, type SpooledItem } from "../../../agent/spool/spooledRecord.js";
import { icmpSample } from "../../helpers/batches.js";
import { makeTempDir, numberedBodies, range, recordingLogger, segmentFiles, seqsOf } from "./spoolFixtures.js";

// With bodies { n: seq } and seqs 1–9 every record frame is 32 bytes: segments of 100 bytes take 4 records.
const SMALL_SEGMENT_BYTES = 100;

/** A sample as the agent spools it: without its seq (the record's). */
function spooledSample(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { seq: _seq, ...body } = icmpSample(n);
  return { ...body, ...overrides };
}

const failoverEvent = { event: { ts: 1_700_000_000_000, type: "failover", group: "motcua", fromLink: "tslcd", toLink: "inet", reason: "preferred_down", action: "observe", ok: true, detail: "" } };

describe("agent/spool (lost and unreadable records)", () => {
  let temp: ReturnType<typeof makeTempDir>;
  let logger: ReturnType<typeof recordingLogger>;
  const openSpools: Spool<unknown>[] = [];

  beforeEach(() => {
    temp = makeTempDir();
    logger = recordingLogger();
  });
  afterEach(() => {
    for (const spool of openSpools.splice(0)) spool.close();
    temp.remove();
  });

  function openSpool<T = unknown>(overrides: Partial<SpoolOptions<T>> = {}): Spool<T> {
    const spool = Spool.open<T>({ dir: temp.dir, maxBytes: 1024 * 1024, segmentBytes: SMALL_SEGMENT_BYTES, logger, ...overrides });
    openSpools.push(spool as Spool<unknown>);
    return spool;
  }

  describe("records lost in a corrupt segment count as dropped", () => {
    it("counts the records after a corrupt one in an older segment, reports them until acknowledged past, then keeps the count", () => {
      let spool = openSpool();
      spool.append(numberedBodies(9)); // segments 1–4, 5–8, 9
      spool.ack(1);
      spool.close();
      flipByte(join(temp.dir, "segment-000000000001.log"), 2 * 32 + 12); // record 3: 3 and 4 are lost

      spool = openSpool();
      expect(spool.stats()).toMatchObject({ pendingRecords: 6, droppedRecords: 2 });
      expect(seqsOf(spool.readPending(100))).toEqual([2, ...range(5, 9)]);
      expect(logger.warnings[0]!.meta).toMatchObject({ segment: "segment-000000000001.log", reason: "crc32 mismatch", lostRecords: 2 });

      // A restart before the loss is acknowledged past finds it again: counted once, not twice.
      spool.close();
      spool = openSpool();
      expect(spool.stats().droppedRecords).toBe(2);

      spool.ack(6);
      expect(segmentFiles(temp.dir)).toEqual(["segment-000000000005.log", "segment-000000000009.log"]);
      expect(JSON.parse(readFileSync(join(temp.dir, "cursor.json"), "utf8"))).toMatchObject({ ackedSeq: 6, droppedRecords: 2 });
      spool.close();
      spool = openSpool();
      expect(spool.stats()).toMatchObject({ pendingRecords: 3, droppedRecords: 2 });
    });

    it("does not count records of a corrupt stretch that were acknowledged already", () => {
      let spool = openSpool();
      spool.append(numberedBodies(9));
      spool.ack(3);
      spool.close();
      flipByte(join(temp.dir, "segment-000000000001.log"), 1 * 32 + 12); // record 2 (acknowledged): 2–4 unreadable, only 4 unacknowledged

      spool = openSpool();
      expect(spool.stats()).toMatchObject({ pendingRecords: 5, droppedRecords: 1 });
    });

    it("counts a whole older segment that has no readable record", () => {
      let spool = openSpool();
      spool.append(numberedBodies(9));
      spool.close();
      flipByte(join(temp.dir, "segment-000000000005.log"), 12); // record 5: 5–8 lost

      spool = openSpool();
      expect(seqsOf(spool.readPending(100))).toEqual([1, 2, 3, 4, 9]);
      expect(spool.stats()).toMatchObject({ pendingRecords: 5, droppedRecords: 4 });
    });

    it("counts records found corrupt while reading, once however often they are read", () => {
      const spool = openSpool({ segmentBytes: 64 * 1024 });
      spool.append(numberedBodies(5));
      flipByte(join(temp.dir, "segment-000000000001.log"), 3 * 32 + 12); // record 4: 4 and 5 lost
      expect(seqsOf(spool.readPending(10))).toEqual([1, 2, 3]);
      expect(seqsOf(spool.readPending(10))).toEqual([1, 2, 3]);
      expect(spool.stats()).toMatchObject({ pendingRecords: 3, droppedRecords: 2 });
      spool.append([{ n: 6 }]);
      expect(seqsOf(spool.readPending(10))).toEqual([1, 2, 3, 6]);
      spool.ack(6);
      expect(spool.stats()).toMatchObject({ pendingRecords: 0, droppedRecords: 2 });
    });
  });

  describe("records are parsed when read back", () => {
    it("reads samples and events back as the typed union, drops and counts a record that does not parse, and goes on", () => {
      let spool = openSpool<SpooledItem>({ parseBody: parseSpooledBody, segmentBytes: 64 * 1024 });
      spool.append([spooledSample(1), spooledSample(2, { lossPct: 250 }), failoverEvent, { n: 4 }, spooledSample(5)]);

      const records = spool.readPending(10);
      expect(records.map((record) => [record.seq, record.body.kind])).toEqual([
        [1, "sample"],
        [3, "event"],
        [5, "sample"],
      ]);
      expect(records[0]!.body).toEqual({ kind: "sample", sample: icmpSample(1) });
      expect(records[1]!.body).toMatchObject({ kind: "event", event: { seq: 3, type: "failover", toLink: "inet" } });
      expect(spool.readPending(10)).toHaveLength(3);
      const dropped = logger.warnings.filter((line) => line.msg.includes("not a valid record"));
      expect(dropped.map((line) => line.meta)).toEqual([
        expect.objectContaining({ seq: 2, reason: expect.stringContaining("lossPct") }),
        expect.objectContaining({ seq: 4, reason: expect.stringContaining("not a valid sample") }),
      ]);
      expect(spool.stats()).toMatchObject({ pendingRecords: 3, droppedRecords: 2 });

      spool.ack(5);
      spool.close();
      spool = openSpool<SpooledItem>({ parseBody: parseSpooledBody });
      expect(spool.stats()).toMatchObject({ pendingRecords: 0, droppedRecords: 2 });
    });

    it("never blocks on unreadable records at the head of the spool", () => {
      const spool = openSpool<SpooledItem>({ parseBody: parseSpooledBody, segmentBytes: 64 * 1024 });
      spool.append(["not an object", { event: "not an event" }]);
      expect(spool.readPending(10)).toEqual([]);
      expect(spool.stats()).toMatchObject({ pendingRecords: 0, droppedRecords: 2 });
      spool.append([spooledSample(3)]);
      expect(seqsOf(spool.readPending(10))).toEqual([3]);
      spool.ack(3);
      expect(segmentFiles(temp.dir)).toEqual([]);
    });
  });

  describe("an unreadable cursor", () => {
    it.each([
      ["garbage", "\u0000\u0001garbage"],
      ["empty", ""],
      ["the wrong shape", '{"version":1,"ackedSeq":"many"}'],
    ])("(%s) is logged saying what follows, and the agent carries on from the records on disk", (_name, content) => {
      let spool = openSpool();
      spool.append(numberedBodies(6));
      spool.ack(5);
      spool.close();
      writeFileSync(join(temp.dir, "cursor.json"), content);

      spool = openSpool();
      const warning = logger.warnings.find((line) => line.msg.startsWith("spool cursor"));
      expect(warning?.msg).toMatch(/they are sent again, seqs go on after the newest one on disk/);
      expect(warning?.meta).toMatchObject({ path: join(temp.dir, "cursor.json") });
      expect(seqsOf(spool.readPending(10))).toEqual([5, 6]); // segment 1–4 was deleted by the ack; 5–6 are sent again
      expect(seqsOf(spool.append([{ n: 7 }]))).toEqual([7]);
      spool.ack(7);
      expect(JSON.parse(readFileSync(join(temp.dir, "cursor.json"), "utf8"))).toMatchObject({ ackedSeq: 7, lastSeq: 7 });
    });

    it("with no segment left, seqs start again from 1", () => {
      let spool = openSpool();
      spool.append(numberedBodies(3));
      spool.ack(3);
      spool.close();
      writeFileSync(join(temp.dir, "cursor.json"), "{");
      spool = openSpool();
      expect(seqsOf(spool.append([{ n: 1 }]))).toEqual([1]);
    });
  });

  it("creates its files owner-only", () => {
    const spool = openSpool();
    spool.append(numberedBodies(1));
    spool.ack(1);
    spool.append(numberedBodies(1, 2));
    for (const name of [...segmentFiles(temp.dir), "cursor.json"]) expect(statSync(join(temp.dir, name)).mode & 0o777).toBe(0o600);
  });
});

function flipByte(path: string, offset: number): void {
  const content = readFileSync(path);
  content[offset] = content[offset]! ^ 0xff;
  writeFileSync(path, content);
}
