import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CollectorIncident, STORE_INCIDENT_KEY } from "../../../collector/health/collectorIncident.js";
import { HELD_JOURNAL_FILE } from "../../../collector/health/heldJournal.js";
import { wireStoreHealth, type StoreHealth } from "../../../collector/health/storeHealthWiring.js";
import type { IncidentListener } from "../../../collector/incidents/incidentEngine.js";
import type { StoredIncident } from "../../../collector/incidents/incidentStore.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import { linkIncident } from "../../helpers/alertingFixtures.js";
import { dispatcherHarness, FakeClock, type DispatcherHarness } from "../../helpers/dispatcherHarness.js";
import { lockableStore, type LockableStore } from "../../helpers/lockableStore.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

const OUTAGE_AFTER_MS = 30_000;
const GROUP_WAIT_MS = 10_000; // dispatcherHarness's alerting

describe("collector/health/collectorIncident (store breaker → held incident → dispatcher, over a real SQLite store)", () => {
  let db: LockableStore;
  let clock: FakeClock;
  let health: StoreHealth;
  let h: DispatcherHarness;
  let collectorIncident: CollectorIncident;
  let told: string[];
  let log: ReturnType<typeof memoryLogger>;
  let journalFile: string;

  /** What the collector wires at start (storeHealthWiring.ts) over the same database and journal: called again, a restart. */
  function start(): void {
    health = wireStoreHealth({
      store: db.store,
      sampleStore: { probe: async () => {}, isUnavailableError: () => false },
      incidents: db.store.incidents,
      policy: { probeIntervalMs: 1000, outageAfterMs: OUTAGE_AFTER_MS },
      journalFile,
      storeKind: "sqlite",
      timeZone: "Asia/Ho_Chi_Minh",
      now: clock.now,
      monotonicNow: clock.now,
      logger: log.logger,
    });
    h = dispatcherHarness({ store: health.incidents, clock });
    h.dispatcher.start();
    const note = (what: string, incident: StoredIncident): void => {
      told.push(`${what} ${incident.number} ${incident.state}`);
    };
    const listener: IncidentListener = {
      opened: (incident) => (note("opened", incident), h.dispatcher.incidentOpened(incident)),
      updated: (incident) => (note("updated", incident), h.dispatcher.incidentUpdated(incident)),
      closed: (incident) => (note("closed", incident), h.dispatcher.incidentClosed(incident)),
    };
    collectorIncident = health.startCollectorIncident(listener);
  }

  beforeEach(() => {
    db = lockableStore();
    clock = new FakeClock();
    log = memoryLogger("collector");
    told = [];
    journalFile = join(dirname(db.file), "data", HELD_JOURNAL_FILE);
    start();
  });
  afterEach(async () => {
    await h.dispatcher.stop();
    db.remove();
  });

  /** A real write (a token row) the locked store refuses: the store begins failing now. */
  function failAWrite(): number {
    const failedAt = clock.nowMs;
    expect(() => health.breaker.write(() => db.store.addToken("tan-phong", `hash-${failedAt}`, failedAt))).toThrow(/database is locked/);
    return failedAt;
  }

  /** One beat of the collector's alert tick, before the dispatcher: the breaker (a probe when due), then the held incident. */
  function beat(): void {
    health.breaker.tick();
    collectorIncident.tick();
  }

  /** Moves the clock by `totalMs` in steps of at most `stepMs`, with a {@link beat} at each. */
  function passTime(totalMs: number, stepMs = 5000): void {
    for (let passed = 0; passed < totalMs; ) {
      const step = Math.min(stepMs, totalMs - passed);
      clock.advance(step);
      passed += step;
      beat();
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
    expect(health.incidents.getIncident(1)).toMatchObject({
      key: STORE_INCIDENT_KEY,
      kind: "collector",
      cause: "store_unreachable",
      severity: "critical",
      sites: [],
      summary: "Máy chủ giám sát không ghi được dữ liệu vào kho lưu trữ (SQLite)",
      timeline: { startTs: failedAt, detectedTs },
    });
    expect(health.incidents.getIncident(1)!.evidence[0]).toMatch(/^Mọi lần ghi vào kho lưu trữ đều thất bại từ \d\d:\d\d \d\d\/\d\d\/\d{4}: SQLITE_BUSY: database is locked$/);

    await h.dispatcher.tick();
    expect(h.sentSince()).toEqual([]); // group wait
    clock.advance(GROUP_WAIT_MS);
    await h.dispatcher.tick();
    // Only the province is told: no vendor, no ward contact (the incident has no site).
    expect(h.sentSince()).toEqual(["email province-ict report"]);
    expect(health.incidents.getIncident(1)).toMatchObject({ state: "open", timeline: { notifiedTs: clock.nowMs }, deliveries: [{ receiver: "province-ict", message: "report", ok: true }] });
    expect(db.store.incidents.getIncident(1)).toBeNull();

    db.unlock();
    clock.advance(1000);
    beat(); // the probe succeeds; the release is the first real write, and closes the breaker
    const restoredTs = clock.nowMs;
    expect(told).toEqual(["opened SC-000001 open", "closed SC-000001 closed"]);
    expect(health.breaker.state.status).toBe("up");
    const stored = db.store.incidents.getIncident(1)!;
    expect(stored.timeline).toEqual({ startTs: failedAt, detectedTs, notifiedTs: detectedTs + GROUP_WAIT_MS, acknowledgedTs: null, restoredTs, endTs: restoredTs });
    expect(stored.deliveries.map((d) => `${d.receiver} ${d.message} ${d.ok}`)).toEqual(["province-ict report true"]);
    expect(existsSync(journalFile)).toBe(false);

    await h.dispatcher.tick();
    expect(h.sentSince()).toEqual(["email province-ict recovery"]);
    expect(db.store.incidents.getIncident(1)!.deliveries.map((d) => d.message)).toEqual(["report", "recovery"]);
    clock.advance(60_000);
    await h.dispatcher.tick();
    expect(h.sentSince()).toEqual([]);
  });

  it("closed by hand while held (the resolve API), it is stored with the times given by hand", () => {
    db.lock();
    failAWrite();
    passTime(OUTAGE_AFTER_MS);
    expect(told).toEqual(["opened SC-000001 open"]);
    clock.advance(5000);
    const resolvedTs = clock.nowMs;
    health.incidents.updateIncident(1, { restoredTs: resolvedTs, endTs: resolvedTs });
    db.unlock();
    passTime(10_000, 1000);
    const stored = db.store.incidents.getIncident(1)!;
    expect(stored.state).toBe("closed");
    expect(stored.timeline).toMatchObject({ restoredTs: resolvedTs, endTs: resolvedTs });
  });

  it("a failure shorter than store_unreachable_after opens nothing and tells nobody", async () => {
    db.lock();
    failAWrite();
    passTime(OUTAGE_AFTER_MS - 2000);
    db.unlock();
    passTime(1000);
    expect(health.breaker.writable).toBe(true);
    clock.advance(GROUP_WAIT_MS);
    await h.dispatcher.tick();
    expect([told, h.sent(), db.store.incidents.listIncidents({})]).toEqual([[], [], []]);
  });

  it("if the store fails again before the incident is written (the probe got through, the release meets the lock), it stays held and open, and is written at the next good tick", async () => {
    db.lock();
    const failedAt = failAWrite();
    passTime(OUTAGE_AFTER_MS);
    expect(collectorIncident.held()).toMatchObject({ id: 1, state: "open" });

    db.unlock();
    clock.advance(1000);
    health.breaker.tick();
    expect(health.breaker.state.status).toBe("halfOpen");
    db.lock(); // another writer takes the lock between the probe and the release
    collectorIncident.tick();
    expect(collectorIncident.held()).toMatchObject({ id: 1, state: "open", timeline: { restoredTs: null, endTs: null } });
    expect(health.breaker.state).toMatchObject({ status: "failing", sinceTs: failedAt, outage: true });
    expect(log.lines.some((l) => l.message === "collector incident not stored yet: the store failed again; kept held")).toBe(true);
    expect(db.store.incidents.listIncidents({})).toEqual([]);

    db.unlock();
    passTime(1000);
    expect(collectorIncident.held()).toBeNull();
    expect(db.store.incidents.getIncident(1)).toMatchObject({ state: "closed", timeline: { startTs: failedAt, restoredTs: clock.nowMs } });
    expect(told).toEqual(["opened SC-000001 open", "closed SC-000001 closed"]);
  });

  it("a release that fails for a reason not the store's is tried again at every tick (logged once) until it succeeds; the engine is not held up meanwhile", async () => {
    db.lock();
    failAWrite();
    passTime(OUTAGE_AFTER_MS);
    expect(collectorIncident.mayOpenIncidents()).toBe(false);
    db.unlock();
    // Another process opened an incident under the same key: the held one cannot be stored while that one is open.
    const other = SqliteMetadataStore.open(db.file);
    const blocking = other.incidents.openIncident({ ...linkIncident(clock.nowMs), key: STORE_INCIDENT_KEY });
    expect(blocking.id).toBe(1);

    passTime(3000, 1000);
    expect(collectorIncident.held()).toMatchObject({ id: 1, state: "open" });
    expect(log.lines.filter((l) => l.message === "collector incident cannot be stored; kept held, retried every tick")).toHaveLength(1);
    expect(collectorIncident.mayOpenIncidents()).toBe(true);

    other.incidents.updateIncident(blocking.id, { endTs: clock.nowMs });
    other.close();
    clock.advance(1000);
    beat();
    expect(collectorIncident.held()).toBeNull();
    expect(db.store.incidents.getIncident(2)).toMatchObject({ key: STORE_INCIDENT_KEY, state: "closed", evidence: expect.arrayContaining(["Thông báo về sự cố này đã gửi với mã SC-000001"]) });
    expect(told).toEqual(["opened SC-000001 open", "closed SC-000001 closed", "closed SC-000002 closed"]);
  });

  it("an outage takes the number after the last stored incident, and is opened once however long it lasts", async () => {
    await h.dispatcher.stop();
    db.store.incidents.openIncident({ key: "site:tan-phong", kind: "site", cause: "agent_silent", severity: "critical", provider: null, providerName: null, link: null, linkKind: null, circuit: null, sites: [], summary: "x", evidence: [], startTs: clock.nowMs, detectedTs: clock.nowMs });
    start();
    db.lock();
    failAWrite();
    passTime(OUTAGE_AFTER_MS * 3);
    expect(told).toEqual(["opened SC-000002 open"]);
  });

  it("restarted during the outage: the journaled incident is held again under its number, is not reported again, and is stored first once the store is back", async () => {
    db.lock();
    const failedAt = failAWrite();
    passTime(OUTAGE_AFTER_MS);
    clock.advance(GROUP_WAIT_MS);
    await h.dispatcher.tick();
    expect(h.sentSince()).toEqual(["email province-ict report"]);

    // The collector stops and starts again, the store still locked.
    await h.dispatcher.stop();
    start();
    expect(collectorIncident.held()).toMatchObject({ id: 1, number: "SC-000001", state: "open", timeline: { startTs: failedAt }, deliveries: [{ message: "report", ok: true }] });
    expect(health.breaker.writable).toBe(false); // its release at start met the lock
    expect(collectorIncident.mayOpenIncidents()).toBe(false);
    passTime(OUTAGE_AFTER_MS * 2); // the new run's outage: covered by the held incident
    await h.dispatcher.tick();
    expect(h.sentSince()).toEqual([]);
    expect(health.incidents.listIncidents({ kind: "collector" }).map((i) => i.number)).toEqual(["SC-000001"]);

    db.unlock();
    passTime(1000);
    expect(db.store.incidents.getIncident(1)).toMatchObject({ key: STORE_INCIDENT_KEY, state: "closed", timeline: { startTs: failedAt }, deliveries: [{ message: "report" }] });
    await h.dispatcher.tick();
    expect(h.sentSince()).toEqual(["email province-ict recovery"]);
    expect(collectorIncident.mayOpenIncidents()).toBe(true);
    expect(health.engineIncidents.openIncident(linkIncident(clock.nowMs)).id).toBe(2);
    expect(told).toEqual(["opened SC-000001 open", "closed SC-000001 closed"]);
  });
});
