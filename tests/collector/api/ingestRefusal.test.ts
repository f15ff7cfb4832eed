import Database from "better-sqlite3";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SiteStatus } from "../../../protocol/api.js";
import { startTestCollector, type TestCollector } from "../../helpers/collectorHarness.js";
import { batchOf, icmpSample, postIngest } from "../../helpers/batches.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

describe("collector/api/ingestRoute refuses bad records one by one", () => {
  let t: TestCollector;
  let token: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const status = async (): Promise<SiteStatus> => (await (await fetch(`${t.collector.url}/api/v1/sites/tan-phong`, { headers: t.provinceAuth })).json()) as SiteStatus;
  /** A failed round of tslcd stamped `agoMs` before now. */
  const failed = (seq: number, agoMs: number) => icmpSample(seq, { ok: false, round: seq, ts: Date.now() - agoMs });

  beforeAll(async () => {
    t = await startTestCollector(["tan-phong"], "ingest: { max_sample_age: 7d }");
    token = t.tokenFor("tan-phong");
  });
  afterAll(() => t.close());

  it("stores and judges the rest of a batch and lists each refused record with a message naming the field", async () => {
    const now = Date.now();
    const batch = batchOf("tan-phong", [
      failed(1, 5000),
      icmpSample(2, { ts: now - 4500, probe: "icmp:" + "x".repeat(200) }),
      icmpSample(3, { ts: now - 4500, link: "nope" }),
      failed(4, 4000),
      icmpSample(5, { ts: Date.UTC(2100, 0, 1) }),
      icmpSample(6, { ts: now - 8 * DAY_MS }),
      failed(7, 3000),
    ], { version: 2, spool: { pendingRecords: 7, droppedRecords: 0, refusedRecords: 3 } });
    const res = await postIngest(t.collector.url, batch, auth());
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ accepted: 3, duplicates: 0, lastSeq: 7 });
    expect(res.json.refused).toEqual([
      { seq: 2, error: "invalid_record", message: expect.stringMatching(/^samples\[1\]\.probe: /) },
      { seq: 3, error: "unknown_link", message: "samples[2].link: unknown link 'nope' for site 'tan-phong' (known: tslcd, inet)" },
      { seq: 5, error: "ts_after_send", message: expect.stringMatching(/^samples\[4\]\.ts: 4102444800000 is after the batch's sentAt/) },
      { seq: 6, error: "ts_too_old", message: expect.stringMatching(/^samples\[5\]\.ts: .* more than 604800000 ms before the batch's sentAt/) },
    ]);
    expect(await t.storedSeqs("tan-phong")).toEqual([1, 4, 7]);
    // The three failed rounds were judged: the sample stamped in 2100 froze nothing.
    const site = await status();
    expect(site.links[0]!.state).toBe("down");
    expect(site.state).not.toBe("silent");
    expect(site.refusedRecords).toBe(4);
    expect(site.spool).toEqual({ pendingRecords: 0, droppedRecords: 0, refusedRecords: 3 });
  });

  it("answers 200 (not a replay) when every record of a batch is refused, so the agent sets them aside", async () => {
    const res = await postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(8, { link: "nope" })], { version: 2 }), auth());
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ accepted: 0, refused: [{ seq: 8, error: "unknown_link" }] });
  });

  it("gives a version-1 batch the same answer: its good records are stored, the refused ones counted (a v1 agent drops them)", async () => {
    const res = await postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(9, { link: "nope" }), icmpSample(10, { ts: Date.now() - 2000 })], { version: 1 }), auth());
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ accepted: 1, refused: [{ seq: 9, error: "unknown_link" }] });
    const site = await status();
    expect(site.refusedRecords).toBe(6);
    expect(site.spool?.refusedRecords).toBeNull();
  });

  it("counts refused records by reason in /metrics", async () => {
    const text = await (await fetch(`${t.collector.url}/metrics`)).text();
    expect(text).toMatch(/^wardwatch_ingest_refused_records_total\{reason="unknown_link"\} 3$/m);
    expect(text).toMatch(/^wardwatch_ingest_refused_records_total\{reason="invalid_record"\} 1$/m);
    expect(text).toMatch(/^wardwatch_ingest_refused_records_total\{reason="ts_after_send"\} 1$/m);
    expect(text).toMatch(/^wardwatch_ingest_refused_records_total\{reason="ts_too_old"\} 1$/m);
  });

  it("judges the samples of an agent whose seqs started again (spool lost): stored, not answered 409", async () => {
    const up = [11, 12].map((seq) => icmpSample(seq, { round: seq, ts: Date.now() - 2000 + seq }));
    expect((await postIngest(t.collector.url, batchOf("tan-phong", up), auth())).status).toBe(200);
    expect((await status()).links[0]!.state).toBe("up");
    const again = [1, 2, 3].map((seq) => icmpSample(seq, { ok: false, round: seq, ts: Date.now() - 1000 + seq }));
    const res = await postIngest(t.collector.url, batchOf("tan-phong", again), auth());
    expect(res).toMatchObject({ status: 200, json: { accepted: 3, duplicates: 0 } });
    expect((await status()).links[0]!.state).toBe("down");
  });
});

