import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GuardedIncidentStore } from "../../../collector/health/guardedIncidents.js";
import { HeldIncidentStore } from "../../../collector/health/heldIncidents.js";
import { StoreBreaker, StoreUnavailableError } from "../../../collector/health/storeBreaker.js";
import { storeOutageIncident } from "../../../collector/health/collectorIncident.js";
import type { NewIncident } from "../../../collector/incidents/incidentStore.js";
import { SqliteStore } from "../../../collector/store/sqlite.js";
import type { DeliveryAttempt } from "../../../protocol/incident.js";
import { linkIncident } from "../../helpers/alertingFixtures.js";
import { FakeClock } from "../../helpers/dispatcherHarness.js";
import { lockableStore, type LockableStore } from "../../helpers/lockableStore.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

function collectorIncident(sinceTs: number): NewIncident {
  return storeOutageIncident({ type: "outage", sinceTs, detectedTs: sinceTs + 30_000, error: "SQLITE_BUSY: database is locked" }, "sqlite", "Asia/Ho_Chi_Minh");
}

function attempt(ts: number, message: DeliveryAttempt["message"] = "report"): DeliveryAttempt {
  return { receiver: "province-ict", channel: "email", message, attempt: 1, ts, ok: true, detail: "250 OK", retryable: false };
}

