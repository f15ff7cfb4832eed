import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteSampleStore, openSqliteSampleStore, sqliteSampleStoreSchema } from "../../../../collector/store/samples/sqlite.js";
import { memoryLogger } from "../../../helpers/memoryLogger.js";
import { describeSampleStoreContract } from "./sampleStoreContract.js";
import { baseTime, icmpRecord, icmpSamplesBetween } from "./sampleFixtures.js";

const dir = mkdtempSync(join(tmpdir(), "wardwatch-sample-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let opened = 0;

describeSampleStoreContract("sqlite", async (retention) => {
  const clock = { now: Date.now() };
  const store = SqliteSampleStore.open(join(dir, `contract-${opened++}.db`), { ...retention, retentionChunkRows: 1000 }, () => clock.now);
  return { store, clock };
}, "agentTs");

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

  it("migrates a raw table keyed the old way (site, link, ts, probe) to the agent's time, keeping one row of a measurement (its earliest ts)", async () => {
    const file = join(dir, "old-key.db");
    const old = new Database(file);
    old.exec(`CREATE TABLE raw_icmp (site TEXT NOT NULL, link TEXT NOT NULL, ts INTEGER NOT NULL, probe TEXT NOT NULL,
        provider TEXT, role TEXT NOT NULL, seq INTEGER NOT NULL, agent_ts INTEGER NOT NULL, rtt_avg_ms REAL,
        PRIMARY KEY (site, link, ts, probe)) WITHOUT ROWID;
      CREATE INDEX raw_icmp_site_ts ON raw_icmp (site, ts);
      CREATE INDEX raw_icmp_ts ON raw_icmp (ts);`);
    const t0 = baseTime();
    const insert = old.prepare("INSERT INTO raw_icmp (site, link, ts, probe, provider, role, seq, agent_ts, rtt_avg_ms) VALUES ('ward-1', 'tslcd', ?, 'icmp:10.0.0.1', 'vnpt', 'link', ?, ?, ?)");
    insert.run(t0 + 60_000, 1, t0, 12); // stored with a +60 s correction
    insert.run(t0, 1, t0, 12); // the same measurement resent after the correction moved
    insert.run(t0 + 10_000, 2, t0 + 10_000, 14);
    old.close();

    for (let open = 0; open < 2; open++) {
      const store = SqliteSampleStore.open(file, { rawRetentionMs: 30 * 86_400_000, rollupRetentionMs: 400 * 86_400_000, retentionChunkRows: 100 }, () => t0 + 3_600_000);
      try {
        expect(await store.listSeqs("ward-1", t0, t0 + 3_600_000)).toEqual([1, 2]);
        expect((await store.linkOutcomes("ward-1", t0, t0 + 3_600_000)).map((o) => o.ts)).toEqual([t0, t0 + 10_000]);
        expect((await store.write([icmpRecord("ward-1", "tslcd", t0, 1, 12)])).duplicates).toBe(1);
      } finally {
        await store.close();
      }
    }
    const db = new Database(file, { readonly: true });
    try {
      const key = (db.prepare("PRAGMA table_info(raw_icmp)").all() as Array<{ name: string; pk: number }>).filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      expect(key).toEqual(["site", "link", "probe", "agent_ts"]);
      const indexes = (db.prepare("PRAGMA index_list(raw_icmp)").all() as Array<{ name: string }>).map((i) => i.name).sort();
      expect(indexes).toEqual(expect.arrayContaining(["raw_icmp_site_ts", "raw_icmp_ts"]));
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%old_key%'").all()).toEqual([]);
    } finally {
      db.close();
    }
  });

  it("turns a closed database into the store-unavailable error the breaker understands", async () => {
    const store = SqliteSampleStore.open(":memory:", { rawRetentionMs: 86_400_000, rollupRetentionMs: 86_400_000, retentionChunkRows: 100 }, Date.now);
    await store.close();
    const err = await store.probe(Date.now()).catch((e: unknown) => e);
    expect(store.isUnavailableError(err)).toBe(true);
  });
});
