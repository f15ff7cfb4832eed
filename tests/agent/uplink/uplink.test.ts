import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REFUSED_FILE_NAME, RefusedRecordStore } from "../../../agent/spool/refusedRecords.js";
import { Uplink, VERSION_RETRY_MS, type UplinkSpool } from "../../../agent/uplink/uplink.js";
import { makeTempDir } from "../spool/spoolFixtures.js";
import { memoryLogger, type MemoryLogger } from "../../helpers/memoryLogger.js";
import type { IngestBatch } from "../../../protocol/ingest.js";
import { icmpSample } from "../../helpers/batches.js";

/** An in-memory spool holding records 1..n (the real spool has its own tests; this checks the uplink's protocol). */
function memorySpool(n: number): UplinkSpool & { acked: number } {
  const records = Array.from({ length: n }, (_, i) => ({ seq: i + 1, body: { kind: "sample" as const, sample: icmpSample(i + 1) } }));
  return {
    acked: 0,
    readPending(limit) {
      return records.filter((r) => r.seq > this.acked).slice(0, limit);
    },
    ack(lastSeq) {
      this.acked = Math.max(this.acked, lastSeq);
    },
    stats() {
      return { pendingRecords: records.filter((r) => r.seq > this.acked).length, droppedRecords: 0 };
    },
  };
}

type Reply = (batch: IngestBatch, res: ServerResponse) => void;

/**
 * A real HTTP server on loopback answering each POST under `prefix` with the next reply (the last one repeats), and
 * 404 to anything else.
 */
async function scriptedCollector(replies: Reply[], prefix = ""): Promise<{ url: string; batches: IngestBatch[]; headers: IncomingMessage["headers"][]; server: Server; served: Promise<void> }> {
  const batches: IngestBatch[] = [];
  const headers: IncomingMessage["headers"][] = [];
  let served!: () => void;
  const servedAll = new Promise<void>((resolve) => (served = resolve));
  const server = createServer((req, res) => {
    if (req.url !== `${prefix}/api/v1/ingest`) {
      res.writeHead(404).end("not here");
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const batch = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString()) as IngestBatch;
      batches.push(batch);
      headers.push(req.headers);
      const reply = replies[Math.min(batches.length - 1, replies.length - 1)]!;
      reply(batch, res);
      if (batches.length >= replies.length) served();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, batches, headers, server, served: servedAll };
}

const ok: Reply = (batch, res) => res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ accepted: batch.samples.length, duplicates: 0, lastSeq: batch.samples.at(-1)?.seq ?? null, clockOffsetMs: 0 }));
const status = (code: number, error: string, extra: Record<string, string> = {}): Reply => (_batch, res) => res.writeHead(code, { "Content-Type": "application/json", ...extra }).end(JSON.stringify({ error, message: error }));

