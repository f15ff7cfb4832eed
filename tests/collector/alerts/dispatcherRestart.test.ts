import { describe, expect, it } from "vitest";
import { linkIncident, MONDAY_0800_ICT } from "../../helpers/alertingFixtures.js";
import { dispatcherHarness, type DispatcherHarness } from "../../helpers/dispatcherHarness.js";

const T0 = MONDAY_0800_ICT;
const GROUP_WAIT = 10_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const LINK_RECEIVERS = ["email province-ict", "email vnpt-noc", "email ward-it-tan-phong", "webhook vnpt-noc"];

const to = (message: string): string[] => LINK_RECEIVERS.map((r) => `${r} ${message}`);

/** A second collector run over the same store and clock: a new dispatcher, rebuilt with start(). */
function restart(before: DispatcherHarness, options: Parameters<typeof dispatcherHarness>[0] = {}): DispatcherHarness {
  const after = dispatcherHarness({ store: before.store, clock: before.clock, ...options });
  after.dispatcher.start();
  return after;
}

async function tickAt(h: DispatcherHarness, ms: number): Promise<string[]> {
  h.clock.at(ms);
  await h.dispatcher.tick();
  return h.sentSince();
}

describe("dispatcher restart", () => {
  it("a report already delivered is not sent again; repeats and escalation keep their times", async () => {
    const first = dispatcherHarness();
    const incident = first.store.openIncident(linkIncident(T0));
    first.dispatcher.incidentOpened(incident);
    expect(await tickAt(first, T0 + GROUP_WAIT)).toEqual(to("report"));

    const second = restart(first);
    expect(await tickAt(second, T0 + GROUP_WAIT + 1000)).toEqual([]);
    expect(await tickAt(second, T0 + GROUP_WAIT + 30 * MINUTE - 1)).toEqual([]);
    expect(await tickAt(second, T0 + GROUP_WAIT + 30 * MINUTE)).toEqual(["email director escalation"]);

    const third = restart(second);
    expect(await tickAt(third, T0 + GROUP_WAIT + 31 * MINUTE)).toEqual([]);
    expect(await tickAt(third, T0 + GROUP_WAIT + 4 * HOUR)).toEqual(to("repeat"));
    expect(third.webhook.calls[0]?.idempotencyKey).toBe(`${incident.id}:vnpt-noc:repeat:1`);

    const fourth = restart(third);
    expect(await tickAt(fourth, T0 + GROUP_WAIT + 4 * HOUR + MINUTE)).toEqual([]);
    expect(await tickAt(fourth, T0 + GROUP_WAIT + 8 * HOUR)).toEqual(to("repeat"));
    expect(fourth.webhook.calls[0]?.idempotencyKey).toBe(`${incident.id}:vnpt-noc:repeat:2`);
    expect(fourth.store.getIncident(incident.id)!.timeline.notifiedTs).toBe(T0 + GROUP_WAIT);
  });

  it("a report not yet due when the collector stopped is sent when due", async () => {
    const first = dispatcherHarness();
    first.dispatcher.incidentOpened(first.store.openIncident(linkIncident(T0)));
    expect(await tickAt(first, T0 + 5000)).toEqual([]);

    const second = restart(first);
    expect(await tickAt(second, T0 + GROUP_WAIT - 1)).toEqual([]);
    expect(await tickAt(second, T0 + GROUP_WAIT)).toEqual(to("report"));
  });

  it("a retry interrupted by the stop is resumed under the same key, its attempts numbered on", async () => {
    const first = dispatcherHarness({
      // Retry waits last until the dispatcher is stopped.
      deps: { sleep: (_ms, signal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })) },
    });
    first.webhook.answer = () => ({ ok: false, retryable: true, detail: "HTTP 503" });
    const incident = first.store.openIncident(linkIncident(T0));
    first.dispatcher.incidentOpened(incident);
    first.clock.at(T0 + GROUP_WAIT);
    const ticking = first.dispatcher.tick();
    await new Promise((resolve) => setImmediate(resolve));
    await first.dispatcher.stop();
    await ticking;
    expect(first.webhook.calls).toHaveLength(1);
    expect(first.store.getIncident(incident.id)!.deliveries.filter((a) => a.channel === "webhook")).toEqual([
      expect.objectContaining({ attempt: 1, ok: false, retryable: true }),
    ]);

    const second = restart(first);
    expect(await tickAt(second, T0 + GROUP_WAIT + MINUTE)).toEqual(["webhook vnpt-noc report"]);
    expect(second.webhook.calls[0]?.idempotencyKey).toBe(first.webhook.calls[0]?.idempotencyKey);
    const webhookAttempts = second.store.getIncident(incident.id)!.deliveries.filter((a) => a.channel === "webhook");
    expect(webhookAttempts.map((a) => [a.attempt, a.ok])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(await tickAt(second, T0 + GROUP_WAIT + 2 * MINUTE)).toEqual([]);
  });

  it("a recovery owed when the collector stopped is sent after the restart, once", async () => {
    const first = dispatcherHarness();
    const incident = first.store.openIncident(linkIncident(T0));
    first.dispatcher.incidentOpened(incident);
    await tickAt(first, T0 + GROUP_WAIT);
    first.clock.at(T0 + HOUR);
    first.dispatcher.incidentClosed(first.store.updateIncident(incident.id, { restoredTs: T0 + HOUR, endTs: T0 + HOUR })!);
    // Stopped before the tick that would have sent the recovery.

    const second = restart(first);
    expect(await tickAt(second, T0 + HOUR + 1000)).toEqual(to("recovery"));
    const third = restart(second);
    expect(await tickAt(third, T0 + HOUR + 2000)).toEqual([]);
  });

  it("incidents closed long ago, merged ones and those never reported are not picked up again", async () => {
    const first = dispatcherHarness();
    const old = first.store.openIncident(linkIncident(T0));
    first.dispatcher.incidentOpened(old);
    await tickAt(first, T0 + GROUP_WAIT);
    first.store.updateIncident(old.id, { endTs: T0 + HOUR });
    const merged = first.store.openIncident(linkIncident(T0 + 2 * HOUR, { key: "link:nhon-trach:tslcd" }));
    first.dispatcher.incidentOpened(merged);
    await tickAt(first, T0 + 2 * HOUR + GROUP_WAIT);
    first.store.updateIncident(merged.id, { endTs: T0 + 3 * HOUR, mergedInto: 99 });
    const flapping = first.store.openIncident(linkIncident(T0 + 4 * HOUR, { key: "link:tan-phong:inet" }));
    first.store.updateIncident(flapping.id, { endTs: T0 + 4 * HOUR + 2000 });

    // 25 hours after the first closed: beyond the 24 h look-back.
    first.clock.at(T0 + 26 * HOUR);
    const second = restart(first);
    expect(await tickAt(second, T0 + 26 * HOUR)).toEqual([]);
    expect(second.dispatcher.followedCount).toBe(0);
  });

  it("a restarted dispatcher that is told of an incident it already follows keeps one schedule", async () => {
    const first = dispatcherHarness();
    const incident = first.store.openIncident(linkIncident(T0));
    first.dispatcher.incidentOpened(incident);
    const second = restart(first);
    // The engine, rebuilding its own state, announces the incident again with the copy it holds.
    second.dispatcher.incidentOpened(incident);
    expect(await tickAt(second, T0 + GROUP_WAIT)).toEqual(to("report"));
    second.dispatcher.incidentUpdated(incident); // stale copy: no notifiedTs, no deliveries
    expect(await tickAt(second, T0 + GROUP_WAIT + 1000)).toEqual([]);
    expect(second.store.getIncident(incident.id)!.timeline.notifiedTs).toBe(T0 + GROUP_WAIT);
  });
});