describe("collector/health/heldIncidents (over a real SQLite store)", () => {
  let db: LockableStore;
  let clock: FakeClock;
  let breaker: StoreBreaker;
  let guarded: GuardedIncidentStore;
  let held: HeldIncidentStore;
  let log: ReturnType<typeof memoryLogger>;

  beforeEach(() => {
    db = lockableStore();
    clock = new FakeClock();
    log = memoryLogger("held");
    breaker = new StoreBreaker({
      probe: (nowMs) => db.store.probeWrite(nowMs),
      isUnavailable: (err) => db.store.isUnavailableError(err),
      policy: { probeIntervalMs: 1000, outageAfterMs: 30_000 },
      now: clock.now,
      logger: log.logger,
      onEvent: () => {},
    });
    // Two incidents in the store before the guarded view is built: it starts from the highest id there.
    db.store.incidents.openIncident(linkIncident(clock.nowMs - 60_000));
    db.store.incidents.openIncident(linkIncident(clock.nowMs - 50_000, { key: "link:nhon-trach:tslcd", sites: [{ site: "nhon-trach", siteName: "Xã Nhơn Trạch", links: ["tslcd"] }] }));
    guarded = new GuardedIncidentStore(db.store.incidents, breaker);
    held = new HeldIncidentStore({ store: guarded, atomically: (work) => breaker.write(() => db.store.atomically(work)), logger: log.logger });
  });
  afterEach(() => db.remove());

  it("holds an incident under the id the store gives next, and shows it with the stored ones", () => {
    const incident = held.hold(collectorIncident(clock.nowMs));
    expect([incident.id, incident.number, incident.state, incident.kind, incident.sites]).toEqual([3, "SC-000003", "open", "collector", []]);
    expect(held.getIncident(3)).toEqual(incident);
    expect(held.openIncidents().map((i) => i.id)).toEqual([1, 2, 3]);
    expect(held.listIncidents({}).map((i) => i.id)).toEqual([3, 2, 1]);
    expect(held.listIncidents({ limit: 2 }).map((i) => i.id)).toEqual([3, 2]);
    expect(held.listIncidents({ kind: "collector" }).map((i) => i.id)).toEqual([3]);
    expect(held.listIncidents({ site: "tan-phong" }).map((i) => i.id)).toEqual([1]);
    expect(held.listIncidents({ state: "closed" })).toEqual([]);
    expect(db.store.incidents.getIncident(3)).toBeNull();
  });

  it("while the store is locked, a held incident's changes and delivery attempts are kept in memory; stored ones are refused", () => {
    const { id } = held.hold(collectorIncident(clock.nowMs));
    db.lock();
    held.recordDelivery(id, attempt(clock.nowMs + 1000));
    held.updateIncident(id, { notifiedTs: clock.nowMs + 1000 });
    held.updateIncident(id, { notifiedTs: clock.nowMs + 9000, acknowledgedTs: clock.nowMs + 2000, acknowledgedBy: "Tổ giám sát" });
    expect(breaker.writable).toBe(true);
    expect(held.getIncident(id)).toMatchObject({
      timeline: { notifiedTs: clock.nowMs + 1000, acknowledgedTs: clock.nowMs + 2000 },
      acknowledgedBy: "Tổ giám sát",
      deliveries: [attempt(clock.nowMs + 1000)],
    });

    expect(() => held.recordDelivery(1, attempt(clock.nowMs))).toThrow(/database is locked/);
    expect(breaker.writable).toBe(false);
    expect(() => held.updateIncident(2, { acknowledgedTs: clock.nowMs })).toThrow(StoreUnavailableError);
  });

  it("release writes it with its timeline and attempts in one transaction, under the same id, and stops holding it", () => {
    const { id } = held.hold(collectorIncident(clock.nowMs - 30_000));
    held.recordDelivery(id, attempt(clock.nowMs + 1000));
    held.updateIncident(id, { notifiedTs: clock.nowMs + 1000 });
    const { stored } = held.release(id, { restoredTs: clock.nowMs + 40_000, endTs: clock.nowMs + 40_010 });

    expect(stored.id).toBe(id);
    expect(stored).toMatchObject({ number: "SC-000003", key: "collector:store", kind: "collector", cause: "store_unreachable", severity: "critical", state: "closed", mergedInto: null });
    expect(stored.timeline).toEqual({
      startTs: clock.nowMs - 30_000,
      detectedTs: clock.nowMs,
      notifiedTs: clock.nowMs + 1000,
      acknowledgedTs: null,
      restoredTs: clock.nowMs + 40_000,
      endTs: clock.nowMs + 40_010,
    });
    expect(stored.deliveries).toEqual([attempt(clock.nowMs + 1000)]);
    expect(held.isHeld(id)).toBe(false);
    expect(db.store.incidents.getIncident(id)).toEqual(stored);
    expect(held.openIncidents().map((i) => i.id)).toEqual([1, 2]);
    // Later attempts (a send that was in flight) go to the store.
    held.recordDelivery(id, attempt(clock.nowMs + 41_000, "recovery"));
    expect(db.store.incidents.getIncident(id)!.deliveries).toHaveLength(2);
  });

  it("a release the store refuses throws, keeps holding it and leaves nothing in the store", () => {
    const { id } = held.hold(collectorIncident(clock.nowMs));
    db.lock();
    expect(() => held.release(id, { restoredTs: clock.nowMs, endTs: clock.nowMs })).toThrow(/database is locked/);
    expect(() => held.release(id, { restoredTs: clock.nowMs, endTs: clock.nowMs })).toThrow(StoreUnavailableError);
    expect(held.getIncident(id)).toMatchObject({ state: "open", timeline: { restoredTs: null, endTs: null } });
    db.unlock();
    expect(db.store.incidents.listIncidents({}).map((i) => i.id)).toEqual([2, 1]);
  });

  it("renumbered when another writer took the id meanwhile: the stored one names the held number, the held one is merged into it", () => {
    const { id } = held.hold(collectorIncident(clock.nowMs));
    const other = SqliteStore.open(db.file);
    try {
      other.incidents.openIncident(linkIncident(clock.nowMs, { key: "link:tan-phong:inet" }));
    } finally {
      other.close();
    }
    const released = held.release(id, { restoredTs: clock.nowMs + 5000, endTs: clock.nowMs + 5000 });
    expect(released.stored.id).toBe(4);
    expect(released.stored.evidence.at(-1)).toBe("Thông báo về sự cố này đã gửi với mã SC-000003");
    expect(released.held).toMatchObject({ id: 3, state: "closed", mergedInto: 4 });
    expect(log.lines.find((l) => l.message === "held incident stored under another number")).toMatchObject({ held: "SC-000003", stored: "SC-000004" });
  });
});
