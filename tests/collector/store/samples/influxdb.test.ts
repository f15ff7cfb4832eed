import { once } from "node:events";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INFLUX_ROLLUP_BACKLOG_FILE } from "../../../../collector/store/samples/fileRollupBacklog.js";
import { InfluxSampleStore, influxSampleStoreSchema, openInfluxSampleStore } from "../../../../collector/store/samples/influxdb.js";
import type { SampleRecord } from "../../../../collector/store/samples/sampleStore.js";
import { startInfluxd, type Influxd } from "../../../helpers/influxd.js";
import { memoryLogger } from "../../../helpers/memoryLogger.js";
import { describeSampleStoreContract } from "./sampleStoreContract.js";
import { baseTime, icmpSamplesBetween } from "./sampleFixtures.js";

let influxd: Influxd;
let databases = 0;
/** A data_dir for the stores opened through openInfluxSampleStore (their rollup backlog file is there). */
let dataDir: string;
beforeAll(async () => {
  influxd = await startInfluxd();
  dataDir = mkdtempSync(join(tmpdir(), "ww-influx-store-"));
});
afterAll(async () => {
  await influxd?.remove();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A store on its own new database of the shared influxd. */
async function openStore(retention: { rawRetentionMs: number; rollupRetentionMs: number }, clock: { now: number }, timeoutMs = 10_000): Promise<InfluxSampleStore> {
  const store = new InfluxSampleStore(
    { kind: "influxdb", url: influxd.url, database: `contract_${databases++}`, username: influxd.username, password: influxd.password, timeoutMs, ...retention },
    () => clock.now,
  );
  await store.start();
  return store;
}

describeSampleStoreContract("influxdb", async (retention) => {
  const clock = { now: Date.now() };
  return { store: await openStore(retention, clock), clock };
}, "ts");

async function query(q: string, database: string): Promise<unknown> {
  const params = new URLSearchParams({ q, db: database, u: influxd.username, p: influxd.password, epoch: "ms" });
  return (await fetch(`${influxd.url}/query?${params}`)).json();
}

describe("collector/store/samples/influxdb", () => {
  it("creates the database and the retention policies raw (default), rollup_5m and rollup_1h on start, and is idempotent", async () => {
    const config = influxSampleStoreSchema.parse({
      kind: "influxdb",
      url: influxd.url,
      database: "startup",
      username: influxd.username,
      password: { env: "WARDWATCH_TEST_INFLUX_PASSWORD" },
      raw_retention: "2d",
      rollup_retention: "10d",
    });
    process.env.WARDWATCH_TEST_INFLUX_PASSWORD = influxd.password;
    const deps = { dataDir: join(dataDir, "startup"), configFile: "collector.yaml", now: Date.now, logger: memoryLogger().logger };
    await (await openInfluxSampleStore(config, deps)).close();
    await (await openInfluxSampleStore(config, deps)).close();
    const answer = (await query("SHOW RETENTION POLICIES", "startup")) as { results: Array<{ series: Array<{ values: unknown[][] }> }> };
    const policies = answer.results[0]!.series[0]!.values.map(([name, duration, , , isDefault]) => ({ name, duration, isDefault }));
    expect(policies).toEqual(
      expect.arrayContaining([
        { name: "raw", duration: "48h0m0s", isDefault: true },
        { name: "rollup_5m", duration: "240h0m0s", isDefault: false },
        { name: "rollup_1h", duration: "240h0m0s", isDefault: false },
      ]),
    );
  });

  it("rejects with a store-unavailable error, without the password, when InfluxDB refuses connections", async () => {
    const closed = createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as { port: number }).port;
    closed.close();
    const store = new InfluxSampleStore(
      { kind: "influxdb", url: `http://127.0.0.1:${port}`, database: "x", username: "u", password: "secret-password-123", timeoutMs: 1000, rawRetentionMs: 86_400_000, rollupRetentionMs: 86_400_000 },
      Date.now,
    );
    const err = await store.write(icmpSamplesBetween("ward-1", Date.now() - 60_000, Date.now(), 60_000)).catch((e: unknown) => e);
    expect(store.isUnavailableError(err)).toBe(true);
    expect(String((err as Error).message)).not.toContain("secret-password-123");
  });

  it("rejects a write to a server that never answers once the timeout passes, as store unavailable", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket)); // accepts, reads, never answers
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    try {
      const store = new InfluxSampleStore(
        { kind: "influxdb", url: `http://127.0.0.1:${(silent.address() as { port: number }).port}`, database: "x", username: "u", password: "p", timeoutMs: 300, rawRetentionMs: 86_400_000, rollupRetentionMs: 86_400_000 },
        Date.now,
      );
      const err = await store.write(icmpSamplesBetween("ward-1", Date.now() - 60_000, Date.now(), 60_000)).catch((e: unknown) => e);
      expect(store.isUnavailableError(err)).toBe(true);
      expect(String(err)).toMatch(/timed out/i);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it("stores every sample exactly once when influxd is stopped mid-stream and restarted, the caller retrying what failed", async () => {
    const clock = { now: Date.now() };
    const store = await openStore({ rawRetentionMs: 30 * 86_400_000, rollupRetentionMs: 400 * 86_400_000 }, clock, 2000);
    const t0 = baseTime();
    const records = icmpSamplesBetween("ward-1", t0, t0 + 10 * 3_600_000, 60_000); // 1,200 samples, seq 1…1200
    const batches: SampleRecord[][] = [];
    for (let i = 0; i < records.length; i += 50) batches.push(records.slice(i, i + 50));
    let failures = 0;
    let restarted = false;
    for (const [index, batch] of batches.entries()) {
      if (index === 8) await influxd.stop(); // mid-stream
      for (;;) {
        try {
          await store.write(batch);
          break;
        } catch (err) {
          if (!store.isUnavailableError(err)) throw err;
          failures++;
          // The agent keeps the batch and retries; here the server comes back after a few failed tries.
          if (!restarted && failures >= 3) {
            await influxd.restart();
            restarted = true;
          }
        }
      }
    }
    expect(failures).toBeGreaterThanOrEqual(3);
    const seqs = await store.listSeqs("ward-1", t0, t0 + 10 * 3_600_000);
    expect(seqs).toEqual(records.map((r) => r.sample.seq));
  });

  it("keeps its rollup marks in an owner-only file in data_dir: a window written before a restart is rolled up after it", async () => {
    const config = influxSampleStoreSchema.parse({ kind: "influxdb", url: influxd.url, database: "restart", username: influxd.username, password: influxd.password });
    const clock = { now: Date.now() };
    const deps = { dataDir: join(dataDir, "restart", "data"), configFile: "collector.yaml", now: () => clock.now, logger: memoryLogger().logger };
    const t0 = baseTime();
    const records = icmpSamplesBetween("ward-1", t0, t0 + 300_000, 60_000); // one 5-minute window, 5 rounds on 2 links
    const before = await openInfluxSampleStore(config, deps);
    expect(await before.write(records)).toMatchObject({ written: 10 });
    await before.close(); // the collector stops before its rollup timer ran

    const backlogFile = join(deps.dataDir, INFLUX_ROLLUP_BACKLOG_FILE);
    expect(statSync(backlogFile).mode & 0o777).toBe(0o600);
    expect(statSync(deps.dataDir).mode & 0o777).toBe(0o700);
    const after = await openInfluxSampleStore(config, deps);
    try {
      // The window is closed: recomputed from its raw samples, then its hour from the 5-minute row.
      expect(await after.rollUp(t0 + 2 * 3_600_000)).toEqual({ recomputed: 2, pending: 0 });
      const windows = await after.readRollups({ site: "ward-1", kind: "icmp", resolution: "5m", from: t0, to: t0 + 3_600_000 });
      expect(windows.map((row) => [row.link, row.windowTs, row.fields.sent?.count])).toEqual([["internet", t0, 5], ["tslcd", t0, 5]]);
      const hours = await after.readRollups({ site: "ward-1", kind: "icmp", resolution: "1h", from: t0, to: t0 + 3_600_000 });
      expect(hours.map((row) => [row.link, row.windowTs, row.fields.sent?.count])).toEqual([["internet", t0, 5], ["tslcd", t0, 5]]);
    } finally {
      await after.close();
    }
    // Rolled up, the marks are gone: a store opened on the file finds nothing to do.
    const again = await openInfluxSampleStore(config, deps);
    expect(await again.rollUp(t0 + 2 * 3_600_000)).toEqual({ recomputed: 0, pending: 0 });
    await again.close();
  });
});
