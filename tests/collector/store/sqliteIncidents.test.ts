import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import { SqliteIncidentStore } from "../../../collector/store/sqliteIncidents.js";
import { migrate } from "../../../collector/store/sqliteSchema.js";
import { linkIncidentFixture } from "../../helpers/incidentFixtures.js";

describe("collector/store/sqliteIncidents", () => {
  it("opens, numbers, updates and closes an incident", () => {
    const store = SqliteMetadataStore.open(":memory:");
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
    const store = SqliteMetadataStore.open(":memory:");
    store.incidents.openIncident(linkIncidentFixture());
    expect(() => store.incidents.openIncident(linkIncidentFixture())).toThrow(/UNIQUE/);
    store.incidents.updateIncident(1, { endTs: 10 });
    expect(store.incidents.openIncident(linkIncidentFixture()).id).toBe(2);
  });

  it("lists by state, site, provider and kind, newest first, with deliveries", () => {
    const store = SqliteMetadataStore.open(":memory:");
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

  describe("providerIncidentTimes", () => {
    /** 1: vnpt link at 1000; 2: site of no provider at 2000; 3: viettel link at 3000 (merged into 4); 4: vnpt provider outage at 3000; 5: vnpt link at 5000. */
    function storeWithIncidents() {
      const store = SqliteMetadataStore.open(":memory:");
      store.incidents.openIncident(linkIncidentFixture({ startTs: 1000 }));
      store.incidents.openIncident(linkIncidentFixture({ key: "site:bien-hoa", kind: "site", cause: "agent_silent", provider: null, providerName: null, startTs: 2000 }));
      store.incidents.openIncident(linkIncidentFixture({ key: "link:tan-phong:inet", provider: "viettel", providerName: "Viettel", startTs: 3000 }));
      store.incidents.openIncident(linkIncidentFixture({ key: "provider:vnpt", kind: "provider", cause: "provider_outage", startTs: 3000 }));
      store.incidents.updateIncident(3, { endTs: 3500, restoredTs: 3400, mergedInto: 4 });
      store.incidents.openIncident(linkIncidentFixture({ key: "link:nhon-trach:tslcd", startTs: 5000 }));
      store.incidents.updateIncident(1, { notifiedTs: 1500, acknowledgedTs: 1700, restoredTs: 1900, endTs: 1950 });
      return store;
    }

    it("returns the incidents with a provider started in [from, to), latest start first, with only the measured fields", () => {
      const store = storeWithIncidents();
      const times = store.incidents.providerIncidentTimes({ fromTs: 1000, toTs: 5000, limit: 100 });
      expect(times.map((i) => i.id)).toEqual([4, 3, 1]);
      expect(times[1]).toEqual({
        id: 3,
        kind: "link",
        cause: "link_down",
        state: "closed",
        provider: "viettel",
        providerName: "Viettel",
        mergedInto: 4,
        timeline: { startTs: 3000, detectedTs: 4000, notifiedTs: null, acknowledgedTs: null, restoredTs: 3400, endTs: 3500 },
      });
      expect(times[2]).toMatchObject({ id: 1, state: "closed", mergedInto: null, timeline: { notifiedTs: 1500, acknowledgedTs: 1700, restoredTs: 1900 } });
      expect(store.incidents.providerIncidentTimes({ fromTs: 1001, toTs: 10_000, limit: 100 }).map((i) => i.id)).toEqual([5, 4, 3]);
      expect(store.incidents.providerIncidentTimes({ fromTs: 1000, toTs: 10_000, limit: 2 }).map((i) => i.id)).toEqual([5, 4]);
      expect(store.incidents.providerIncidentTimes({ fromTs: 6000, toTs: 10_000, limit: 100 })).toEqual([]);
    });

    it("reads a range of the start_ts index rather than the whole table", () => {
      // The store's own statement, as SQLite ran it (better-sqlite3's verbose hook gives it with the values bound).
      const ran: string[] = [];
      const db = new Database(":memory:", { verbose: (sql) => ran.push(String(sql)) });
      migrate(db);
      const incidents = new SqliteIncidentStore(db);
      incidents.openIncident(linkIncidentFixture({ startTs: 1000 }));
      incidents.providerIncidentTimes({ fromTs: 0, toTs: 10_000, limit: 5 });
      const statement = ran.findLast((sql) => /FROM incidents\s+WHERE start_ts >=/.test(sql));
      expect(statement).toBeDefined();
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${statement}`).all() as Array<{ detail: string }>).map((row) => row.detail);
      expect(plan.join("; ")).toMatch(/SEARCH incidents USING INDEX incidents_start_ts \(start_ts>\? AND start_ts<\?\)/);
      // Read in index order: no sort of the whole window before the limit.
      expect(plan.join("; ")).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
      db.close();
    });
  });
});
