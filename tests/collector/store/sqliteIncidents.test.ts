import { describe, expect, it } from "vitest";
import { SqliteStore } from "../../../collector/store/sqlite.js";
import { linkIncidentFixture } from "../../helpers/incidentFixtures.js";

describe("collector/store/sqliteIncidents", () => {
  it("opens, numbers, updates and closes an incident", () => {
    const store = SqliteStore.open(":memory:");
    const opened = store.incidents.openIncident(linkIncidentFixture());
    expect(opened).toMatchObject({ id: 1, number: "SC-000001", state: "open", key: "link:tan-phong:tslcd", timeline: { startTs: 1000, detectedTs: 4000, notifiedTs: null } });
    store.incidents.updateIncident(1, { notifiedTs: 5000 });
    store.incidents.updateIncident(1, { notifiedTs: 6000, acknowledgedTs: 7000, acknowledgedBy: "VNPT NOC", vendorTicket: "VNPT-778899" });
    const closed = store.incidents.updateIncident(1, { restoredTs: 9000, endTs: 9500 })!;
    expect(closed.state).toBe("closed");
    // The first notification and acknowledgement times are kept.
    expect(closed.timeline).toEqual({ startTs: 1000, detectedTs: 4000, notifiedTs: 5000, acknowledgedTs: 7000, restoredTs: 9000, endTs: 9500 });
    expect(closed.vendorTicket).toBe("VNPT-778899");
    expect(store.incidents.openIncidents()).toEqual([]);
    expect(store.incidents.updateIncident(99, { endTs: 1 })).toBeNull();
  });

  it("keeps one open incident per key", () => {
    const store = SqliteStore.open(":memory:");
    store.incidents.openIncident(linkIncidentFixture());
    expect(() => store.incidents.openIncident(linkIncidentFixture())).toThrow(/UNIQUE/);
    store.incidents.updateIncident(1, { endTs: 10 });
    expect(store.incidents.openIncident(linkIncidentFixture()).id).toBe(2);
  });

  it("lists by state, site, provider and kind, newest first, with deliveries", () => {
    const store = SqliteStore.open(":memory:");
    store.incidents.openIncident(linkIncidentFixture());
    store.incidents.openIncident(linkIncidentFixture({ key: "site:bien-hoa", kind: "site", cause: "agent_silent", provider: null, sites: [{ site: "bien-hoa", siteName: "Biên Hòa", links: [] }] }));
    store.incidents.recordDelivery(1, { receiver: "vnpt-noc", channel: "webhook", message: "report", attempt: 1, ts: 5000, ok: false, detail: "HTTP 500", retryable: true });
    store.incidents.recordDelivery(1, { receiver: "vnpt-noc", channel: "webhook", message: "report", attempt: 2, ts: 6000, ok: true, detail: "HTTP 200", retryable: false });
    expect(store.incidents.listIncidents({}).map((i) => i.id)).toEqual([2, 1]);
    expect(store.incidents.listIncidents({ site: "tan-phong" }).map((i) => i.id)).toEqual([1]);
    expect(store.incidents.listIncidents({ provider: "vnpt" }).map((i) => i.id)).toEqual([1]);
    expect(store.incidents.listIncidents({ kind: "site", state: "open" }).map((i) => i.id)).toEqual([2]);
    expect(store.incidents.getIncident(1)!.deliveries.map((d) => [d.attempt, d.ok])).toEqual([
      [1, false],
      [2, true],
    ]);
  });
});
