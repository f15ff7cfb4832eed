import { createServer, type Server } from "node:http";
import { once } from "node:events";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { ingestBatchSchema } from "../../protocol/ingest.js";
import { batchBody, buildBatch, linkSnapshot } from "../../simulator/batchBuilder.js";
import { AGENT_PUSH_DEFAULTS, SimulatedAgent, type AcknowledgedPush, type PushObserver } from "../../simulator/pushLoop.js";
import { SimulatedSpool } from "../../simulator/siteSpool.js";
import { STORED_SAMPLES } from "../helpers/e2eSetup.js";
import { buildSiteModel, failLink, simulatedSiteId } from "../../simulator/siteModel.js";
import { seededRandom } from "../../simulator/seededRandom.js";
import { startTestCollector, type TestCollector } from "../helpers/collectorHarness.js";

const INTERVAL_MS = 10_000;
const NOW = Date.UTC(2026, 10, 23, 8, 0, 0);

/** Collects acknowledged pushes and retried outcomes; `until` resolves once the predicate holds for the pushes. */
function recordingObserver(): PushObserver & { pushes: AcknowledgedPush[]; retries: Array<number | null>; until(done: (pushes: AcknowledgedPush[]) => boolean): Promise<void> } {
  const pushes: AcknowledgedPush[] = [];
  const retries: Array<number | null> = [];
  const waiters: Array<{ done: (p: AcknowledgedPush[]) => boolean; resolve: () => void }> = [];
  const check = (): void => {
    for (const waiter of [...waiters]) if (waiter.done(pushes)) (waiters.splice(waiters.indexOf(waiter), 1), waiter.resolve());
  };
  return {
    pushes,
    retries,
    acknowledged(push) {
      pushes.push(push);
      check();
    },
    retried(_site, outcome) {
      retries.push(outcome.status);
    },
    until(done) {
      return new Promise((resolve) => {
        waiters.push({ done, resolve });
        check();
      });
    },
  };
}

function agentFor(url: string, token: string, index: number, observer: PushObserver): SimulatedAgent {
  return new SimulatedAgent(buildSiteModel(index, 7), { ...AGENT_PUSH_DEFAULTS, minBackoffMs: 10, collectorUrl: url, token, now: () => Date.now(), random: seededRandom(1), upSinceTs: NOW - 3_600_000, observer });
}

