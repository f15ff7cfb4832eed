import { join } from "node:path";
import { gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestCollector, type TestCollector } from "../../helpers/collectorHarness.js";
import { batchOf, icmpSample, postIngest } from "../../helpers/batches.js";
import { waitFor } from "../../helpers/alertingE2e.js";
import { linkIncident } from "../../helpers/alertingFixtures.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";
import { hashToken } from "../../../collector/auth/tokens.js";

describe("collector/api/ingestRoute", () => {
  let t: TestCollector;
  let token: string;
  let otherToken: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await startTestCollector(["tan-phong", "bien-hoa"], "ingest: { max_body_bytes: 32kb }");
    token = t.tokenFor("tan-phong");
    otherToken = t.tokenFor("bien-hoa");
  });
  afterAll(() => t.close());

  it("stores a valid batch and answers with what it accepted", async () => {
    const res = await postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(1), icmpSample(2)]), auth());
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ accepted: 2, duplicates: 0, lastSeq: 2 });
    expect(await t.storedSeqs("tan-phong")).toEqual([1, 2]);
  });

  it("accepts a gzip body", async () => {
    const body = gzipSync(JSON.stringify(batchOf("tan-phong", [icmpSample(3)])));
    const res = await postIngest(t.collector.url, body, { ...auth(), "Content-Encoding": "gzip" });
    expect(res.status).toBe(200);
    expect(await t.storedSeqs("tan-phong")).toEqual([1, 2, 3]);
  });

  describe("bad input: the right error, nothing stored changes, the collector keeps running", () => {
    const cases: Array<[string, () => Promise<{ status: number; json: { error?: string; message?: string } }>, number, string, RegExp]> = [
      ["no token", () => postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(10)])), 401, "missing_token", /Bearer/],
      ["a wrong token", () => postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(10)]), { Authorization: "Bearer ww_notarealtoken" }), 401, "invalid_token", /not a known site token/],
      ["a malformed Authorization header", () => postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(10)]), { Authorization: "Basic abc" }), 401, "invalid_token", /token/],
      ["a token of another site", () => postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(10)]), { Authorization: `Bearer ${otherToken}` }), 403, "wrong_site", /belongs to site 'bien-hoa', not 'tan-phong'/],
      ["malformed JSON", () => postIngest(t.collector.url, '{"version":1,"site":', auth()), 400, "malformed_json", /not valid JSON/],
      ["a broken gzip body", () => postIngest(t.collector.url, Buffer.from("not gzip at all"), { ...auth(), "Content-Encoding": "gzip" }), 400, "bad_body", /could not be read/],
      ["a record that is not an object with a seq", () => postIngest(t.collector.url, { ...batchOf("tan-phong", []), samples: [{ seq: "ten" }] }, auth()), 400, "invalid_batch", /samples\[0\]\.seq/],
      ["an envelope field of the wrong shape", () => postIngest(t.collector.url, { ...batchOf("tan-phong", []), spool: { pendingRecords: -1, droppedRecords: 0 } }, auth()), 400, "invalid_batch", /spool\.pendingRecords/],
      ["a wrong type", () => postIngest(t.collector.url, { ...batchOf("tan-phong", []), sentAt: "yesterday" }, auth()), 400, "invalid_batch", /sentAt/],
      ["an unknown key", () => postIngest(t.collector.url, { ...batchOf("tan-phong", []), extra: 1 }, auth()), 400, "invalid_batch", /extra/],
      ["a wrong protocol version", () => postIngest(t.collector.url, { ...batchOf("tan-phong", []), version: 99 }, auth()), 400, "invalid_batch", /version/],
      ["seqs out of order", () => postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(11), icmpSample(10)]), auth()), 400, "seq_order", /samples\[1\]\.seq/],
      ["a body over the limit", () => postIngest(t.collector.url, batchOf("tan-phong", Array.from({ length: 400 }, (_, i) => icmpSample(100 + i))), auth()), 413, "body_too_large", /limit of 32768 bytes/],
      ["a gzip bomb over the limit", () => postIngest(t.collector.url, gzipSync(Buffer.alloc(10 * 1024 * 1024, " ")), { ...auth(), "Content-Encoding": "gzip" }), 413, "body_too_large", /limit/],
      ["a replayed batch", () => postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(1), icmpSample(2)]), auth()), 409, "replay", /already stored/],
    ];

    it.each(cases)("%s", async (_name, send, status, error, message) => {
      const before = await t.storedSeqs("tan-phong");
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.json.error).toBe(error);
      expect(res.json.message).toMatch(message);
      expect(await t.storedSeqs("tan-phong")).toEqual(before);
      const health = await fetch(`${t.collector.url}/healthz`);
      expect(health.status).toBe(200);
    });
  });

  it("stores the new samples of a partly resent batch once", async () => {
    const res = await postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(3), icmpSample(4)]), auth());
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(await t.storedSeqs("tan-phong")).toEqual([1, 2, 3, 4]);
  });

  it("stores connectivity events with the samples, once, and lists them", async () => {
    const event = { seq: 6, ts: Date.now(), type: "failover" as const, group: "tinh", fromLink: "tslcd", toLink: "inet", reason: "preferred_down" as const, action: "observe" as const, ok: true, detail: "observe only" };
    const batch = batchOf("tan-phong", [icmpSample(5)], { events: [event] });
    expect((await postIngest(t.collector.url, batch, auth())).json).toMatchObject({ accepted: 2, lastSeq: 6 });
    expect((await postIngest(t.collector.url, batchOf("tan-phong", [], { events: [event] }), auth())).status).toBe(409);
    const listed = (await (await fetch(`${t.collector.url}/api/v1/sites/tan-phong/events`, { headers: t.provinceAuth })).json()) as Array<{ seq: number; toLink: string }>;
    expect(listed.map((e) => [e.seq, e.toLink])).toEqual([[6, "inet"]]);
    // An event naming a link the site does not have is refused alone (collector/api/ingestRefusal.test.ts has the rest).
    const bad = await postIngest(t.collector.url, batchOf("tan-phong", [], { events: [{ ...event, seq: 7, ts: event.ts + 1, toLink: "nope" }] }), auth());
    expect(bad.status).toBe(200);
    expect(bad.json).toMatchObject({ accepted: 0, refused: [{ seq: 7, error: "unknown_link", message: expect.stringMatching(/events\[0\]\.toLink: unknown link 'nope'/) }] });
  });

  it("counts rejects by reason in /metrics", async () => {
    const text = await (await fetch(`${t.collector.url}/metrics`)).text();
    expect(text).toMatch(/wardwatch_ingest_rejects_total\{reason="invalid_token"\} 2/);
    expect(text).toMatch(/wardwatch_ingest_batches_total\{result="replay"\} 2/);
    expect(text).toMatch(/wardwatch_ingest_samples_total\{result="inserted"\} 5/);
    expect(text).toMatch(/wardwatch_ingest_in_flight 0/);
  });

  it("counts the backlog still to come without the batch's own records (the agent counts them as pending)", async () => {
    const backlog = (spool: { pendingRecords: number }, samples: number[]) =>
      postIngest(t.collector.url, batchOf("bien-hoa", samples.map((seq) => icmpSample(seq)), { spool: { ...spool, droppedRecords: 0 } }), { Authorization: `Bearer ${otherToken}` });
    expect((await backlog({ pendingRecords: 9 }, [1, 2, 3])).status).toBe(200);
    expect(t.collector.engine.contact("bien-hoa")?.pendingRecords).toBe(6);
    expect((await backlog({ pendingRecords: 2 }, [4, 5])).status).toBe(200);
    expect(t.collector.engine.contact("bien-hoa")?.pendingRecords).toBe(0);
  });
});

