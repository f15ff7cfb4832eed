import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HELD_JOURNAL_FILE } from "../../collector/health/heldJournal.js";
import type { SeriesResponse, SiteStatus } from "../../protocol/api.js";
import { startTestCollector, type TestCollector } from "../helpers/collectorHarness.js";
import { batchOf, httpAppSample, icmpSample, postIngest } from "../helpers/batches.js";
import { linkIncident } from "../helpers/alertingFixtures.js";
import { listIncidents, waitFor, webhookBodies } from "../helpers/alertingE2e.js";
import { memoryLogger } from "../helpers/memoryLogger.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhookReceiver.js";

const HOUR_MS = 3_600_000;

describe("collector/service", () => {
  let t: TestCollector;
  let token: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const getJson = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${t.collector.url}${path}`, { headers: t.provinceAuth });
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    t = await startTestCollector(["tan-phong", "bien-hoa"]);
    token = t.tokenFor("tan-phong");
  });
  afterAll(() => t.close());

  it("lists every configured site, unknown until its agent reports", async () => {
    const { status, body } = await getJson<SiteStatus[]>("/api/v1/sites");
    expect(status).toBe(200);
    expect(body.map((s) => [s.id, s.state])).toEqual([
      ["tan-phong", "unknown"],
      ["bien-hoa", "unknown"],
    ]);
    expect(body[0]!.links.map((l) => `${l.id}/${l.providerName}/${l.circuit}`)).toEqual(["tslcd/VNPT/TSL-tan-phong", "inet/Viettel/VT-tan-phong"]);
  });

  it("answers 404 with a JSON error for an unknown site or endpoint", async () => {
    expect(await getJson("/api/v1/sites/nowhere")).toEqual({ status: 404, body: { error: "not_found", message: "no site 'nowhere'" } });
    expect((await getJson("/api/v1/nothing")).status).toBe(404);
  });

  it("flags an agent clock an hour slow and moves its samples onto the collector's time line", async () => {
    const now = Date.now();
    const skew = -HOUR_MS;
    const samples = [1, 2].map((seq) => icmpSample(seq, { ts: now + skew - (3 - seq) * 1000, round: seq }));
    const res = await postIngest(t.collector.url, batchOf("tan-phong", samples, { sentAt: now + skew }), auth());
    expect(res.status).toBe(200);
    const { body: site } = await getJson<SiteStatus>("/api/v1/sites/tan-phong");
    expect(site.clockSkewed).toBe(true);
    expect(site.clockOffsetMs).toBeGreaterThanOrEqual(HOUR_MS - 1000);
    // The latest measurement is shown at (about) the real time, not an hour ago.
    expect(Math.abs(site.links[0]!.lastSampleTs! - (now - 1000))).toBeLessThan(5000);
    const series = await getJson<SeriesResponse>(`/api/v1/sites/tan-phong/series?link=tslcd&metric=rtt_avg&from=${now - 60_000}&to=${now + 60_000}&step=60000`);
    expect(series.body.points.filter(([, v]) => v !== null)).toHaveLength(1);
  });

  it("keeps judging state across the moment the agent's clock is fixed", async () => {
    const base = Date.now();
    try {
      // Still an hour slow: two failed rounds, pushed at collector time base + 3 s.
      t.clock.nowMs = base + 3000;
      const slow = [3, 4].map((seq) => icmpSample(seq, { ok: false, round: seq, ts: base - HOUR_MS + (seq - 2) * 1000 }));
      expect((await postIngest(t.collector.url, batchOf("tan-phong", slow, { sentAt: base - HOUR_MS + 3000 }), auth())).status).toBe(200);
      // The correction in effect is sticky: the hour (plus the transit time) measured at the push before.
      const correction = t.collector.engine.contact("tan-phong")!.clockCorrectionMs;
      expect(Math.abs(correction - HOUR_MS)).toBeLessThan(5000);
      // NTP fixed the clock: the third failed round arrives with a correct time and completes "down".
      t.clock.nowMs = base + 10_000;
      const fixed = [icmpSample(5, { ok: false, round: 5, ts: base + 5000 })];
      expect((await postIngest(t.collector.url, batchOf("tan-phong", fixed, { sentAt: base + 10_000 }), auth())).status).toBe(200);
      const { body: site } = await getJson<SiteStatus>("/api/v1/sites/tan-phong");
      expect(site.links[0]!.state).toBe("down");
      // Down since the first of the three failed rounds (the first slow one, corrected onto the collector's time line).
      expect(site.links[0]!.sinceTs).toBe(base - HOUR_MS + 1000 + correction);
      expect(site.clockSkewed).toBe(false);
      expect(site.state).toBe("degraded");
    } finally {
      t.clock.nowMs = null;
    }
  });

  it("shows which link carried the last push", async () => {
    const res = await postIngest(t.collector.url, batchOf("tan-phong", [], { viaLink: "inet" }), auth());
    expect(res.status).toBe(200);
    const { body: site } = await getJson<SiteStatus>("/api/v1/sites/tan-phong");
    expect(site.lastPushVia).toBe("inet");
  });

  it("compares an application's reach through each link (GET /apps)", async () => {
    // Two rounds through tslcd, one through inet: distinct measurements (a sample's identity is its link, probe and time).
    const now = Date.now();
    const samples = [httpAppSample(100, "mot-cua", "tslcd", true, now - 2000), httpAppSample(101, "mot-cua", "inet", false, now - 2000), httpAppSample(102, "mot-cua", "tslcd", true, now - 1000)];
    expect((await postIngest(t.collector.url, batchOf("tan-phong", samples), auth())).status).toBe(200);
    const { status, body } = await getJson<{ paths: Array<{ app: string; link: string; rounds: number; okPct: number; latencyAvgMs: number | null }> }>("/api/v1/apps?site=tan-phong");
    expect(status).toBe(200);
    expect(body.paths).toEqual([
      { site: "tan-phong", app: "mot-cua", link: "inet", rounds: 1, okPct: 0, latencyAvgMs: null },
      { site: "tan-phong", app: "mot-cua", link: "tslcd", rounds: 2, okPct: 100, latencyAvgMs: 40 },
    ]);
    // Application samples never judge the link itself.
    expect((await getJson<SiteStatus>("/api/v1/sites/tan-phong")).body.links[1]!.state).not.toBe("down");
    expect((await getJson("/api/v1/apps?site=nowhere")).status).toBe(404);
  });

  it("validates series queries", async () => {
    for (const [query, error] of [
      ["link=nope", "bad_link"],
      ["link=tslcd&metric=bandwidth", "bad_metric"],
      ["link=tslcd&from=10&to=5", "bad_range"],
      ["link=tslcd&from=abc", "bad_range"],
      ["link=tslcd&from=0&to=100000000&step=1000", "too_many_points"],
    ] as const) {
      const res = await getJson<{ error: string }>(`/api/v1/sites/tan-phong/series?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error, query).toBe(error);
    }
  });

  it("reports health and Prometheus metrics", async () => {
    expect(await getJson("/healthz")).toEqual({ status: 200, body: { status: "ok", store: "sqlite", sampleStore: "sqlite" } });
    const text = await (await fetch(`${t.collector.url}/metrics`)).text();
    expect(text).toMatch(/wardwatch_sites\{state="degraded"\} 1/);
    expect(text).toMatch(/wardwatch_links\{state="down"\} 1/);
    expect(text).toMatch(/wardwatch_store_reachable 1/);
    expect(text).toMatch(/wardwatch_link_state_changes_total\{to="down"\} 1/);
  });

  it("calls the site silent after three push intervals without a push", async () => {
    t.clock.nowMs = Date.now() + 60_000;
    try {
      const { body: site } = await getJson<SiteStatus>("/api/v1/sites/tan-phong");
      expect(site.state).toBe("silent");
    } finally {
      t.clock.nowMs = null;
    }
  });
});

