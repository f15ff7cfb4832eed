/**
 * `bench/sampleWriteHold.ts`: how long one batch write of the SQLite sample store holds the collector's event loop.
 * better-sqlite3 is synchronous, so `SqliteSampleStore.write` runs its whole transaction before anything else (an API
 * request, a live frame) gets the thread. Writes batches of each size (a live push of a site's last rounds up to a
 * backfill's 5,000 records) into a store on disk, one after another, new records every time, and prints the time each
 * write held the thread, p50 / p99 / max, per batch and per record. Prints only; asserts nothing.
 * `npm run build && node dist/bench/sampleWriteHold.js [--batches 400]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SqliteSampleStore } from "../collector/store/samples/sqlite.js";
import { benchRecords } from "./sampleStores.js";

/** Batch sizes measured, records: a live push (a few rounds of two links), a bigger push, an agent's batch, a backfill batch. */
const BATCH_SIZES = [4, 40, 500, 5000];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { batches: { type: "string", default: "400" } } });
  const batches = Number(values.batches);
  if (!Number.isInteger(batches) || batches < 10 || batches > 100_000) throw new Error(`--batches must be a whole number from 10 to 100000, got '${values.batches}'`);
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}; ${batches} writes per batch size (5000: a tenth of them), one SQLite store on disk`);
  const dir = mkdtempSync(join(tmpdir(), "wardwatch-bench-write-hold-"));
  try {
    const retention = { rawRetentionMs: 30 * 86_400_000, rollupRetentionMs: 400 * 86_400_000, retentionChunkRows: 2000 };
    const store = SqliteSampleStore.open(join(dir, "samples.db"), retention, Date.now);
    // One pool of distinct records (50 sites, two links), handed out in order: every write inserts new rows.
    const counts = BATCH_SIZES.map((size) => (size >= 5000 ? Math.max(2, Math.round(batches / 10)) : batches));
    const pool = benchRecords(BATCH_SIZES.reduce((sum, size, i) => sum + size * counts[i]!, 0));
    let next = 0;
    for (const [i, size] of BATCH_SIZES.entries()) {
      const held: number[] = [];
      for (let b = 0; b < counts[i]!; b++) {
        const batch = pool.slice(next, next + size);
        next += size;
        const start = performance.now();
        await store.write(batch);
        held.push(performance.now() - start);
      }
      held.sort((a, b) => a - b);
      const at = (q: number): number => held[Math.min(held.length - 1, Math.floor(q * held.length))]!;
      console.log(
        `  batch of ${String(size).padStart(4)} records: held p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms, max ${held.at(-1)!.toFixed(2)} ms` +
          ` (${((at(0.5) * 1000) / size).toFixed(1)} µs per record at p50; ${held.length} writes)`,
      );
    }
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error("bench failed:", err);
  process.exit(1);
});