describe("collector/api/ingestRoute clock correction and bounded state", () => {
  let t: TestCollector;
  let token: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await startTestCollector(["tan-phong"]);
    token = t.tokenFor("tan-phong");
  });
  afterAll(() => t.close());

  it("keeps a site's clock correction while the measured offset stays within the tolerance, so a resend is a duplicate", async () => {
    const base = Date.now();
    const agentNow = base - HOUR_MS; // the agent's clock is an hour slow
    const sample = icmpSample(1, { ts: agentNow - 1000 });
    try {
      t.clock.nowMs = base;
      expect((await postIngest(t.collector.url, batchOf("tan-phong", [sample], { sentAt: agentNow }), auth())).json).toMatchObject({ accepted: 1, clockOffsetMs: HOUR_MS });
      // The answer was lost; the resend takes 3 s longer in transit (within the 5 s tolerance).
      t.clock.nowMs = base + 3000 + 3000;
      const resend = await postIngest(t.collector.url, batchOf("tan-phong", [sample], { sentAt: agentNow + 3000 }), auth());
      expect(resend).toMatchObject({ status: 409, json: { error: "replay" } });
      expect(t.collector.engine.contact("tan-phong")).toMatchObject({ clockCorrectionMs: HOUR_MS, clockOffsetMs: HOUR_MS + 3000 });
    } finally {
      t.clock.nowMs = null;
    }
  });

  it("keeps the correction and the refused count across a restart", async () => {
    const { dir } = t;
    await postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(2, { link: "ghost" })], { sentAt: Date.now() - HOUR_MS }), auth());
    await t.stop();
    t = await startTestCollector(["tan-phong"], "", { dir });
    expect(t.collector.engine.contact("tan-phong")).toMatchObject({ clockCorrectionMs: HOUR_MS, refusedRecords: 1 });
  });

  it("ignores snapshot entries for links the site does not have: nothing kept in memory or in the store", async () => {
    const snapshot = Array.from({ length: 64 }, (_, i) => ({ link: `ghost-${i}`, state: "up" as const, sinceTs: 1 }));
    // A site is only adopted from a snapshot when silent or never seen: a restarted collector with no judged link.
    const res = await postIngest(t.collector.url, batchOf("tan-phong", [], { snapshot: [...snapshot.slice(0, 63), { link: "tslcd", state: "up", sinceTs: 1 }] }), auth());
    expect(res.status).toBe(200);
    expect(t.collector.engine.track("tan-phong", "tslcd").machine.state).toBe("up");
    await t.stop();
    const db = new Database(join(t.dir, "wardwatch.db"), { readonly: true });
    try {
      expect(db.prepare("SELECT link FROM link_states WHERE site = 'tan-phong' ORDER BY link").pluck().all()).toEqual(["tslcd"]);
    } finally {
      db.close();
    }
    t = await startTestCollector(["tan-phong"], "", { dir: t.dir });
  });
});
