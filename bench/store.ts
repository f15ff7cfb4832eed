/**
 * Throughput of the collector's sample write path: SqliteSampleStore.write through the sample store's breaker
 * (StoreBreaker.writeAsync, as the ingest write stage does), in batches of 500, the size an agent push carries.
 * Two layouts: "per-site" batches (what /ingest does: one push is one site's samples, seq increasing), and
 * "interleaved" batches mixing all sites row by row, a worst case that dirties many more pages per commit.
 * Then the sample stores (bench/sampleStores.ts): SqliteSampleStore and InfluxSampleStore beside direct writes to
 * their engines, in the same run (an influxd is started for it, see tests/helpers/influxd.ts).
 * Prints figures only; it asserts nothing. Build with `npx tsc -p tsconfig.build.json`, then
 * `node dist/bench/store.js [totalRows] [sampleStoreRows]` (defaults 200,000 and 100,000).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreBreaker } from "../collector/health/storeBreaker.js";
import type { SampleRecord } from "../collector/store/samples/sampleStore.js";
import { SqliteSampleStore } from "../collector/store/samples/sqlite.js";
import { createLogger } from "../config/logger.js";
import { benchInflux, benchRecords, benchSqlite } from "./sampleStores.js";

const BATCH_SIZE = 500;
const SITES = 50;
const LINKS = ["fiber", "adsl"];
/** The first round: recent enough that the raw retention (30 days) keeps every sample. */
const t0 = Math.floor((Date.now() - 20 * 86_400_000) / 3_600_000) * 3_600_000;

type Layout = "per-site" | "interleaved";

/** `total` samples over SITES sites and two links, seq increasing per site, one round every 10 s. */
function makeSamples(total: number, layout: Layout): SampleRecord[] {
  const samples: SampleRecord[] = [];
  for (let i = 0; i < total; i++) {
    let site: string;
    let seq: number;
    if (layout === "interleaved") {
      site = `ward-${i % SITES}`;
      seq = Math.floor(i / SITES);
    } else {
      // Batch b belongs to site b % SITES and holds that site's next BATCH_SIZE seqs.
      const batch = Math.floor(i / BATCH_SIZE);
      site = `ward-${batch % SITES}`;
      seq = Math.floor(batch / SITES) * BATCH_SIZE + (i % BATCH_SIZE);
    }
    const failed = i % 97 === 0;
    const ts = t0 + seq * 10_000;
    samples.push({
      site,
      provider: "vnpt",
      ts,
      agentTs: ts,
      sample: {
        seq,
        ts,
        kind: "icmp",
    role: "link",
        link: LINKS[seq % LINKS.length] as string,
        probe: "gateway",
        target: "10.0.0.1",
        round: seq,
        roundSize: 1,
        ok: !failed,
        sent: 5,
        received: failed ? 0 : 5,
        lossPct: failed ? 100 : 0,
        rttMinMs: failed ? null : 8 + (i % 5),
        rttAvgMs: failed ? null : 12 + (i % 7),
        rttMaxMs: failed ? null : 20 + (i % 11),
        rttStddevMs: failed ? null : 1.5,
        ...(failed ? { reason: "timeout" } : {}),
      },
    });
  }
  return samples;
}

async function writeAll(store: SqliteSampleStore, breaker: StoreBreaker, samples: SampleRecord[]): Promise<{ seconds: number; inserted: number; duplicates: number }> {
  let inserted = 0;
  let duplicates = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < samples.length; i += BATCH_SIZE) {
    const batch = samples.slice(i, i + BATCH_SIZE);
    const result = await breaker.writeAsync(() => store.write(batch));
    inserted += result.written;
    duplicates += result.duplicates ?? 0;
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, inserted, duplicates };
}

function report(label: string, rows: number, seconds: number): void {
  const rowsPerSecond = Math.round(rows / seconds);
  console.log(`${label.padEnd(50)} ${String(rows).padStart(8)} rows  ${seconds.toFixed(3).padStart(7)} s  ${rowsPerSecond.toLocaleString("en-US").padStart(10)} rows/s`);
}

async function benchmark(label: string, path: string, samples: SampleRecord[]): Promise<void> {
  const store = SqliteSampleStore.open(path, { rawRetentionMs: 30 * 86_400_000, rollupRetentionMs: 400 * 86_400_000, retentionChunkRows: 2000 }, Date.now);
  const breaker = new StoreBreaker({
    probe: (nowMs) => store.probe(nowMs),
    isUnavailable: (err) => store.isUnavailableError(err),
    policy: { probeIntervalMs: 1000, outageAfterMs: 30_000 },
    now: Date.now,
    logger: createLogger("error", "bench"),
  });
  try {
    const fresh = await writeAll(store, breaker, samples);
    report(`${label}: new rows`, fresh.inserted, fresh.seconds);
    const resend = await writeAll(store, breaker, samples);
    report(`${label}: resent (all duplicates)`, resend.duplicates, resend.seconds);

    const queries = 200;
    const start = process.hrtime.bigint();
    for (let q = 0; q < queries; q++) {
      const metrics = [{ field: "rtt_avg_ms", stat: "mean" as const }, { field: "loss_pct", stat: "mean" as const }, { field: "jitter_ms", stat: "mean" as const }, { field: "mos", stat: "mean" as const }];
      await store.querySeries({ site: `ward-${q % SITES}`, link: "fiber", kind: "icmp", role: "link", metrics, from: t0, to: t0 + 86_400_000, stepMs: 60_000 });
    }
    const ms = Number(process.hrtime.bigint() - start) / 1e6 / queries;
    console.log(`${`${label}: querySeries 1 day / 1 min, 4 metrics`.padEnd(50)} ${ms.toFixed(2)} ms per query`);
  } finally {
    await store.close();
  }
}

const total = Number(process.argv[2] ?? 200_000);
console.log(`batches of ${BATCH_SIZE}, ${SITES} sites, ${total} rows per run, node ${process.version}`);
const dir = mkdtempSync(join(tmpdir(), "wardwatch-bench-store-"));
try {
  for (const layout of ["per-site", "interleaved"] as const) {
    const samples = makeSamples(total, layout);
    await benchmark(`file, ${layout}`, join(dir, `${layout}.db`), samples);
    await benchmark(`:memory:, ${layout}`, ":memory:", samples);
  }
  const sampleStoreRows = Number(process.argv[3] ?? 100_000);
  console.log(`\nsample stores: ${sampleStoreRows} samples in batches of 500, ${50} sites`);
  const records = benchRecords(sampleStoreRows);
  await benchSqlite(dir, records);
  await benchInflux(records);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
