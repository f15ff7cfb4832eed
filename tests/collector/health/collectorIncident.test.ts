import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderNotification } from "../../../collector/alerts/messages/renderNotification.js";
import type { Notification } from "../../../collector/alerts/notification.js";
import { CollectorIncident, STORE_INCIDENT_KEY } from "../../../collector/health/collectorIncident.js";
import { GuardedIncidentStore } from "../../../collector/health/guardedIncidents.js";
import { HeldIncidentStore } from "../../../collector/health/heldIncidents.js";
import { StoreBreaker } from "../../../collector/health/storeBreaker.js";
import type { StoredIncident } from "../../../collector/incidents/incidentStore.js";
import { resolvedReceivers } from "../../helpers/alertingFixtures.js";
import { dispatcherHarness, FakeClock, type DispatcherHarness } from "../../helpers/dispatcherHarness.js";
import { lockableStore, type LockableStore } from "../../helpers/lockableStore.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

const OUTAGE_AFTER_MS = 30_000;
const GROUP_WAIT_MS = 10_000; // dispatcherHarness's alerting

describe("collector/health/collectorIncident (store breaker → held incident → dispatcher, over a real SQLite store)", () => {
  let db: LockableStore;
  let clock: FakeClock;
  let breaker: StoreBreaker;
  let held: HeldIncidentStore;
  let h: DispatcherHarness;
  let collectorIncident: CollectorIncident;
  let told: string[];
  let log: ReturnType<typeof memoryLogger>;

  beforeEach(() => {
    db = lockableStore();
    clock = new FakeClock();
    log = memoryLogger("collector");
    told = [];
    breaker = new StoreBreaker({
      probe: (nowMs) => db.store.probeWrite(nowMs),
      isUnavailable: (err) => db.store.isUnavailableError(err),
      policy: { probeIntervalMs: 1000, outageAfterMs: OUTAGE_AFTER_MS },
      now: clock.now,
      logger: log.logger,
      onEvent: (event) => collectorIncident.onStoreHealth(event),
    });
    const guarded = new GuardedIncidentStore(db.store.incidents, breaker);
    held = new HeldIncidentStore({ store: guarded, atomically: (work) => breaker.write(() => db.store.atomically(work)), logger: log.logger });
    h = dispatcherHarness({ store: held, clock });
    const note = (what: string, incident: StoredIncident): void => {
      told.push(`${what} ${incident.number} ${incident.state}`);
    };
    collectorIncident = new CollectorIncident({
      incidents: held,
      listener: {
        opened: (incident) => (note("opened", incident), h.dispatcher.incidentOpened(incident)),
        updated: (incident) => (note("updated", incident), h.dispatcher.incidentUpdated(incident)),
        closed: (incident) => (note("closed", incident), h.dispatcher.incidentClosed(incident)),
      },
      storeKind: "sqlite",
      timeZone: "Asia/Ho_Chi_Minh",
      now: clock.now,
      logger: log.logger,
    });
    h.dispatcher.start();
  });
  afterEach(async () => {
    await h.dispatcher.stop();
    db.remove();
  });

  /** A real write (a token row) the locked store refuses: the store begins failing now. */
  function failAWrite(): number {
    const failedAt = clock.nowMs;
    expect(() => breaker.write(() => db.store.addToken("tan-phong", `hash-${failedAt}`, failedAt))).toThrow(/database is locked/);
    return failedAt;
  }

  /** Moves the clock by `totalMs` in steps of at most `stepMs`, ticking the breaker (a probe, when failing) at each. */
  function passTime(totalMs: number, stepMs = 5000): void {
    for (let passed = 0; passed < totalMs; ) {
      const step = Math.min(stepMs, totalMs - passed);
      clock.advance(step);
      passed += step;
      breaker.tick();
    }
  }

  it("an outage is reported to the province while held in memory, stored with its timeline when the store is back, then the recovery is sent", async () => {
    db.lock();
    const failedAt = failAWrite();
    passTime(OUTAGE_AFTER_MS - 1000);
    expect(told).toEqual([]);
    passTime(1000);
    expect(told).toEqual(["opened SC-000001 open"]);
    const detectedTs = clock.nowMs;
    expect(held.getIncident(1)).toMatchObject({
      key: STORE_INCIDENT_KEY,
      kind: "collector",
      cause: "store_unreachable",
      severity: "critical",
      sites: [],
      summary: "Máy chủ giám sát không ghi được dữ liệu vào kho lưu trữ (SQLite)",
      timeline: { startTs: failedAt, detectedTs },
    });
    expect(held.getIncident(1)!.evidence[0]).toMatch(/^Mọi lần ghi vào kho lưu trữ đều thất bại từ \d\d:\d\d \d\d\/\d\d\/\d{4}: SQLITE_BUSY: database is locked$/);

    await h.dispatcher.tick();
    expect(h.sentSince()).toEqual([]); // group wait
    clock.advance(GROUP_WAIT_MS);
    await h.dispatcher.tick();
    // Only the province is told: no vendor, no ward contact (the incident has no site).
    expect(h.sentSince()).toEqual(["email province-ict report"]);
    expect(held.getIncident(1)).toMatchObject({ state: "open", timeline: { notifiedTs: clock.nowMs }, deliveries: [{ receiver: "province-ict", message: "report", ok: true }] });
    expect(db.store.incidents.getIncident(1)).toBeNull();

    db.unlock();
    clock.advance(1000);
    breaker.tick();
    const restoredTs = clock.nowMs;
    expect(told).toEqual(["opened SC-000001 open", "closed SC-000001 closed"]);
    const stored = db.store.incidents.getIncident(1)!;
    expect(stored.timeline).toEqual({ startTs: failedAt, detectedTs, notifiedTs: detectedTs + GROUP_WAIT_MS, acknowledgedTs: null, restoredTs, endTs: restoredTs });
    expect(stored.deliveries.map((d) => `${d.receiver} ${d.message} ${d.ok}`)).toEqual(["province-ict report true"]);

    await h.dispatcher.tick();
    expect(h.sentSince()).toEqual(["email province-ict recovery"]);
    expect(db.store.incidents.getIncident(1)!.deliveries.map((d) => d.message)).toEqual(["report", "recovery"]);
    clock.advance(60_000);
    await h.dispatcher.tick();
    expect(h.sentSince()).toEqual([]);
  });

  it("a failure shorter than store_unreachable_after opens nothing and tells nobody", async () => {
    db.lock();
    failAWrite();
    passTime(OUTAGE_AFTER_MS - 2000);
    db.unlock();
    passTime(1000);
    expect(breaker.writable).toBe(true);
    clock.advance(GROUP_WAIT_MS);
    await h.dispatcher.tick();
    expect([told, h.sent(), db.store.incidents.listIncidents({})]).toEqual([[], [], []]);
  });

  it("if the store fails again before the incident is written, it stays held and open, and is written at the next restoration", async () => {
    db.lock();
    const failedAt = failAWrite();
    passTime(OUTAGE_AFTER_MS);
    // The store is back for the probe but refuses the incident's write (another writer took the lock meanwhile).
    collectorIncident.onStoreHealth({ type: "restored", sinceTs: failedAt, restoredTs: clock.nowMs, outage: true, failures: 3 });
    expect(collectorIncident.held()).toMatchObject({ id: 1, state: "open" });
    expect(log.lines.some((l) => l.message === "collector incident not stored yet; kept in memory")).toBe(true);

    db.unlock();
    passTime(1000);
    expect(collectorIncident.held()).toBeNull();
    expect(db.store.incidents.getIncident(1)).toMatchObject({ state: "closed", timeline: { startTs: failedAt, restoredTs: clock.nowMs } });
    expect(told).toEqual(["opened SC-000001 open", "closed SC-000001 closed"]);
  });

  it("an outage takes the number after the last stored incident, and is opened once however long it lasts", async () => {
    db.store.incidents.openIncident({ key: "site:tan-phong", kind: "site", cause: "agent_silent", severity: "critical", provider: null, providerName: null, link: null, linkKind: null, circuit: null, sites: [], summary: "x", evidence: [], startTs: clock.nowMs, detectedTs: clock.nowMs });
    const freshGuarded = new GuardedIncidentStore(db.store.incidents, breaker);
    held = new HeldIncidentStore({ store: freshGuarded, atomically: (work) => breaker.write(() => db.store.atomically(work)), logger: log.logger });
    collectorIncident = new CollectorIncident({ incidents: held, listener: { opened: (i) => told.push(i.number), updated: () => {}, closed: () => {} }, storeKind: "sqlite", timeZone: "Asia/Ho_Chi_Minh", now: clock.now, logger: log.logger });
    db.lock();
    failAWrite();
    passTime(OUTAGE_AFTER_MS * 3);
    expect(told).toEqual(["SC-000002"]);
  });
});

