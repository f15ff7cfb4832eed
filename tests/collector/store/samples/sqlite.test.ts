import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteSampleStore, openSqliteSampleStore, sqliteSampleStoreSchema } from "../../../../collector/store/samples/sqlite.js";
import { memoryLogger } from "../../../helpers/memoryLogger.js";
import { describeSampleStoreContract } from "./sampleStoreContract.js";
import { baseTime, icmpSamplesBetween } from "./sampleFixtures.js";

const dir = mkdtempSync(join(tmpdir(), "wardwatch-sample-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let opened = 0;

describeSampleStoreContract("sqlite", async (retention) => {
  const clock = { now: Date.now() };
  const store = SqliteSampleStore.open(join(dir, `contract-${opened++}.db`), { ...retention, retentionChunkRows: 1000 }, () => clock.now);
  return { store, clock };
});

describe("collector/store/samples/sqlite", () => {
  it("creates data_dir owner-only (0700) and the database file owner-only (0600)", async () => {
    const dataDir = join(dir, "data");
    const config = sqliteSampleStoreSchema.parse({ kind: "sqlite" });
    const store = await openSqliteSampleStore(config, { dataDir, configFile: "collector.yaml", now: Date.now, logger: memoryLogger().logger });
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, "samples.db")).mode & 0o777).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it("deletes raw samples past retention in chunks, keeping the rollups that outlive them", async () => {
    const clock = { now: 0 };
    const store = SqliteSampleStore.open(":memory:", { rawRetentionMs: 2 * 3_600_000, rollupRetentionMs: 400 * 86_400_000, retentionChunkRows: 100 }, () => clock.now);
    try {
      const t0 = baseTime();
      clock.now = t0 + 3_600_000;
      const records = icmpSamplesBetween("ward-1", t0, t0 + 3_600_000, 20_000); // 360 samples
      await store.write(records);
      await store.rollUp(t0 + 3_600_000);
      expect(await store.enforceRetention(t0 + 3 * 3_600_000)).toEqual({ rawDeleted: 360, rollupsDeleted: 0 });
      expect(await store.listSeqs("ward-1", t0, t0 + 3_600_000)).toEqual([]);
      expect(await store.readRollups({ site: "ward-1", kind: "icmp", resolution: "5m", from: t0, to: t0 + 3_600_000 })).toHaveLength(24);
      expect(await store.enforceRetention(t0 + 500 * 86_400_000)).toEqual({ rawDeleted: 0, rollupsDeleted: 24 + 2 });
    } finally {
      await store.close();
    }
  });

  it("turns a closed database into the store-unavailable error the breaker understands", async () => {
    const store = SqliteSampleStore.open(":memory:", { rawRetentionMs: 86_400_000, rollupRetentionMs: 86_400_000, retentionChunkRows: 100 }, Date.now);
    await store.close();
    const err = await store.probe(Date.now()).catch((e: unknown) => e);
    expect(store.isUnavailableError(err)).toBe(true);
  });
});