describe("collector/api/ingestRoute while the store is failing (its file locked by another connection)", () => {
  let t: TestCollector;
  let token: string;
  let locker: Database.Database | null = null;

  beforeAll(async () => {
    t = await startTestCollector(["tan-phong"], "", { busyTimeoutMs: 200 });
    token = t.tokenFor("tan-phong");
  });
  afterAll(async () => {
    locker?.close();
    await t.close();
  });

  const push = async (seqs: number[]) => {
    const response = await fetch(`${t.collector.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(batchOf("tan-phong", seqs.map((seq) => icmpSample(seq)), { pushIntervalMs: 1000 })),
    });
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as { error?: string } };
  };
  const metricsText = async () => (await fetch(`${t.collector.url}/metrics`)).text();

  it("answers 503 with Retry-After (the batch stays with the agent), keeps the site heard from, and stores the resent batches once the store is back", async () => {
    expect((await push([1, 2])).status).toBe(200);
    locker = new Database(join(t.dir, "wardwatch.db"));
    locker.exec("BEGIN EXCLUSIVE");

    // The samples go to the sample store (samples.db, not locked) and the batch is acknowledged; saving the site's
    // contact in the metadata store waits for the lock (the busy timeout) and fails: the breaker opens.
    expect((await push([3, 4])).status).toBe(200);
    expect(t.collector.storeBreaker.writable).toBe(false);
    // Now every batch is refused at once: its events, contact and link states could not be kept.
    expect(await push([5, 6])).toEqual({ status: 503, retryAfter: "5", body: { error: "store_unavailable", message: expect.stringMatching(/retry later/) } });
    // The next ones are refused before the store is touched.
    const refusedAt = Date.now();
    expect(await push([3, 4, 5, 6])).toMatchObject({ status: 503, retryAfter: "5", body: { error: "store_unavailable" } });
    expect(t.collector.engine.contact("tan-phong")!.lastSeenTs).toBeGreaterThanOrEqual(refusedAt);
    expect((await (await fetch(`${t.collector.url}/api/v1/sites/tan-phong`, { headers: t.provinceAuth })).json()) as { state: string }).not.toMatchObject({ state: "silent" });

    const health = await fetch(`${t.collector.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "store_failing", role: "metadata", store: "sqlite", error: "SQLITE_BUSY: database is locked", incident: false });
    const failing = await metricsText();
    expect(failing).toMatch(/^wardwatch_store_up 0$/m);
    expect(failing).toMatch(/^wardwatch_store_failures_total 1$/m);
    expect(failing).toMatch(/^wardwatch_sample_store_up 1$/m);
    expect(failing).toMatch(/^wardwatch_ingest_rejects_total\{reason="store_unavailable"\} 2$/m);
    expect(await t.storedSeqs("tan-phong")).toEqual([1, 2, 3, 4]);

    locker.exec("ROLLBACK");
    locker.close();
    locker = null;
    await waitFor(() => (t.collector.storeBreaker.writable ? true : undefined), 5000, "a probe to find the store writable");
    expect((await push([3, 4, 5, 6])).status).toBe(200);
    expect((await push([5, 6])).status).toBe(409);
    expect(await t.storedSeqs("tan-phong")).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await fetch(`${t.collector.url}/healthz`)).status).toBe(200);
    expect(await metricsText()).toMatch(/^wardwatch_store_up 1$/m);
  });
});

