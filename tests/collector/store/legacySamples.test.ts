import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreBreaker } from "../../../collector/health/storeBreaker.js";
import { migrateLegacySamples } from "../../../collector/store/legacySamples.js";
import { SqliteSampleStore } from "../../../collector/store/samples/sqlite.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import type { SiteConfig } from "../../../config/collectorSchema.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 86_400_000;
const SITES = [{ id: "ward-1", links: [{ id: "fiber", provider: "vnpt" }] }] as unknown as SiteConfig[];

/** The copy of wardwatch.db's old samples table into the sample store, on real SQLite files. */
describe("collector/store/legacySamples", () => {
  let dir: string;
  let metadata: SqliteMetadataStore;
  let samples: SqliteSampleStore;
  let breaker: StoreBreaker;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ww-legacy-"));
    metadata = SqliteMetadataStore.open(join(dir, "wardwatch.db"));
    samples = SqliteSampleStore.open(join(dir, "samples.db"), { rawRetentionMs: 30 * 86_400_000, rollupRetentionMs: 400 * 86_400_000, retentionChunkRows: 2000 }, Date.now);
    breaker = new StoreBreaker({
      probe: (nowMs) => samples.probe(nowMs),
      isUnavailable: (err) => samples.isUnavailableError(err),
      policy: { probeIntervalMs: 1000, outageAfterMs: 30_000 },
      now: Date.now,
      logger: memoryLogger("breaker").logger,
    });
  });
  afterEach(async () => {
    metadata.close();
    await samples.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Rows as the store before phase 2 wrote them: ICMP (columns) and HTTP (detail JSON), one that no longer parses. */
  const seedOldRows = (count: number): void => {
    const db = new Database(join(dir, "wardwatch.db"));
    const insert = db.prepare(
      `INSERT INTO samples (site, link_key, seq, ts, agent_ts, role, link, kind, probe, target, ok, latency_ms, loss_pct, sent, received, rtt_min_ms, rtt_avg_ms, rtt_max_ms, rtt_stddev_ms, detail_json, reason, round, round_size)
       VALUES ('ward-1', 'fiber', ?, ?, ?, ?, 'fiber', ?, ?, '10.0.0.1', 1, 12, 0, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 1)`,
    );
    for (let seq = 1; seq <= count; seq++) insert.run(seq, T0 + seq * 10_000, T0 + seq * 10_000 - 5, "link", "icmp", "icmp:10.0.0.1", 5, 5, 10, 12, 15, 1, null, seq);
    insert.run(count + 1, T0, T0, "app", "http", "portal", null, null, null, null, null, null, JSON.stringify({ statusCode: 200, dnsMs: 1, connectMs: 2, tlsMs: null, firstByteMs: 5, totalMs: 9, certDaysLeft: null, redirects: 0, bodyBytes: 100 }), count + 1);
    insert.run(count + 2, T0 + 1, T0 + 1, "link", "icmp", "icmp:bad", -1, 5, 10, 12, 15, 1, null, count + 2); // sent -1: refused by the schema
    db.close();
  };

  it("copies every row in chunks, keeps ts, agent_ts, seq and the link's provider, drops what no longer parses, then drops the table", async () => {
    seedOldRows(25);
    const log = memoryLogger("collector");
    const migration = migrateLegacySamples({ metadata, samples, breaker, sites: SITES, logger: log.logger, chunkRows: 10 });
    await migration.done;
    expect(await samples.listSeqs("ward-1", 0, T0 + 86_400_000)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    expect(await samples.linkOutcomes("ward-1", T0 + 10_000, T0 + 10_000)).toMatchObject([{ ts: T0 + 10_000, link: "fiber", ok: true }]);
    const answer = await samples.querySeries({ site: "ward-1", link: "fiber", kind: "http", metrics: [{ field: "total_ms", stat: "mean" }], from: T0, to: T0 + 1000, stepMs: 1000 });
    expect(answer.values).toEqual([[9]]);
    expect(metadata.legacySamples.exists()).toBe(false);
    expect(log.lines.find((l) => String(l.message).startsWith("samples copied"))).toMatchObject({ copied: 26, skipped: 1 });
  });

  it("a copy started again after a stop rewrites nothing twice (identity) and finishes", async () => {
    seedOldRows(30);
    const first = migrateLegacySamples({ metadata, samples, breaker, sites: SITES, logger: memoryLogger("c").logger, chunkRows: 10 });
    await first.stop();
    const second = migrateLegacySamples({ metadata, samples, breaker, sites: SITES, logger: memoryLogger("c").logger, chunkRows: 10 });
    await second.done;
    expect(await samples.listSeqs("ward-1", 0, T0 + 86_400_000)).toHaveLength(31);
    expect(metadata.legacySamples.exists()).toBe(false);
  });

  it("does nothing on a database whose old table is gone", async () => {
    metadata.legacySamples.drop();
    await migrateLegacySamples({ metadata, samples, breaker, sites: SITES, logger: memoryLogger("c").logger }).done;
    expect(await samples.listSeqs("ward-1", 0, T0 + 86_400_000)).toEqual([]);
  });
});
