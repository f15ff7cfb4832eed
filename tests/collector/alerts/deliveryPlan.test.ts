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
});
