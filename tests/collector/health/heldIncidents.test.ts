import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HeldIncidentStore } from "../../../collector/health/heldIncidents.js";
import { StoreUnavailableError, type StoreBreaker } from "../../../collector/health/storeBreaker.js";
import { storeOutageIncident } from "../../../collector/health/collectorIncident.js";
import { HELD_JOURNAL_FILE } from "../../../collector/health/heldJournal.js";
import { wireStoreHealth } from "../../../collector/health/storeHealthWiring.js";
import type { NewIncident } from "../../../collector/incidents/incidentStore.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
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
  let held: HeldIncidentStore;
  let log: ReturnType<typeof memoryLogger>;
  let journalFile: string;

  /** The store's health as the collector wires it, over the same database and journal (a restart when called again). */
  const wire = (file: string | null = journalFile) =>
    wireStoreHealth({
      store: db.store,
      sampleStore: { probe: async () => {}, isUnavailableError: () => false },
      incidents: db.store.incidents,
      policy: { probeIntervalMs: 1000, outageAfterMs: 30_000 },
      journalFile: file,
      storeKind: "sqlite",
      timeZone: "Asia/Ho_Chi_Minh",
      now: clock.now,
      monotonicNow: clock.now,
      logger: log.logger,
    });
  const journaled = () => (JSON.parse(readFileSync(journalFile, "utf8")) as { incidents: Array<{ id: number; deliveries: unknown[]; timeline: { notifiedTs: number | null } }> }).incidents;

  beforeEach(() => {
    db = lockableStore();
    clock = new FakeClock();
    log = memoryLogger("held");
    journalFile = join(dirname(db.file), "data", HELD_JOURNAL_FILE);
    // Two incidents in the store before the guarded view is built: it starts from the highest id there.
    db.store.incidents.openIncident(linkIncident(clock.nowMs - 60_000));
    db.store.incidents.openIncident(linkIncident(clock.nowMs - 50_000, { key: "link:nhon-trach:tslcd", sites: [{ site: "nhon-trach", siteName: "Xã Nhơn Trạch", links: ["tslcd"] }] }));
    ({ breaker, incidents: held } = wire());
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

  it("measures response times over the stored incidents that name a provider, and held ones that do", () => {
    held.hold(collectorIncident(clock.nowMs));
    const window = { fromTs: 0, toTs: clock.nowMs + 1, limit: 10 };
    // The collector's own incident names no provider: only the two stored link incidents.
    expect(held.providerIncidentTimes(window).map((i) => i.id)).toEqual([2, 1]);
    const linkHeld = held.hold(linkIncident(clock.nowMs, { key: "link:bien-hoa:tslcd" }));
    expect(held.providerIncidentTimes(window).map((i) => i.id)).toEqual([linkHeld.id, 2, 1]);
    expect(held.providerIncidentTimes({ ...window, limit: 2 }).map((i) => i.id)).toEqual([linkHeld.id, 2]);
    expect(held.providerIncidentTimes({ ...window, toTs: clock.nowMs - 40_000 }).map((i) => i.id)).toEqual([2, 1]);
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
    const other = SqliteMetadataStore.open(db.file);
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

  it("renumbered: delivery attempts recorded later under the old id (a send in flight) go to the stored incident", () => {
    const { id } = held.hold(collectorIncident(clock.nowMs));
    held.recordDelivery(id, attempt(clock.nowMs + 1000));
    db.execElsewhere(`INSERT INTO incidents (key, state, body_json, start_ts) SELECT 'link:tan-phong:inet', 'open', body_json, start_ts FROM incidents WHERE id = 1`);
    const { stored } = held.release(id, { restoredTs: clock.nowMs + 5000, endTs: clock.nowMs + 5000 });
    expect([stored.id, db.store.incidents.getIncident(id)!.key]).toEqual([4, "link:tan-phong:inet"]);

    held.recordDelivery(id, attempt(clock.nowMs + 6000, "recovery"));
    expect(db.store.incidents.getIncident(4)!.deliveries.map((d) => d.message)).toEqual(["report", "recovery"]);
    expect(db.store.incidents.getIncident(id)!.deliveries).toEqual([]);
  });

  it("journals a held incident with its changes and attempts; after a restart it is held again under the same id, and the next one after it", () => {
    const { id } = held.hold(collectorIncident(clock.nowMs));
    held.recordDelivery(id, attempt(clock.nowMs + 1000));
    held.updateIncident(id, { notifiedTs: clock.nowMs + 1000 });
    expect(journaled()).toMatchObject([{ id, deliveries: [attempt(clock.nowMs + 1000)], timeline: { notifiedTs: clock.nowMs + 1000 } }]);
    const before = held.getIncident(id);

    const restarted = wire().incidents;
    expect(restarted.heldIncidents()).toEqual([before]);
    expect(restarted.openIncidents().map((i) => i.id)).toEqual([1, 2, id]);
    expect(restarted.hold(collectorIncident(clock.nowMs)).id).toBe(id + 1);
    expect(log.lines.filter((l) => l.message === "held incident reloaded from the journal").map((l) => l.number)).toEqual(["SC-000003"]);
  });

  it("release empties the journal; one the store already has (stopped between the release and the journal's rewrite) is not held again", () => {
    const { id } = held.hold(collectorIncident(clock.nowMs));
    const journal = readFileSync(journalFile, "utf8");
    held.release(id, { restoredTs: clock.nowMs + 5000, endTs: clock.nowMs + 5000 });
    expect(existsSync(journalFile)).toBe(false);

    // The journal as it was before the release: the store has the incident already.
    writeFileSync(journalFile, journal);
    const restarted = wire().incidents;
    expect(restarted.heldIncidents()).toEqual([]);
    expect(restarted.listIncidents({ kind: "collector" }).map((i) => [i.id, i.state])).toEqual([[id, "closed"]]);
    expect(existsSync(journalFile)).toBe(false);
  });

  it("a journal that cannot be written is logged once; the incident is held in memory all the same", () => {
    // data_dir's place is taken by a file: no journal can be written under it.
    writeFileSync(join(dirname(db.file), "not-a-dir"), "");
    held = wire(join(dirname(db.file), "not-a-dir", HELD_JOURNAL_FILE)).incidents;
    const { id } = held.hold(collectorIncident(clock.nowMs));
    held.recordDelivery(id, attempt(clock.nowMs + 1000));
    held.updateIncident(id, { notifiedTs: clock.nowMs + 1000 });
    expect(held.getIncident(id)).toMatchObject({ deliveries: [attempt(clock.nowMs + 1000)], timeline: { notifiedTs: clock.nowMs + 1000 } });
    expect(log.lines.filter((l) => l.message === "held incident journal not written: held incidents are kept in memory only")).toHaveLength(1);
    expect(held.release(id, { restoredTs: clock.nowMs + 2000, endTs: clock.nowMs + 2000 }).stored.id).toBe(id);
  });

  it("a malformed journal is logged and ignored", () => {
    mkdirSync(dirname(journalFile), { recursive: true });
    writeFileSync(journalFile, JSON.stringify({ version: 1, incidents: [{ id: 3, number: "SC-000003" }] }));
    expect(wire().incidents.heldIncidents()).toEqual([]);
    expect(log.lines.find((l) => l.message === "held incident journal malformed; ignored")).toMatchObject({ problem: expect.stringMatching(/^incidents\.0\.key: /) });
  });
});