describe("collector/alerts/messages render the collector's incident (no sites, no provider)", () => {
  const config = dispatcherHarness().config;
  const [province] = resolvedReceivers(config).filter((r) => r.id === "province-ict");
  const START = Date.parse("2025-01-06T01:00:00Z");
  const incident = {
    id: 7,
    number: "SC-000007",
    kind: "collector",
    cause: "store_unreachable",
    severity: "critical",
    state: "open",
    provider: null,
    providerName: null,
    link: null,
    linkKind: null,
    circuit: null,
    sites: [],
    summary: "Máy chủ giám sát không ghi được dữ liệu vào kho lưu trữ (SQLite)",
    timeline: { startTs: START, detectedTs: START + 30_000, notifiedTs: null, acknowledgedTs: null, restoredTs: null, endTs: null },
    vendorTicket: null,
    acknowledgedBy: null,
    evidence: ["Mọi lần ghi vào kho lưu trữ đều thất bại từ 08:00 06/01/2025: SQLITE_BUSY: database is locked"],
    deliveries: [],
  } satisfies Notification["incident"];
  const notification = (message: Notification["message"], language: "vi" | "en", overrides: Partial<Notification["incident"]> = {}): Notification => ({
    idempotencyKey: `7:province-ict:${message}:1`,
    message,
    incident: { ...incident, ...overrides },
    receiver: { ...province!, language },
    ackUrl: message === "recovery" ? null : "https://wardwatch.tinh.example/ack/abc",
    siteDetails: [],
    timeZone: "Asia/Ho_Chi_Minh",
    nowMs: START + 60_000,
  });

  it("the report names the incident, its start and its evidence", () => {
    const report = renderNotification(notification("report", "vi"));
    expect(report.subject).toBe("[wardwatch] Sự cố máy chủ giám sát SC-000007: Máy chủ giám sát không ghi được dữ liệu vào kho lưu trữ (SQLite)");
    expect(report.text).toContain("Bắt đầu lúc: 06/01/2025 08:00 (UTC+7)");
    expect(report.text).toContain("- Mọi lần ghi vào kho lưu trữ đều thất bại từ 08:00 06/01/2025: SQLITE_BUSY: database is locked");
    expect(report.html).toContain("SC-000007");
    expect(report.text).toContain("(không phải của nhà mạng)");
    expect(renderNotification(notification("report", "en")).subject).toBe("[wardwatch] Monitoring server incident SC-000007: The collector cannot reach its store");
  });

  it("the recovery notice gives when it was restored and how long it lasted", () => {
    const closed = { state: "closed" as const, timeline: { ...incident.timeline, restoredTs: START + 90_000, endTs: START + 90_000 } };
    const recovery = renderNotification(notification("recovery", "vi", closed));
    expect(recovery.subject).toBe("[wardwatch] Máy chủ giám sát đã hoạt động trở lại SC-000007: Máy chủ giám sát không ghi được dữ liệu vào kho lưu trữ (SQLite)");
    expect(recovery.text).toContain("Khôi phục lúc: 06/01/2025 08:01 (UTC+7)");
    expect(recovery.text).toContain("Thời gian sự cố: 1 phút");
    expect(recovery.text).toContain("đã ghi được dữ liệu trở lại");
    expect(() => renderNotification(notification("recovery", "en", closed))).not.toThrow();
  });
});
