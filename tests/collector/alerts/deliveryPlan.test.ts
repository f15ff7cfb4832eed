import { describe, expect, it } from "vitest";
import { idempotencyKey, planDeliveries, sendRecords, type PlanInput } from "../../../collector/alerts/deliveryPlan.js";
import type { StoredIncident } from "../../../collector/incidents/incidentStore.js";
import type { DeliveryAttempt } from "../../../protocol/incident.js";
import { alertingConfig, linkIncident, MONDAY_0800_ICT } from "../../helpers/alertingFixtures.js";
import { memoryIncidentStore } from "../../helpers/memoryIncidentStore.js";
import { TEST_ALERTING } from "../../helpers/dispatcherHarness.js";

const T0 = MONDAY_0800_ICT;

function attempt(changes: Partial<DeliveryAttempt>): DeliveryAttempt {
  return { receiver: "vnpt-noc", channel: "webhook", message: "report", attempt: 1, ts: T0, ok: true, detail: "HTTP 200", retryable: false, ...changes };
}

function input(incident: StoredIncident, attempts: DeliveryAttempt[], nowMs: number): PlanInput {
  return { incident, attempts, config: alertingConfig({ alerting: TEST_ALERTING }), channelsFor: (r) => (r === "vnpt-noc" ? ["webhook"] : ["email"]), nowMs };
}

