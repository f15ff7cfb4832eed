import { describe, expect, it } from "vitest";
import { IndexedIncidentStore, type OpenIncidentChange } from "../../../collector/incidents/openIncidentIndex.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import type { DeliveryAttempt } from "../../../protocol/incident.js";
import { linkIncidentFixture } from "../../helpers/incidentFixtures.js";

function attempt(ts: number): DeliveryAttempt {
  return { receiver: "vnpt-noc", channel: "webhook", message: "report", attempt: 1, ts, ok: true, detail: "200", retryable: false };
}

function setup() {
  const store = SqliteMetadataStore.open(":memory:");
  const indexed = new IndexedIncidentStore(store.incidents);
  const changes: OpenIncidentChange[] = [];
  indexed.subscribe((change) => changes.push(change));
  return { store, indexed, changes };
}

describe("collector/incidents/openIncidentIndex", () => {
  it("reads the open incidents once at start, then follows opens, updates, deliveries and closes as the store has them", () => {
    const store = SqliteMetadataStore.open(":memory:");
    const before = store.incidents.openIncident(linkIncidentFixture({ key: "link:a:tslcd" }));
    const indexed = new IndexedIncidentStore(store.incidents);
    expect(indexed.byKey("link:a:tslcd")?.id).toBe(before.id);
    const opened = indexed.openIncident(linkIncidentFixture({ key: "link:b:tslcd" }));
    indexed.updateIncident(opened.id, { notifiedTs: 5000 });
    indexed.recordDelivery(opened.id, attempt(5000));
    indexed.updateIncident(before.id, { endTs: 6000 });
    expect(indexed.byKey("link:a:tslcd")).toBeUndefined();
    expect(indexed.openIncidents()).toEqual(store.incidents.openIncidents());
    expect(indexed.byKey("link:b:tslcd")!.deliveries).toHaveLength(1);
  });

  it("tells its subscribers of every incident opened or closed through it, by whoever", () => {
    const t = setup();
    const opened = t.indexed.openIncident(linkIncidentFixture());
    t.indexed.updateIncident(opened.id, { acknowledgedTs: 5000 });
    t.indexed.updateIncident(opened.id, { endTs: 6000 });
    t.indexed.updateIncident(opened.id, { notifiedTs: 7000 }); // after it closed: no second "closed"
    expect(t.changes.map((c) => (c.type === "reloaded" ? c.type : `${c.type}:${c.incident.id}`))).toEqual([`opened:${opened.id}`, `closed:${opened.id}`]);
  });

  it("after a write that failed (its transaction rolled back), the open set is read from the store again before its next use", () => {
    const t = setup();
    const kept = t.indexed.openIncident(linkIncidentFixture({ key: "link:a:tslcd" }));
    expect(() =>
      t.store.atomically(() => {
        t.indexed.updateIncident(kept.id, { endTs: 5000 });
        t.indexed.openIncident(linkIncidentFixture({ key: "link:b:tslcd" }));
        t.indexed.openIncident(linkIncidentFixture({ key: "link:b:tslcd" })); // one open incident per key: refused
      }),
    ).toThrow();
    expect(t.indexed.all().map((i) => i.key)).toEqual(["link:a:tslcd"]);
    expect(t.changes.at(-1)).toEqual({ type: "reloaded" });
  });
});