describe("simulator", () => {
  let collector: TestCollector | null = null;
  let server: Server | null = null;
  afterEach(async () => {
    await collector?.close();
    collector = null;
    server?.close();
    server = null;
  });

  it("builds batches that validate against the ingest schema, with whole rounds and failed rounds on a failing link", () => {
    const site = buildSiteModel(0, 42);
    failLink(site, "inet", NOW - 5 * INTERVAL_MS);
    const spool = new SimulatedSpool(site);
    spool.addBacklog(20, NOW, INTERVAL_MS);
    const samples = spool.readPending(AGENT_PUSH_DEFAULTS.batchSize);
    expect(samples).toHaveLength(20 * site.samplesPerPeriod);
    const batch = buildBatch(site, samples, { sentAt: NOW, pushIntervalMs: INTERVAL_MS, spool: spool.stats(), snapshot: linkSnapshot(site, NOW, NOW - 3_600_000) });
    const parsed = ingestBatchSchema.parse(JSON.parse(gunzipSync(batchBody(batch)).toString("utf8")));
    expect(parsed.samples.map((s) => s.seq)).toEqual(samples.map((_, i) => i + 1));
    expect(parsed.snapshot).toEqual([
      { link: "tslcd", state: "up", sinceTs: NOW - 3_600_000 },
      { link: "inet", state: "down", sinceTs: NOW - 5 * INTERVAL_MS },
    ]);
    const inetIcmp = parsed.samples.filter((s) => s.kind === "icmp" && s.link === "inet");
    const inetTargets = site.links[1]!.icmpTargets.length;
    expect(inetIcmp).toHaveLength(20 * inetTargets);
    expect(inetIcmp.every((s) => s.roundSize === inetTargets)).toBe(true);
    // The last 5 periods began at or after the failure: every inet round then fails, apps over inet too.
    const failed = parsed.samples.filter((s) => s.link === "inet" && !s.ok);
    expect(new Set(failed.map((s) => s.round))).toEqual(new Set([16, 17, 18, 19, 20]));
    expect(failed.every((s) => s.ts >= NOW - 5 * INTERVAL_MS)).toBe(true);
    expect(parsed.samples.filter((s) => s.link === "tslcd").every((s) => s.ok || s.kind === "icmp")).toBe(true);
    expect(parsed.samples.some((s) => s.kind === "http") && parsed.samples.some((s) => s.kind === "tcp" && s.link === null)).toBe(true);
  });

  it("delivers a backlog oldest first in full batches, then continues the seqs with live rounds", async () => {
    const site = simulatedSiteId(0);
    collector = await startTestCollector([site]);
    const token = collector.tokenFor(site);
    const observer = recordingObserver();
    const agent = agentFor(collector.collector.url, token, 0, observer);
    const backlogPeriods = 100;
    agent.spool.addBacklog(backlogPeriods, Date.now(), INTERVAL_MS);
    const backlogSamples = backlogPeriods * agent.site.samplesPerPeriod;
    agent.start();
    await observer.until((pushes) => pushes.at(-1)?.lastSeq === backlogSamples);
    agent.tick(Date.now());
    await observer.until((pushes) => pushes.at(-1)?.lastSeq === backlogSamples + agent.site.samplesPerPeriod);
    agent.tick(Date.now());
    await observer.until((pushes) => pushes.at(-1)?.lastSeq === backlogSamples + 2 * agent.site.samplesPerPeriod);
    await agent.stop(AbortSignal.timeout(10_000));

    const sizes = observer.pushes.map((p) => p.samples);
    const fullBatches = Math.floor(backlogSamples / 500);
    expect(sizes.slice(0, fullBatches)).toEqual(Array(fullBatches).fill(500));
    expect(observer.pushes.map((p) => p.firstSeq)).toEqual([1, ...observer.pushes.slice(0, -1).map((p) => p.lastSeq + 1)]);
    expect(observer.pushes.every((p) => p.status === 200 && p.accepted === p.samples)).toBe(true);
    expect(agent.spool.stats().pendingRecords).toBe(0);

    const db = new Database(join(collector.dir, "data", "samples.db"), { readonly: true });
    try {
      const rows = db.prepare(`SELECT seq, agent_ts AS ts FROM ${STORED_SAMPLES} WHERE site = ? ORDER BY seq`).all(site) as Array<{ seq: number; ts: number }>;
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: agent.spool.acknowledgedSeq() }, (_, i) => i + 1));
      // Oldest first: timestamps never decrease with seq, and the first rounds are the backlog's 1000 s ago.
      expect(rows.every((row, i) => i === 0 || row.ts >= rows[i - 1]!.ts)).toBe(true);
      expect(Date.now() - rows[0]!.ts).toBeGreaterThanOrEqual(backlogPeriods * INTERVAL_MS);
    } finally {
      db.close();
    }
  });

  it("keeps a batch refused with 429 or 503 pending and sends the same records again after Retry-After, saying in Wardwatch-Backlog what remains after them", async () => {
    const answers = [
      { status: 429, body: { error: "busy", message: "retry later" } },
      { status: 503, body: { error: "store_unavailable", message: "keep them" } },
    ];
    const seen: number[][] = [];
    const backlogHeaders: Array<string | undefined> = [];
    const sampleBodies: string[] = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const batch = ingestBatchSchema.parse(JSON.parse(gunzipSync(Buffer.concat(chunks)).toString("utf8")));
        seen.push(batch.samples.map((s) => s.seq));
        backlogHeaders.push(req.headers["wardwatch-backlog"] as string | undefined);
        sampleBodies.push(JSON.stringify(batch.samples));
        const next = answers.shift();
        res.setHeader("Content-Type", "application/json");
        if (next) {
          res.writeHead(next.status, { "Retry-After": "0" }).end(JSON.stringify(next.body));
        } else {
          res.end(JSON.stringify({ accepted: batch.samples.length, duplicates: 0, lastSeq: batch.samples.at(-1)!.seq, clockOffsetMs: 0 }));
        }
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    const observer = recordingObserver();
    const agent = agentFor(`http://127.0.0.1:${port}`, "ward-0001.secret", 0, observer);
    // A backlog of one full batch and a bit, then one live period.
    const backlogPeriods = Math.ceil(600 / agent.site.samplesPerPeriod);
    agent.spool.addBacklog(backlogPeriods, Date.now(), INTERVAL_MS);
    agent.tick(Date.now());
    agent.start();
    const total = (backlogPeriods + 1) * agent.site.samplesPerPeriod;
    await observer.until((pushes) => pushes.at(-1)?.lastSeq === total);
    await agent.stop(AbortSignal.timeout(10_000));
    expect(observer.retries).toEqual([429, 503]);
    const firstBatch = Array.from({ length: 500 }, (_, i) => i + 1);
    expect(seen).toEqual([firstBatch, firstBatch, firstBatch, Array.from({ length: total - 500 }, (_, i) => i + 501)]);
    expect(sampleBodies[1]).toBe(sampleBodies[0]);
    expect(sampleBodies[2]).toBe(sampleBodies[0]);
    expect(backlogHeaders).toEqual([String(total - 500), String(total - 500), String(total - 500), "0"]);
    expect(observer.pushes[0]).toMatchObject({ firstSeq: 1, lastSeq: 500, attempts: 3 });
    expect(agent.spool.acknowledgedSeq()).toBe(total);
  });
});
