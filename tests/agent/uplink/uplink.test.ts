import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { Uplink, type UplinkSpool } from "../../../agent/uplink/uplink.js";
import { memoryLogger, type MemoryLogger } from "../../helpers/memoryLogger.js";
import type { IngestBatch } from "../../../protocol/ingest.js";
import { icmpSample } from "../../helpers/batches.js";

/** An in-memory spool holding records 1..n (the real spool has its own tests; this checks the uplink's protocol). */
function memorySpool(n: number): UplinkSpool & { acked: number } {
  const records = Array.from({ length: n }, (_, i) => {
    const { seq: _seq, ...body } = icmpSample(i + 1);
    return { seq: i + 1, body };
  });
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

/** A real HTTP server on loopback answering each POST with the next reply (the last one repeats). */
async function scriptedCollector(replies: Reply[]): Promise<{ url: string; batches: IngestBatch[]; headers: IncomingMessage["headers"][]; server: Server; served: Promise<void> }> {
  const batches: IngestBatch[] = [];
  const headers: IncomingMessage["headers"][] = [];
  let served!: () => void;
  const servedAll = new Promise<void>((resolve) => (served = resolve));
  const server = createServer((req, res) => {
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
  afterEach(async () => {
    await uplink?.stop();
    server?.close();
    uplink = null;
  });

  function start(url: string, spool: UplinkSpool, batchSize = 2): MemoryLogger {
    const log = memoryLogger("agent");
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
      snapshot: () => [{ link: "tslcd", state: "up", sinceTs: 1 }],
      pushLinks: () => [],
      logger,
      now: Date.now,
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
});