describe("deliveryPlan", () => {
  it("groups attempts into sends: retries join the send they continue, attempt 1 starts a new one", () => {
    const attempts = [
      attempt({ message: "repeat", ok: false, retryable: true, detail: "HTTP 500" }),
      attempt({ message: "repeat", attempt: 2, ts: T0 + 1000 }),
      attempt({ message: "repeat", ts: T0 + 4000, ok: false, retryable: true }),
      attempt({ message: "repeat", attempt: 2, ts: T0 + 5000, ok: false, retryable: false }),
      attempt({ message: "repeat", ts: T0 + 9000, ok: false, retryable: true }),
      attempt({ receiver: "other", message: "repeat" }),
      attempt({ channel: "email", message: "repeat" }),
    ];
    expect(sendRecords(attempts, "vnpt-noc", "webhook", "repeat").map((s) => [s.startTs, s.last.attempt, s.status])).toEqual([
      [T0, 2, "delivered"],
      [T0 + 4000, 2, "failed"],
      [T0 + 9000, 1, "unfinished"],
    ]);
    expect(sendRecords(attempts, "vnpt-noc", "webhook", "report")).toEqual([]);
  });

  it("keys are the same for every retry of one message and differ between messages", () => {
    expect(idempotencyKey(12, "vnpt-noc", "repeat", 3)).toBe("12:vnpt-noc:repeat:3");
    expect(idempotencyKey(12, "vnpt-noc", "report", 1)).not.toBe(idempotencyKey(12, "vnpt-noc", "recovery", 1));
  });

  it("resumes an unfinished report with its attempt count; a failed one is not sent again", () => {
    const store = memoryIncidentStore();
    const incident = store.openIncident(linkIncident(T0));
    const now = T0 + 20_000;
    const unfinished = planDeliveries(input(incident, [attempt({ ok: false, retryable: true, attempt: 2 })], now)).find((p) => p.receiver === "vnpt-noc");
    expect(unfinished).toEqual({ receiver: "vnpt-noc", channel: "webhook", message: "report", n: 1, previousAttempts: 2, role: "vendor" });
    const failed = planDeliveries(input(incident, [attempt({ ok: false, retryable: false })], now)).find((p) => p.receiver === "vnpt-noc");
    expect(failed).toBeUndefined();
  });

  it("after close, only sends started before endTs count as telling someone the incident was open", () => {
    const store = memoryIncidentStore();
    const incident = store.openIncident(linkIncident(T0));
    const closed = store.updateIncident(incident.id, { endTs: T0 + 60_000 })!;
    const plan = (ts: number) => planDeliveries(input(closed, [attempt({ ts })], T0 + 120_000));
    expect(plan(T0 + 10_000)).toEqual([{ receiver: "vnpt-noc", channel: "webhook", message: "recovery", n: 1, previousAttempts: 0, role: null }]);
    expect(plan(T0 + 60_000)).toEqual([]);
  });

  describe("updates (group_interval, 5 min by default)", () => {
    const MIN = 60_000;
    const reported = attempt({ ts: T0 + 10_000 });
    const updates = (incident: StoredIncident, attempts: DeliveryAttempt[], nowMs: number) =>
      planDeliveries(input(incident, attempts, nowMs)).filter((p) => p.message === "update");
    const grown = (changedTs: number, changes: Parameters<ReturnType<typeof memoryIncidentStore>["updateIncident"]>[1] = {}) => {
      const store = memoryIncidentStore();
      const incident = store.openIncident(linkIncident(T0));
      return store.updateIncident(incident.id, { sites: [...incident.sites, { site: "bien-hoa", siteName: "Phường Biên Hòa", links: ["tslcd"] }], scopeChangedTs: changedTs, ...changes })!;
    };

    it("tells those who got the report when the scope changed after it, one group interval after the report", () => {
      const incident = grown(T0 + 60_000);
      expect(updates(incident, [reported], T0 + 10_000 + 5 * MIN - 1)).toEqual([]);
      expect(updates(incident, [reported], T0 + 10_000 + 5 * MIN)).toEqual([{ receiver: "vnpt-noc", channel: "webhook", message: "update", n: 1, previousAttempts: 0, role: null }]);
    });

    it("owes nothing when the scope changed before the report (the report already said it) or never changed", () => {
      expect(updates(grown(T0 + 5000), [reported], T0 + 60 * MIN)).toEqual([]);
      const store = memoryIncidentStore();
      expect(updates(store.openIncident(linkIncident(T0)), [reported], T0 + 60 * MIN)).toEqual([]);
    });

    it("sends the next update only for a change after the last one, a group interval after it", () => {
      const update1 = attempt({ message: "update", ts: T0 + 10 * MIN });
      expect(updates(grown(T0 + 9 * MIN), [reported, update1], T0 + 60 * MIN)).toEqual([]);
      expect(updates(grown(T0 + 11 * MIN), [reported, update1], T0 + 15 * MIN - 1)).toEqual([]);
      expect(updates(grown(T0 + 11 * MIN), [reported, update1], T0 + 15 * MIN).map((p) => p.n)).toEqual([2]);
    });

    it("goes out also when acknowledged (a vendor must hear of the sites an outage gained), resumes an unfinished one", () => {
      const acknowledged = grown(T0 + 60_000, { acknowledgedTs: T0 + 30_000 });
      expect(updates(acknowledged, [reported], T0 + 6 * MIN).map((p) => p.n)).toEqual([1]);
      const interrupted = attempt({ message: "update", ts: T0 + 6 * MIN, ok: false, retryable: true, attempt: 2 });
      expect(updates(acknowledged, [reported, interrupted], T0 + 6 * MIN + 1)).toEqual([
        { receiver: "vnpt-noc", channel: "webhook", message: "update", n: 1, previousAttempts: 2, role: null },
      ]);
    });

    it("tells a ward contact of a link incident's change, but not of the sites a provider incident gained", () => {
      const wardReport = attempt({ receiver: "ward-it-tan-phong", channel: "email", ts: T0 + 10_000 });
      const store = memoryIncidentStore();
      const link = store.openIncident(linkIncident(T0));
      const worse = store.updateIncident(link.id, { severity: "critical", scopeChangedTs: T0 + 60_000 })!;
      expect(updates(worse, [reported, wardReport], T0 + 6 * MIN).map((p) => p.receiver).sort()).toEqual(["vnpt-noc", "ward-it-tan-phong"]);
      const provider = store.openIncident(
        linkIncident(T0, { key: "provider:vnpt", kind: "provider", cause: "provider_outage", link: null, sites: [{ site: "tan-phong", siteName: "Phường Tân Phong", links: ["tslcd"] }] }),
      );
      const grownProvider = store.updateIncident(provider.id, {
        sites: [...provider.sites, { site: "nhon-trach", siteName: "Xã Nhơn Trạch", links: ["tslcd"] }],
        scopeChangedTs: T0 + 60_000,
      })!;
      expect(updates(grownProvider, [reported, wardReport], T0 + 6 * MIN).map((p) => p.receiver)).toEqual(["vnpt-noc"]);
      // Also once the ward's site is back and no longer listed, while the outage goes on elsewhere.
      const elsewhere = store.updateIncident(provider.id, { sites: [{ site: "nhon-trach", siteName: "Xã Nhơn Trạch", links: ["tslcd"] }] })!;
      expect(updates(elsewhere, [reported, wardReport], T0 + 6 * MIN).map((p) => p.receiver)).toEqual(["vnpt-noc"]);
    });

    it("is not owed to a receiver whose report was never delivered", () => {
      expect(updates(grown(T0 + 60_000), [attempt({ ts: T0 + 10_000, ok: false, retryable: false })], T0 + 60 * MIN)).toEqual([]);
    });
  });
});