describe("collector/service while the store is failing (its file locked by another connection)", () => {
  let t: TestCollector;
  let locker: Database.Database | null = null;

  beforeAll(async () => {
    t = await startTestCollector(["tan-phong"], "", { busyTimeoutMs: 200 });
  });
  afterAll(async () => {
    locker?.close();
    await t.close();
  });

  const ack = async (id: number) => {
    const response = await fetch(`${t.collector.url}/api/v1/incidents/${id}/ack`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...t.provinceAuth },
      body: JSON.stringify({ by: "VNPT NOC" }),
    });
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as { error?: string } };
  };

  it("API writes answer 503 store_unavailable with Retry-After, reads still answer, and writes work again once a probe succeeds", async () => {
    const { id } = t.store.incidents.openIncident(linkIncident(Date.now()));
    locker = new Database(join(t.dir, "wardwatch.db"));
    locker.exec("BEGIN EXCLUSIVE");

    // The first write meets the lock (and opens the breaker); the second is refused without touching the store.
    expect(await ack(id)).toMatchObject({ status: 503, retryAfter: "5", body: { error: "store_unavailable" } });
    expect(t.collector.storeBreaker.writable).toBe(false);
    expect(await ack(id)).toMatchObject({ status: 503, retryAfter: "5", body: { error: "store_unavailable" } });
    const listed = await fetch(`${t.collector.url}/api/v1/incidents`, { headers: t.provinceAuth });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as Array<{ id: number; acknowledgedBy: string | null }>).map((i) => [i.id, i.acknowledgedBy])).toEqual([[id, null]]);

    locker.exec("ROLLBACK");
    locker.close();
    locker = null;
    await waitFor(() => (t.collector.storeBreaker.writable ? true : undefined), 5000, "a probe to find the store writable");
    expect(await ack(id)).toMatchObject({ status: 200, body: { acknowledgedBy: "VNPT NOC (via token:test-province)" } });
  });
});

