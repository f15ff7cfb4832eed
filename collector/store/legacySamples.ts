import type Database from "better-sqlite3";
import type { SiteConfig } from "../../config/collectorSchema.js";
import type { Logger } from "../../config/logger.js";
import { sampleSchema, type Sample } from "../../protocol/sample.js";
import type { StoreBreaker } from "../health/storeBreaker.js";
import type { SampleRecord, SampleStore } from "./samples/sampleStore.js";

/** Rows copied per chunk: one bounded read, one sample store write, one short delete transaction. */
export const LEGACY_CHUNK_ROWS = 2000;

/** How long the copy waits before trying again while the sample store is failing, ms. */
export const LEGACY_RETRY_MS = 5000;

/** One row of the old `samples` table (sqliteSchema.ts, migration 4). */
interface LegacyRow {
  site: string;
  link_key: string;
  seq: number;
  ts: number;
  agent_ts: number;
  role: string;
  link: string | null;
  kind: string;
  probe: string;
  target: string;
  ok: number;
  loss_pct: number;
  sent: number | null;
  received: number | null;
  rtt_min_ms: number | null;
  rtt_avg_ms: number | null;
  rtt_max_ms: number | null;
  rtt_stddev_ms: number | null;
  rtt_median_ms: number | null;
  rtt_p90_ms: number | null;
  jitter_ms: number | null;
  mos: number | null;
  detail_json: string | null;
  reason: string | null;
  round: number;
  round_size: number;
}

/**
 * The old `samples` table of wardwatch.db (samples before the sample stores), read in chunks and emptied as they are
 * copied; dropped once empty. Absent in a database created after it was dropped.
 */
export class LegacySampleTable {
  constructor(private readonly db: Database.Database) {}

  /** Whether the table is still there. */
  exists(): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'samples'").pluck().get() === 1;
  }

  /** Up to `limit` rows, in key order (any rows will do: each chunk is deleted once copied). */
  readChunk(limit: number): LegacyRow[] {
    return this.db.prepare("SELECT * FROM samples ORDER BY site, link_key, probe, ts LIMIT ?").all(limit) as LegacyRow[];
  }

  /** Deletes the given rows (by key) in one transaction. */
  deleteRows(rows: readonly LegacyRow[]): void {
    const remove = this.db.prepare("DELETE FROM samples WHERE site = ? AND link_key = ? AND probe = ? AND ts = ?");
    this.db.transaction(() => {
      for (const row of rows) remove.run(row.site, row.link_key, row.probe, row.ts);
    })();
  }

  /** Drops the (empty) table. */
  drop(): void {
    this.db.exec("DROP TABLE IF EXISTS samples");
  }
}

/** The sample an old row recorded, or null when it no longer parses (logged and skipped: it cannot be stored either). */
export function sampleOfLegacyRow(row: LegacyRow): Sample | null {
  const envelope = { seq: row.seq, ts: row.agent_ts, role: row.role, link: row.link, probe: row.probe, target: row.target, round: row.round, roundSize: row.round_size, ok: row.ok === 1, ...(row.reason === null ? {} : { reason: row.reason }) };
  const icmp = {
    sent: row.sent,
    received: row.received,
    lossPct: row.loss_pct,
    rttMinMs: row.rtt_min_ms,
    rttAvgMs: row.rtt_avg_ms,
    rttMaxMs: row.rtt_max_ms,
    rttStddevMs: row.rtt_stddev_ms,
    rttMedianMs: row.rtt_median_ms,
    rttP90Ms: row.rtt_p90_ms,
    jitterMs: row.jitter_ms,
    mos: row.mos,
  };
  const detail = row.kind === "icmp" ? icmp : (JSON.parse(row.detail_json ?? "{}") as Record<string, unknown>);
  const parsed = sampleSchema.safeParse({ ...envelope, kind: row.kind, ...detail });
  return parsed.success ? parsed.data : null;
}

/** What the copy works from. */
export interface LegacyMigrationDeps {
  metadata: { legacySamples: LegacySampleTable };
  samples: Pick<SampleStore, "write">;
  /** The sample store's breaker: chunks are written through it, and the copy waits while it is failing. */
  breaker: Pick<StoreBreaker, "writable" | "writeAsync">;
  /** The configured sites: a link's provider, for the records. */
  sites: readonly SiteConfig[];
  logger: Logger;
  chunkRows?: number;
  retryMs?: number;
}

/** The copy under way. */
export interface LegacyMigration {
  /** Resolves when the old table is gone (or the copy stopped). */
  readonly done: Promise<void>;
  /** Stops after the chunk under way; resolves when it has. */
  stop(): Promise<void>;
}

/**
 * Copies the old `samples` table of wardwatch.db into the sample store, off the ingest path: a chunk at a time (a
 * bounded read, an awaited write through the sample store's breaker, then the chunk deleted), yielding to the event
 * loop between chunks, so ingest goes on. Writes are idempotent by identity, so a copy interrupted between the write
 * and the delete (a crash, a stop) only rewrites that chunk at the next start. Rows that no longer parse are logged
 * and dropped; rows past the raw retention are dropped by the store (expired). The table is dropped once empty.
 */
export function migrateLegacySamples(deps: LegacyMigrationDeps): LegacyMigration {
  const { metadata, samples, breaker, logger } = deps;
  const table = metadata.legacySamples;
  const chunkRows = deps.chunkRows ?? LEGACY_CHUNK_ROWS;
  const retryMs = deps.retryMs ?? LEGACY_RETRY_MS;
  const providers = new Map(deps.sites.flatMap((site) => site.links.map((link) => [`${site.id}/${link.id}`, link.provider] as const)));
  let stopped = false;
  let wake: (() => void) | null = null;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const run = async (): Promise<void> => {
    if (!table.exists()) return;
    let copied = 0;
    let skipped = 0;
    logger.info("copying samples from wardwatch.db into the sample store");
    while (!stopped) {
      const rows = table.readChunk(chunkRows);
      if (rows.length === 0) break;
      const records: SampleRecord[] = [];
      for (const row of rows) {
        const sample = sampleOfLegacyRow(row);
        if (!sample) {
          skipped++;
          continue;
        }
        const provider = sample.link === null ? null : (providers.get(`${row.site}/${sample.link}`) ?? null);
        records.push({ site: row.site, provider, ts: row.ts, agentTs: row.agent_ts, sample });
      }
      try {
        if (!breaker.writable) throw new Error("the sample store is failing");
        await breaker.writeAsync(() => samples.write(records));
      } catch (err) {
        logger.warn("sample copy from wardwatch.db paused: the sample store did not take a chunk; tried again", { err, retryMs });
        await pause(retryMs);
        continue;
      }
      table.deleteRows(rows);
      copied += records.length;
      await new Promise<void>((resolve) => setImmediate(resolve)); // ingest gets the event loop between chunks
    }
    if (stopped) {
      logger.info("sample copy from wardwatch.db stopped; resumed at the next start", { copied });
      return;
    }
    table.drop();
    logger.info("samples copied from wardwatch.db into the sample store; the old table is dropped", { copied, skipped });
  };

  const done = run().catch((err: unknown) => {
    logger.error("sample copy from wardwatch.db failed; tried again at the next start", { err });
  });
  return {
    done,
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}
