import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileRollupBacklog } from "../../../../collector/store/samples/fileRollupBacklog.js";
import { SampleStoreUnavailableError } from "../../../../collector/store/samples/sampleStore.js";

const WINDOW = { site: "ward-1", kind: "icmp", resolution: "5m", windowTs: 1_800_000_000_000 } as const;

describe("collector/store/samples/fileRollupBacklog", () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });
  const path = () => join((dir ??= mkdtempSync(join(tmpdir(), "ww-backlog-"))), "backlog.db");

  it("creates the file owner-only and keeps marks and their versions across a reopen", () => {
    const first = FileRollupBacklog.open(path());
    first.mark([WINDOW]);
    first.mark([WINDOW]); // marked again: a new version
    const [handedOut] = first.due("5m", WINDOW.windowTs + 300_000, 10);
    first.close();
    expect(statSync(path()).mode & 0o777).toBe(0o600);

    const reopened = FileRollupBacklog.open(path());
    try {
      expect(reopened.due("5m", WINDOW.windowTs + 300_000, 10)).toEqual([{ ...WINDOW, version: handedOut!.version }]);
      expect(reopened.due("5m", WINDOW.windowTs + 299_999, 10), "not closed yet").toEqual([]);
      reopened.clear({ ...handedOut!, version: handedOut!.version - 1 }); // a stale version leaves the mark
      expect(reopened.size()).toBe(1);
      reopened.clear(handedOut!);
      expect(reopened.size()).toBe(0);
    } finally {
      reopened.close();
    }
  });

  it("throws SampleStoreUnavailableError, naming the file's problem, when the database cannot be used", () => {
    const backlog = FileRollupBacklog.open(path());
    backlog.close();
    backlog.close(); // twice is safe
    const err = (() => {
      try {
        backlog.mark([WINDOW]);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(SampleStoreUnavailableError);
    expect(String((err as Error).message)).toMatch(/^the rollup backlog file cannot be used now: .*not open/);
  });
});