describe("collector/service saving link states", () => {
  let t: TestCollector;
  afterAll(() => t.close());

  it("link states whose save failed are saved with the next one, not lost", async () => {
    const log = memoryLogger("collector");
    t = await startTestCollector(["tan-phong"], "", { logger: log.logger });
    const auth = { Authorization: `Bearer ${t.tokenFor("tan-phong")}` };
    const elsewhere = new Database(join(t.dir, "wardwatch.db"));
    try {
      // Another connection makes every link-state save fail (not a store failure: the breaker stays closed).
      elsewhere.exec("CREATE TRIGGER refuse_link_states BEFORE INSERT ON link_states BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
      const failedRounds = [1, 2, 3].map((seq) => icmpSample(seq, { ok: false, ts: Date.now() - (4 - seq) * 1000 }));
      expect((await postIngest(t.collector.url, batchOf("tan-phong", failedRounds), auth)).status).toBe(200);
      expect(t.collector.engine.track("tan-phong", "tslcd").machine.state).toBe("down");
      expect(t.store.loadLinkStates()).toEqual([]);
      expect(log.lines.find((l) => l.message === "cannot save site state")).toMatchObject({ site: "tan-phong", err: { message: "refused by the test" } });
      elsewhere.exec("DROP TRIGGER refuse_link_states");
    } finally {
      elsewhere.close();
    }

    const inetRound = icmpSample(4, { link: "inet", ts: Date.now() });
    expect((await postIngest(t.collector.url, batchOf("tan-phong", [inetRound]), auth)).status).toBe(200);
    expect(t.store.loadLinkStates().map((s) => [s.link, s.machine.state])).toEqual([
      ["inet", t.collector.engine.track("tan-phong", "inet").machine.state],
      ["tslcd", "down"],
    ]);
  });
});

describe("collector/service restarted during a store outage", () => {
  const SECRET = "service-restart-secret";
  const SECRET_ENV = "WW_TEST_RESTART_PROVINCE_SECRET";
  let webhook: WebhookReceiver;
  let t: TestCollector | null = null;
  let locker: Database.Database | null = null;
  const alertingYaml = (url: string) => `receivers:
  - { id: province-ict, name: "Tổ giám sát", webhook: { url: ${JSON.stringify(url)}, secret: { env: ${SECRET_ENV} }, timeout: 3s } }
alerting: { province_receivers: [province-ict], group_wait: 0s, store_unreachable_after: 1s, retry: { attempts: 2, first_delay: 200ms, max_delay: 1s } }`;

  beforeAll(async () => {
    process.env[SECRET_ENV] = SECRET;
    webhook = await startWebhookReceiver({ secret: SECRET });
  });
  afterEach(async () => {
    locker?.close();
    locker = null;
    await t?.close();
    t = null;
  });
  afterAll(async () => {
    delete process.env[SECRET_ENV];
    await webhook.close();
  });

  it("the held incident keeps its number and what was sent: no second report, stored under that number once the store is back, the next incident gets another", async () => {
    const first = memoryLogger("collector");
    t = await startTestCollector(["tan-phong"], alertingYaml(webhook.url), { busyTimeoutMs: 200, logger: first.logger });
    const { dir } = t;
    const auth = { Authorization: `Bearer ${t.tokenFor("tan-phong")}` };
    locker = new Database(join(dir, "wardwatch.db"));
    locker.exec("BEGIN EXCLUSIVE");
    // The sample goes to samples.db; saving the site's contact meets the lock and opens the metadata breaker.
    expect((await postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(1)]), auth)).status).toBe(200);
    expect((await postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(2)]), auth)).status).toBe(503);
    const opened = await first.waitForLine((l) => l.message === "incident opened" && l.key === "collector:store");
    await first.waitForLine((l) => l.message === "notification delivered" && l.notification === "report");
    expect(existsSync(join(dir, "data", HELD_JOURNAL_FILE))).toBe(true);
    await t.stop();
    t = null;

    // Started again, the store still locked.
    const second = memoryLogger("collector");
    t = await startTestCollector(["tan-phong"], alertingYaml(webhook.url), { busyTimeoutMs: 200, logger: second.logger, dir });
    expect(second.lines.find((l) => l.message === "held incident reloaded from the journal")).toMatchObject({ id: opened.id, number: opened.number });
    expect((await listIncidents(t.collector.url, t.provinceAuth, { kind: "collector" })).map((i) => [i.id, i.number, i.state])).toEqual([[opened.id, opened.number, "open"]]);
    // This run's own outage: covered by the held incident (a new one would be opened and reported on this tick).
    await second.waitForLine((l) => l.message === "store unreachable");

    locker.exec("ROLLBACK");
    locker.close();
    locker = null;
    await second.waitForLine((l) => l.message === "notification delivered" && l.notification === "recovery");
    expect(second.lines.filter((l) => l.message === "incident opened")).toEqual([]);
    const id = opened.id as number;
    expect(webhookBodies(webhook).map((b) => [b.message, b.idempotencyKey, b.incident.number])).toEqual([
      ["report", `${id}:province-ict:report:1`, opened.number],
      ["recovery", `${id}:province-ict:recovery:1`, opened.number],
    ]);
    expect(t.store.incidents.getIncident(id)).toMatchObject({ key: "collector:store", state: "closed", deliveries: [{ message: "report" }, { message: "recovery" }] });
    expect(existsSync(join(dir, "data", HELD_JOURNAL_FILE))).toBe(false);
    expect(t.store.incidents.openIncident(linkIncident(Date.now())).id).toBe(id + 1);
  });
});
