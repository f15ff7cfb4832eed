import { appendFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REFUSED_FILE_NAME, RefusedRecordStore, type SetAsideRecord } from "../../../agent/spool/refusedRecords.js";
import { makeTempDir, recordingLogger } from "./spoolFixtures.js";

function refusal(seq: number): SetAsideRecord {
  return { seq, refusedAt: 1_763_089_200_000 + seq, error: "unknown_link", message: `samples[0].link: unknown link 'fpt' (${seq})`, record: { seq, kind: "icmp", link: "fpt" } };
}

describe("agent/spool/refusedRecords", () => {
  let temp: ReturnType<typeof makeTempDir>;
  let logger: ReturnType<typeof recordingLogger>;
  beforeEach(() => {
    temp = makeTempDir();
    logger = recordingLogger();
  });
  afterEach(() => temp.remove());

  const path = () => join(temp.dir, REFUSED_FILE_NAME);
  const open = (kept = 3) => RefusedRecordStore.open({ dir: temp.dir, kept, logger });

  it("keeps records set aside on disk, owner-only, with a lifetime count that survives a restart", () => {
    const store = open();
    store.setAside([refusal(7), refusal(9)]);
    expect(statSync(path()).mode & 0o777).toBe(0o600);
    const reopened = open();
    expect(reopened.total()).toBe(2);
    expect(reopened.recent(5)).toEqual([refusal(9), refusal(7)]);
  });

  it("holds only the newest `kept`, rewriting the file when it has twice as many, and keeps counting", () => {
    const store = open(3);
    for (let seq = 1; seq <= 10; seq++) store.setAside([refusal(seq)]);
    expect(store.total()).toBe(10);
    expect(store.recent(5).map((record) => record.seq)).toEqual([10, 9, 8]);
    expect(readFileSync(path(), "utf8").trim().split("\n").length).toBeLessThanOrEqual(6);
    const reopened = open(3);
    expect(reopened.total()).toBe(10);
    expect(reopened.recent(5).map((record) => record.seq)).toEqual([10, 9, 8]);
  });

  it("survives a torn last line and corrupt lines: keeps the readable ones, warns once, appends cleanly after", () => {
    open().setAside([refusal(1), refusal(2)]);
    appendFileSync(path(), '{"version":1,"total":3,"seq":3,"refu');
    const store = open();
    expect(logger.warnings).toEqual([expect.objectContaining({ msg: expect.stringContaining("unreadable lines"), meta: expect.objectContaining({ unreadableLines: 1, total: 2 }) })]);
    store.setAside([refusal(4)]);
    const reopened = open();
    expect(reopened.total()).toBe(3);
    expect(reopened.recent(5).map((record) => record.seq)).toEqual([4, 2, 1]);
    expect(logger.warnings).toHaveLength(1);
  });

  it("treats a missing file as empty and a garbage one as unreadable, never failing", () => {
    expect(open().total()).toBe(0);
    writeFileSync(path(), Buffer.from([0, 1, 2, 255, 10, 123, 10]));
    const store = open();
    expect(store.total()).toBe(0);
    expect(logger.warnings).toHaveLength(1);
    store.setAside([refusal(5)]);
    expect(open().total()).toBe(1);
  });
});