describe("agent/uplink/uplink", () => {
  let uplink: Uplink | null = null;
  let server: Server | null = null;
  let temp: ReturnType<typeof makeTempDir>;
  let refused: RefusedRecordStore;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(async () => {
    await uplink?.stop();
    server?.close();
    uplink = null;
    temp.remove();
  });

  function start(url: string, spool: UplinkSpool, batchSize = 2, now: () => number = Date.now): MemoryLogger {
    const log = memoryLogger("agent");
    refused = RefusedRecordStore.open({ dir: temp.dir, logger: log.logger });
    const logger = log.logger;
    uplink = new Uplink({
      site: "tan-phong",
      agentVersion: "test",
      urls: [url],
      token: "ww_secret",
      pushIntervalMs: 60_000,
      batchSize,
      requestTimeoutMs: 2000,
      minBackoffMs: 10,
      maxBackoffMs: 50,
      spool,
      refused,
      snapshot: () => [{ link: "tslcd", state: "up", sinceTs: 1 }],
      pushLinks: () => [],
      logger,
      now,
      random: () => 1,
    });
    uplink.start();
    return log;
  }

  it("sends the backlog oldest first, gzip with the bearer token, and acknowledges each stored batch", async () => {
    const collector = await scriptedCollector([ok, ok, ok]);
    server = collector.server;
    const spool = memorySpool(5);
    const log = start(collector.url, spool);
    await log.waitForLine((l) => l.message === "pushed" && l.lastSeq === 5);
    expect(collector.batches.map((b) => b.samples.map((s) => s.seq))).toEqual([[1, 2], [3, 4], [5]]);
    expect(collector.headers[0]!.authorization).toBe("Bearer ww_secret");
    expect(collector.headers[0]!["content-encoding"]).toBe("gzip");
    expect(collector.batches[0]!.snapshot).toEqual([{ link: "tslcd", state: "up", sinceTs: 1 }]);
    expect(collector.batches[0]!.spool.pendingRecords).toBe(5);
    await uplink!.stop();
    expect(spool.acked).toBe(5);
  });

  it("says in the Wardwatch-Backlog header how many records are still pending after each batch (0: a live push), a retry included", async () => {
    const collector = await scriptedCollector([ok, status(429, "busy", { "Retry-After": "0" }), ok, ok]);
    server = collector.server;
    const spool = memorySpool(5);
    const log = start(collector.url, spool);
    await log.waitForLine((l) => l.message === "pushed" && l.lastSeq === 5);
    expect(collector.batches.map((b) => b.samples.map((s) => s.seq))).toEqual([[1, 2], [3, 4], [3, 4], [5]]);
    expect(collector.headers.map((h) => h["wardwatch-backlog"])).toEqual(["3", "1", "1", "0"]);
  });

  it("pushes at once when told a link changed state, instead of waiting for the push interval", async () => {
    const collector = await scriptedCollector([ok, ok]);
    server = collector.server;
    const spool = memorySpool(1);
    const log = start(collector.url, spool);
    await log.waitForLine((l) => l.message === "pushed" && l.lastSeq === 1);
    // The push interval is a minute: without pushSoon nothing would go out now.
    uplink!.pushSoon();
    await collector.served;
    expect(collector.batches).toHaveLength(2);
  });

  it("treats a 409 replay as acknowledged", async () => {
    const collector = await scriptedCollector([status(409, "replay"), ok]);
    server = collector.server;
    const spool = memorySpool(3);
    start(collector.url, spool);
    await collector.served;
    expect(collector.batches[1]!.samples[0]!.seq).toBe(3);
  });

  it("retries a 5xx, then honours Retry-After on 429, without acknowledging", async () => {
    const collector = await scriptedCollector([status(503, "store_unavailable"), status(429, "busy", { "Retry-After": "0" }), ok]);
    server = collector.server;
    const spool = memorySpool(2);
    const { lines: logs } = start(collector.url, spool);
    await collector.served;
    expect(collector.batches.map((b) => b.samples.map((s) => s.seq))).toEqual([[1, 2], [1, 2], [1, 2]]);
    const failures = logs.filter((l) => l.message === "push failed");
    expect(failures.map((l) => [l.status, l.retryInMs])).toEqual([
      [503, 10],
      [429, 0],
    ]);
    expect(JSON.stringify(logs)).not.toContain("ww_secret");
  });

  it("halves the batch after a 413", async () => {
    const collector = await scriptedCollector([status(413, "body_too_large"), ok, ok]);
    server = collector.server;
    start(collector.url, memorySpool(4), 4);
    await collector.served;
    expect(collector.batches.map((b) => b.samples.length)).toEqual([4, 2, 2]);
  });

  it("keeps everything unacknowledged while the collector cannot be reached", async () => {
    const collector = await scriptedCollector([ok]);
    collector.server.close();
    const spool = memorySpool(3);
    const log = start(collector.url, spool);
    await log.waitForLine((l) => l.message === "push failed" && l.attempt === 3);
    expect(spool.acked).toBe(0);
    expect(uplink!.status().consecutiveFailures).toBeGreaterThanOrEqual(3);
    expect(uplink!.status().lastError).toBe("ECONNREFUSED");
  });

  describe("records the collector refuses", () => {
    it("sets aside the records a 200 answer refuses, acknowledges the batch, logs each once and reports the count", async () => {
      const refuseSeq2: Reply = (batch, res) =>
        res.writeHead(200, { "Content-Type": "application/json" }).end(
          JSON.stringify({ accepted: 2, duplicates: 0, lastSeq: 3, clockOffsetMs: 0, refused: [{ seq: 2, error: "unknown_link", message: "samples[1].link: unknown link 'fpt'" }] }),
        );
      const collector = await scriptedCollector([refuseSeq2, ok]);
      server = collector.server;
      const spool = memorySpool(3);
      const log = start(collector.url, spool, 3);
      await log.waitForLine((l) => l.message === "pushed" && l.lastSeq === 3);
      expect(spool.acked).toBe(3);
      expect(refused.total()).toBe(1);
      expect(refused.recent(5)).toEqual([
        expect.objectContaining({ seq: 2, error: "unknown_link", message: "samples[1].link: unknown link 'fpt'", record: expect.objectContaining({ seq: 2, kind: "icmp" }) }),
      ]);
      expect(log.lines.filter((l) => l.message === "collector refused a record; set aside")).toEqual([expect.objectContaining({ level: "warn", seq: 2, error: "unknown_link" })]);
      // Kept on disk, owner-only, and counted in the next batch.
      expect(statSync(join(temp.dir, REFUSED_FILE_NAME)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(temp.dir, REFUSED_FILE_NAME), "utf8")).toContain('"seq":2');
      uplink!.pushSoon();
      await collector.served;
      expect(collector.batches[0]!.spool.refusedRecords).toBe(0);
      expect(collector.batches[1]!.spool.refusedRecords).toBe(1);
      expect(JSON.stringify(log.lines)).not.toContain("ww_secret");
    });

    it("never compares the collector's seqs with its own (they restart with the spool): a lastSeq or refused seq from before is ignored", async () => {
      const fromBefore: Reply = (_batch, res) =>
        res.writeHead(200, { "Content-Type": "application/json" }).end(
          JSON.stringify({ accepted: 2, duplicates: 0, lastSeq: 987_654, clockOffsetMs: 0, refused: [{ seq: 987_000, error: "unknown_link", message: "samples[0].link: unknown link" }] }),
        );
      const collector = await scriptedCollector([fromBefore]);
      server = collector.server;
      const spool = memorySpool(2);
      const log = start(collector.url, spool);
      await log.waitForLine((l) => l.message === "pushed" && l.lastSeq === 2);
      expect(spool.acked).toBe(2);
      expect(refused.total()).toBe(0);
      expect(log.lines).toContainEqual(expect.objectContaining({ message: "collector refused a seq that is not in the batch; ignored", seq: 987_000 }));
    });

    it("takes an old collector's 200 without `refused` as every record stored", async () => {
      const collector = await scriptedCollector([ok]);
      server = collector.server;
      const spool = memorySpool(2);
      const log = start(collector.url, spool);
      await log.waitForLine((l) => l.message === "pushed" && l.lastSeq === 2);
      expect(spool.acked).toBe(2);
      expect(refused.total()).toBe(0);
    });

    it("acknowledges nothing on a 200 that is not an ingest answer (a proxy's page)", async () => {
      const proxyPage: Reply = (_batch, res) => res.writeHead(200, { "Content-Type": "text/html" }).end("<html>Welcome to the hotel wifi</html>");
      const collector = await scriptedCollector([proxyPage, proxyPage]);
      server = collector.server;
      const spool = memorySpool(2);
      const log = start(collector.url, spool);
      await log.waitForLine((l) => l.message === "push failed" && l.attempt === 2);
      expect(spool.acked).toBe(0);
      expect(uplink!.status().lastError).toBe("the 200 answer is not JSON");
    });

    it("isolates a record a version 1 collector keeps refusing with a 400 naming it, sets it aside and sends the rest", async () => {
      // Like a version 1 collector: the whole batch is refused for the one record with seq 3.
      const v1Collector: Reply = (batch, res) => {
        const index = batch.samples.findIndex((sample) => sample.seq === 3);
        if (index < 0) return ok(batch, res);
        res.writeHead(400, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "unknown_link", message: `samples[${index}].link: unknown link 'fpt' for site 'tan-phong'` }));
      };
      const collector = await scriptedCollector([v1Collector]);
      server = collector.server;
      const spool = memorySpool(5);
      const log = start(collector.url, spool, 5);
      await log.waitForLine((l) => l.message === "pushed" && l.lastSeq === 5);
      expect(collector.batches.map((b) => b.samples.map((s) => s.seq))).toEqual([[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2], [3, 4, 5], [4, 5]]);
      expect(spool.acked).toBe(5);
      expect(refused.recent(5)).toEqual([expect.objectContaining({ seq: 3, error: "unknown_link", message: "samples[0].link: unknown link 'fpt' for site 'tan-phong'" })]);
    });

    it("keeps resending (with backoff) a batch refused by a 400 that names no record", async () => {
      const collector = await scriptedCollector([status(400, "invalid_batch")]);
      server = collector.server;
      const spool = memorySpool(2);
      const log = start(collector.url, spool);
      await log.waitForLine((l) => l.message === "push failed" && l.attempt === 5);
      expect(spool.acked).toBe(0);
      expect(refused.total()).toBe(0);
    });

    it("sends protocol version 1 to a collector that refuses version 2", async () => {
      const v1Only: Reply = (batch, res) => {
        if (batch.version === 1) return ok(batch, res);
        res.writeHead(400, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "invalid_batch", message: "version: Invalid input: expected 1; spool: Unrecognized key: \"refusedRecords\"" }));
      };
      const collector = await scriptedCollector([v1Only]);
      server = collector.server;
      const spool = memorySpool(2);
      const log = start(collector.url, spool);
      await log.waitForLine((l) => l.message === "pushed" && l.lastSeq === 2);
      expect(collector.batches.map((b) => b.version)).toEqual([2, 1]);
      expect(collector.batches[1]!.spool).toEqual({ pendingRecords: 2, droppedRecords: 0 });
      expect(log.lines.some((l) => l.message === "collector does not accept protocol version 2; sending version 1")).toBe(true);
    });

    it("tries the current version again an hour after falling back, so an upgraded collector gets version 2", async () => {
      let clockMs = 1_000_000;
      const refuseV2: Reply = (batch, res) => {
        if (batch.version === 1) return ok(batch, res);
        res.writeHead(400, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "invalid_batch", message: "version: Invalid input: expected 1" }));
      };
      // The v1 batch is taken, then the collector is upgraded an hour later.
      const takeV1ThenUpgrade: Reply = (batch, res) => {
        clockMs += VERSION_RETRY_MS;
        ok(batch, res);
      };
      const collector = await scriptedCollector([refuseV2, takeV1ThenUpgrade, ok]);
      server = collector.server;
      const spool = memorySpool(4);
      const log = start(collector.url, spool, 2, () => clockMs);
      await log.waitForLine((l) => l.message === "pushed" && l.lastSeq === 4);
      expect(collector.batches.map((b) => b.version)).toEqual([2, 1, 2]);
      expect(collector.batches[2]!.spool).toHaveProperty("refusedRecords");
    });
  });

  it.each(["/wardwatch", "/wardwatch/"])("keeps the collector URL's path prefix (%s) behind a reverse proxy", async (suffix) => {
    const collector = await scriptedCollector([ok], "/wardwatch");
    server = collector.server;
    const spool = memorySpool(1);
    const log = start(`${collector.url}${suffix}`, spool);
    await log.waitForLine((l) => l.message === "pushed" && l.lastSeq === 1);
    expect(spool.acked).toBe(1);
  });
});
