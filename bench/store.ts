/**
 * Throughput of SqliteStore.writeSamples in batches of 500, the size an agent push carries.
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
import { SqliteStore } from "../collector/store/sqlite.js";
import type { StoredSample } from "../collector/store/store.js";
import { benchInflux, benchRecords, benchSqlite } from "./sampleStores.js";

const BATCH_SIZE = 500;
const SITES = 50;
const LINKS = ["fiber", "adsl"];
const T0 = 1_700_000_000_000;

type Layout = "per-site" | "interleaved";

/** `total` samples over SITES sites and two links, seq increasing per site, one round every 10 s. */
function makeSamples(total: number, layout: Layout): StoredSample[] {
  const samples: StoredSample[] = [];
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
    const ts = T0 + seq * 10_000;
    samples.push({
      site,
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

function writeAll(store: SqliteStore, samples: StoredSample[]): { seconds: number; inserted: number; duplicates: number } {
  let inserted = 0;
  let duplicates = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < samples.length; i += BATCH_SIZE) {
    const result = store.writeSamples(samples.slice(i, i + BATCH_SIZE));
    inserted += result.inserted;
    duplicates += result.duplicates;
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, inserted, duplicates };
}

function report(label: string, rows: number, seconds: number): void {
  const rowsPerSecond = Math.round(rows / seconds);
  console.log(`${label.padEnd(50)} ${String(rows).padStart(8)} rows  ${seconds.toFixed(3).padStart(7)} s  ${rowsPerSecond.toLocaleString("en-US").padStart(10)} rows/s`);
}

function benchmark(label: string, path: string, samples: StoredSample[]): void {
  const store = SqliteStore.open(path);
  try {
    const fresh = writeAll(store, samples);
    report(`${label}: new rows`, fresh.inserted, fresh.seconds);
    const resend = writeAll(store, samples);
    report(`${label}: resent (all duplicates)`, resend.duplicates, resend.seconds);

    const queries = 200;
    const start = process.hrtime.bigint();
    for (let q = 0; q < queries; q++) {
      store.querySeries({ site: `ward-${q % SITES}`, link: "fiber", metric: "rtt_avg", from: T0, to: T0 + 86_400_000, stepMs: 60_000 });
    }
    const ms = Number(process.hrtime.bigint() - start) / 1e6 / queries;
    console.log(`${`${label}: querySeries 1 day / 1 min`.padEnd(50)} ${ms.toFixed(2)} ms per query`);
  } finally {
    store.close();
  }
}

const total = Number(process.argv[2] ?? 200_000);
console.log(`batches of ${BATCH_SIZE}, ${SITES} sites, ${total} rows per run, node ${process.version}`);
const dir = mkdtempSync(join(tmpdir(), "wardwatch-bench-store-"));
try {
  for (const layout of ["per-site", "interleaved"] as const) {
    const samples = makeSamples(total, layout);
    benchmark(`file, ${layout}`, join(dir, `${layout}.db`), samples);
    benchmark(`:memory:, ${layout}`, ":memory:", samples);
  }
  const sampleStoreRows = Number(process.argv[3] ?? 100_000);
  console.log(`\nsample stores: ${sampleStoreRows} samples in batches of 500, ${50} sites`);
  const records = benchRecords(sampleStoreRows);
  await benchSqlite(dir, records);
  await benchInflux(records);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
