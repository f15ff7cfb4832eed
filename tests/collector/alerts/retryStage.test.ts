import { describe, expect, it } from "vitest";
import { deliverWithRetry, retryDelayMs, type RetryDeps } from "../../../collector/alerts/retryStage.js";
import type { DeliveryResult, Notification, ReceiverConfig } from "../../../collector/alerts/notification.js";
import type { DeliveryAttempt, Incident } from "../../../protocol/incident.js";
import { FakeChannel } from "../../helpers/alertingFixtures.js";

const receiver: ReceiverConfig = { id: "vnpt-noc", name: "VNPT NOC", language: "vi", webhook: { url: "http://127.0.0.1:9/", secret: "s", timeoutMs: 1000 }, email: null };
const notification: Notification = {
  idempotencyKey: "7:vnpt-noc:report:1",
  message: "report",
  incident: { id: 7, number: "SC-000007", state: "open" } as Incident,
  receiver,
  ackUrl: null,
  siteDetails: [],
  timeZone: "Asia/Ho_Chi_Minh",
  nowMs: 0,
};
const policy = { attempts: 5, firstDelayMs: 1000, maxDelayMs: 60_000 };

const http = (status: number): DeliveryResult =>
  status < 300 ? { ok: true, detail: `HTTP ${status}` } : { ok: false, retryable: status >= 500 || status === 408 || status === 429, detail: `HTTP ${status}` };

function harness(answers: DeliveryResult[], options: { abortAfterSleeps?: number } = {}) {
  const channel = new FakeChannel("webhook");
  channel.answer = (_n, index) => answers[index] ?? answers.at(-1)!;
  let clock = 1_000_000;
  const sleeps: number[] = [];
  const recorded: DeliveryAttempt[] = [];
  const controller = new AbortController();
  const deps: RetryDeps = {
    async sleep(ms) {
      sleeps.push(ms);
      clock += ms;
      if (options.abortAfterSleeps !== undefined && sleeps.length >= options.abortAfterSleeps) controller.abort();
    },
    now: () => clock,
    record: (attempt) => recorded.push(attempt),
    signal: controller.signal,
    random: () => 0.5,
  };
  return { channel, deps, sleeps, recorded, controller };
}

describe("retryStage", () => {
  it("500, 500, 200: three attempts, delivered once, waits doubling", async () => {
    const { channel, deps, sleeps, recorded } = harness([http(500), http(500), http(200)]);
    const last = await deliverWithRetry(channel, notification, policy, deps);
    expect(channel.calls).toHaveLength(3);
    expect(new Set(channel.calls.map((c) => c.idempotencyKey))).toEqual(new Set(["7:vnpt-noc:report:1"]));
    expect(sleeps).toEqual([1000, 2000]);
    expect(recorded.map((a) => [a.attempt, a.ok, a.retryable, a.detail])).toEqual([
      [1, false, true, "HTTP 500"],
      [2, false, true, "HTTP 500"],
      [3, true, false, "HTTP 200"],
    ]);
    expect(recorded.map((a) => a.ts)).toEqual([1_000_000, 1_001_000, 1_003_000]);
    expect(recorded.every((a) => a.receiver === "vnpt-noc" && a.channel === "webhook" && a.message === "report")).toBe(true);
    expect(last).toEqual(recorded[2]);
  });

  it("400: one attempt, not retried, the failure recorded", async () => {
    const { channel, deps, sleeps, recorded } = harness([http(400), http(200)]);
    const last = await deliverWithRetry(channel, notification, policy, deps);
    expect(channel.calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(recorded).toEqual([expect.objectContaining({ attempt: 1, ok: false, retryable: false, detail: "HTTP 400" })]);
    expect(last.ok).toBe(false);
  });

  it("timeouts and refused connections are retried", async () => {
    const { channel, deps, recorded } = harness([
      { ok: false, retryable: true, detail: "timeout after 10000 ms" },
      { ok: false, retryable: true, detail: "ECONNREFUSED" },
      http(204),
    ]);
    expect((await deliverWithRetry(channel, notification, policy, deps)).ok).toBe(true);
    expect(channel.calls).toHaveLength(3);
    expect(recorded.map((a) => a.detail)).toEqual(["timeout after 10000 ms", "ECONNREFUSED", "HTTP 204"]);
  });

  it("stops after `attempts`; the last failure says it will not be tried again", async () => {
    const { channel, deps, sleeps, recorded } = harness([http(503)]);
    const last = await deliverWithRetry(channel, notification, { attempts: 3, firstDelayMs: 1000, maxDelayMs: 60_000 }, deps);
    expect(channel.calls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(recorded.map((a) => a.retryable)).toEqual([true, true, false]);
    expect(last).toEqual(expect.objectContaining({ attempt: 3, ok: false, retryable: false }));
  });

  it("a single allowed attempt is not retried", async () => {
    const { channel, deps, recorded } = harness([http(500)]);
    await deliverWithRetry(channel, notification, { attempts: 1, firstDelayMs: 1000, maxDelayMs: 1000 }, deps);
    expect(channel.calls).toHaveLength(1);
    expect(recorded[0]?.retryable).toBe(false);
  });

  it("resuming continues the numbering and uses what is left of the budget", async () => {
    const { channel, deps, recorded } = harness([http(500)]);
    await deliverWithRetry(channel, notification, { ...policy, previousAttempts: 3 }, deps);
    expect(recorded.map((a) => [a.attempt, a.retryable])).toEqual([
      [4, true],
      [5, false],
    ]);
  });

  it("an abort during the wait stops it; the failure stays owed (retryable) for the next run", async () => {
    const { channel, deps, recorded } = harness([http(500)], { abortAfterSleeps: 1 });
    const last = await deliverWithRetry(channel, notification, policy, deps);
    expect(channel.calls).toHaveLength(1);
    expect(last).toEqual(expect.objectContaining({ attempt: 1, ok: false, retryable: true }));
    expect(recorded).toHaveLength(1);
  });

  it("a sleep that rejects on abort stops it too", async () => {
    const { channel, deps, controller } = harness([http(500)]);
    deps.sleep = async () => {
      controller.abort();
      throw new Error("aborted");
    };
    await deliverWithRetry(channel, notification, policy, deps);
    expect(channel.calls).toHaveLength(1);
  });

  it("a channel that throws is a retryable failure, not an exception", async () => {
    const { channel, deps, recorded } = harness([http(200)]);
    let calls = 0;
    channel.send = async () => {
      calls++;
      if (calls === 1) throw new Error("bug");
      return http(200);
    };
    const last = await deliverWithRetry(channel, notification, policy, deps);
    expect(recorded.map((a) => [a.ok, a.detail])).toEqual([
      [false, "channel threw: bug"],
      [true, "HTTP 200"],
    ]);
    expect(last.ok).toBe(true);
  });

  it("delays grow exponentially from firstDelayMs, jittered ±20 %, capped at maxDelayMs", () => {
    const p = { firstDelayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, p, 0.5))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(retryDelayMs(1, p, 0)).toBe(800);
    expect(retryDelayMs(2, p, 0.999999)).toBe(2400);
    expect(retryDelayMs(3, p, 0.999999)).toBe(4800);
    expect(retryDelayMs(4, p, 0.999999)).toBe(5000);
    expect(retryDelayMs(100, p, 0)).toBe(4000);
  });
});