describe("collector/api/ingestRoute authenticates before refusing for the store, and tells store failures from other ones", () => {
  let t: TestCollector | null = null;
  let locker: Database.Database | null = null;
  afterEach(async () => {
    locker?.close();
    locker = null;
    await t?.close();
    t = null;
  });

  const push = async (collector: TestCollector, token: string, site: string, seqs: number[]) => {
    const res = await postIngest(collector.collector.url, batchOf(site, seqs.map((seq) => icmpSample(seq, { ts: Date.now() - 1000 + seq })), { pushIntervalMs: 1000 }), { Authorization: `Bearer ${token}` });
    return { status: res.status, error: res.json.error ?? null };
  };
  /** Another connection holds the write lock; an acknowledgement (a write) meets it, and the breaker opens. */
  const failTheStore = async (collector: TestCollector) => {
    const { id } = collector.store.incidents.openIncident(linkIncident(Date.now()));
    locker = new Database(join(collector.dir, "wardwatch.db"));
    locker.exec("BEGIN EXCLUSIVE");
    const ack = await fetch(`${collector.collector.url}/api/v1/incidents/${id}/ack`, { method: "POST", headers: { "Content-Type": "application/json", ...collector.provinceAuth }, body: JSON.stringify({ by: "x" }) });
    expect(ack.status).toBe(503);
    expect(collector.collector.storeBreaker.writable).toBe(false);
  };

  it("while the store is failing, an unknown or revoked token is 401, a valid one is 503 and its site counts as heard from", async () => {
    t = await startTestCollector(["tan-phong", "bien-hoa"], "", { busyTimeoutMs: 200, logger: memoryLogger("collector").logger });
    const valid = t.tokenFor("tan-phong");
    const revoked = t.tokenFor("bien-hoa");
    expect((await push(t, valid, "tan-phong", [1])).status).toBe(200);
    expect((await push(t, revoked, "bien-hoa", [1])).status).toBe(200);
    const other = new Database(join(t.dir, "wardwatch.db"));
    other.prepare("DELETE FROM tokens WHERE token_hash = ?").run(hashToken(revoked));
    other.close();

    await failTheStore(t);
    expect(await push(t, "ww_notarealtoken", "tan-phong", [2])).toEqual({ status: 401, error: "invalid_token" });
    expect(await push(t, revoked, "bien-hoa", [2])).toEqual({ status: 401, error: "invalid_token" });
    const refusedAt = Date.now();
    expect(await push(t, valid, "tan-phong", [2])).toEqual({ status: 503, error: "store_unavailable" });
    expect(t.collector.engine.contact("tan-phong")!.lastSeenTs).toBeGreaterThanOrEqual(refusedAt);
    expect(t.collector.engine.contact("bien-hoa")!.lastSeenTs).toBeLessThan(refusedAt);
  });

  it("after a restart during the outage, a refused push still counts as contact", async () => {
    t = await startTestCollector(["tan-phong"], "", { busyTimeoutMs: 200 });
    const token = t.tokenFor("tan-phong");
    expect((await push(t, token, "tan-phong", [1])).status).toBe(200);
    const { dir } = t;
    await t.stop();
    t = await startTestCollector(["tan-phong"], "", { busyTimeoutMs: 200, dir, logger: memoryLogger("collector").logger });
    await failTheStore(t);
    const refusedAt = Date.now();
    expect(await push(t, token, "tan-phong", [2])).toEqual({ status: 503, error: "store_unavailable" });
    expect(t.collector.engine.contact("tan-phong")!.lastSeenTs).toBeGreaterThanOrEqual(refusedAt);
  });

  it("a store that cannot even be read to check the token answers 503", async () => {
    t = await startTestCollector(["tan-phong"], "", { logger: memoryLogger("collector").logger });
    const token = t.tokenFor("tan-phong");
    t.store.close();
    expect(await push(t, token, "tan-phong", [1])).toEqual({ status: 503, error: "store_unavailable" });
  });

  it("a write that fails for a reason not the store's is 500 internal, and the store stays writable", async () => {
    const log = memoryLogger("collector");
    t = await startTestCollector(["tan-phong"], "", { logger: log.logger });
    const token = t.tokenFor("tan-phong");
    const other = new Database(join(t.dir, "data", "samples.db"));
    other.exec("CREATE TRIGGER poison BEFORE INSERT ON raw_icmp WHEN NEW.seq = 13 BEGIN SELECT RAISE(ABORT, 'poison sample'); END");
    other.close();
    expect(await push(t, token, "tan-phong", [12, 13])).toEqual({ status: 500, error: "internal" });
    expect(t.collector.storeBreaker.writable).toBe(true);
    expect(log.lines.find((l) => l.message === "batch not stored: the write failed")).toMatchObject({ site: "tan-phong", err: { message: "poison sample" } });
    expect(await t.storedSeqs("tan-phong")).toEqual([]);
    expect((await push(t, token, "tan-phong", [14])).status).toBe(200);
  });
});
