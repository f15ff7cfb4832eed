/**
 * Throughput of the sample stores (collector/store/samples/) beside the engine written to directly, in the same run:
 * SqliteSampleStore.write vs raw better-sqlite3 inserts of the same rows into the same table, and
 * InfluxSampleStore.write vs `influx` writePoints of the same points, in batches of 500 (an agent push). The direct
 * writers get their rows and points built beforehand, so the ratio charges the store with all its own work (mapping
 * fields from the kind declarations, identity, rollup marks). Prints figures only.
 */
import Database from "better-sqlite3";
import { InfluxDB, type IPoint } from "influx";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { InfluxSampleStore } from "../collector/store/samples/influxdb.js";
import type { SampleRecord } from "../collector/store/samples/sampleStore.js";
import { SqliteSampleStore } from "../collector/store/samples/sqlite.js";
import { ensureSampleSchema } from "../collector/store/samples/sqliteSampleSchema.js";
import { fieldNamesOf, storedValues } from "../collector/store/samples/storedValues.js";
import { tagsOf } from "../collector/store/samples/influxQueries.js";
import { startInfluxd, type Influxd } from "../tests/helpers/influxd.js";

const BATCH = 500;
const SITES = 50;

/** `total` ICMP records over SITES sites and two links, 10 s apart per (site, link), ending now. */
export function benchRecords(total: number): SampleRecord[] {
  const perSite = Math.ceil(total / SITES / 2);
  const start = Date.now() - perSite * 10_000 - 60_000;
  const records: SampleRecord[] = [];
  for (let i = 0; i < total; i++) {
    const site = `ward-${Math.floor(i / BATCH) % SITES}`;
    const round = Math.floor(i / (BATCH * SITES)) * (BATCH / 2) + Math.floor((i % BATCH) / 2);
    const link = i % 2 === 0 ? "tslcd" : "internet";
    const ts = start + round * 10_000;
    const rtt = 10 + (i % 13);
    records.push({
      site,
      provider: link === "tslcd" ? "vnpt" : "viettel",
      ts,
      agentTs: ts,
      sample: { kind: "icmp", seq: i, ts, role: "link", link, probe: "icmp:10.0.0.1", target: "10.0.0.1", round, roundSize: 1, ok: true, sent: 5, received: 5, lossPct: 0, rttMinMs: rtt - 1, rttAvgMs: rtt, rttMaxMs: rtt + 3, rttStddevMs: 0.7 },
    });
  }
  return records;
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function line(label: string, rows: number, seconds: number): number {
  const rate = rows / seconds;
  console.log(`${label.padEnd(44)} ${String(rows).padStart(8)} samples ${seconds.toFixed(3).padStart(8)} s ${Math.round(rate).toLocaleString("en-US").padStart(10)} samples/s`);
  return rate;
}

/** SQLite: the store vs raw inserts into an identical table, each in its own file under `dir` (after a warm-up run of each). */
export async function benchSqlite(dir: string, records: SampleRecord[]): Promise<void> {
  const warmUp = records.slice(0, Math.min(records.length, 10_000));
  await runSqlite(join(dir, "warm"), warmUp);
  return runSqlite(dir, records, true);
}

async function runSqlite(dir: string, records: SampleRecord[], print = false): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const retention = { rawRetentionMs: 30 * 86_400_000, rollupRetentionMs: 400 * 86_400_000, retentionChunkRows: 2000 };
  const store = SqliteSampleStore.open(join(dir, "store.db"), retention, Date.now);
  const viaStore = await timed(async () => {
    for (let i = 0; i < records.length; i += BATCH) await store.write(records.slice(i, i + BATCH));
  });
  await store.close();

  const db = new Database(join(dir, "direct.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  ensureSampleSchema(db);
  const columns = ["site", "link", "ts", "probe", "provider", "role", "seq", "agent_ts", ...fieldNamesOf("icmp")];
  const insert = db.prepare(`INSERT OR IGNORE INTO raw_icmp (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
  const rows = records.map((r) => [r.site, r.sample.link ?? "", r.ts, r.sample.probe, r.provider, r.sample.role, r.sample.seq, r.agentTs, ...Object.values(storedValues(r.sample))]);
  const insertBatch = db.transaction((batch: unknown[][]) => {
    for (const row of batch) insert.run(row);
  });
  const direct = await timed(async () => {
    for (let i = 0; i < rows.length; i += BATCH) insertBatch(rows.slice(i, i + BATCH));
  });
  db.close();
  if (!print) return;
  const storeRate = line("sqlite: SqliteSampleStore.write", records.length, viaStore);
  const directRate = line("sqlite: better-sqlite3 inserts, same table", records.length, direct);
  console.log(`sqlite: store / direct = ${(storeRate / directRate).toFixed(2)}`);
}

/**
 * InfluxDB: the store vs writePoints of prebuilt points, each into its own database of one influxd started here,
 * after a warm-up run of each into databases of their own.
 */
export async function benchInflux(records: SampleRecord[]): Promise<void> {
  const influxd = await startInfluxd();
  try {
    await runInflux(influxd, "warm", records.slice(0, Math.min(records.length, 10_000)));
    await runInflux(influxd, "bench", records, true);
  } finally {
    await influxd.remove();
  }
}

async function runInflux(influxd: Influxd, prefix: string, records: SampleRecord[], print = false): Promise<void> {
  {
    const retention = { rawRetentionMs: 30 * 86_400_000, rollupRetentionMs: 400 * 86_400_000 };
    const store = new InfluxSampleStore({ kind: "influxdb", url: influxd.url, database: `${prefix}_store`, username: influxd.username, password: influxd.password, timeoutMs: 30_000, ...retention }, Date.now);
    await store.start();
    const direct = new InfluxDB({ host: "127.0.0.1", port: Number(new URL(influxd.url).port), database: `${prefix}_direct`, username: influxd.username, password: influxd.password });
    await direct.createDatabase(`${prefix}_direct`);
    const points: IPoint[] = records.map((r) => ({
      measurement: "icmp",
      tags: tagsOf({ site: r.site, link: r.sample.link, provider: r.provider, probe: r.sample.probe, role: r.sample.role }),
      fields: { seq: r.sample.seq, agent_ts: r.agentTs, ...Object.fromEntries(Object.entries(storedValues(r.sample)).filter(([, v]) => v !== null)) },
      timestamp: r.ts,
    }));
    const viaStore = await timed(async () => {
      for (let i = 0; i < records.length; i += BATCH) await store.write(records.slice(i, i + BATCH));
    });
    const directSeconds = await timed(async () => {
      for (let i = 0; i < points.length; i += BATCH) await direct.writePoints(points.slice(i, i + BATCH), { precision: "ms" });
    });
    if (!print) return;
    const storeRate = line("influxdb: InfluxSampleStore.write", records.length, viaStore);
    const directRate = line("influxdb: influx writePoints, same points", records.length, directSeconds);
    console.log(`influxdb: store / direct = ${(storeRate / directRate).toFixed(2)}`);
  }
}
