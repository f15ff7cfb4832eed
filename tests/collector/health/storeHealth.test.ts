import { describe, expect, it } from "vitest";
import { STORE_HALF_OPEN_WAIT_MS, STORE_UP, idleProbeDue, nextStoreHealth, probeDue, type StoreHealthState } from "../../../collector/health/storeHealth.js";

const POLICY = { probeIntervalMs: 1000, outageAfterMs: 30_000 };
const T0 = 1_700_000_000_000;
/** The monotonic clock's reading at T0 (any origin). */
const M0 = 5_000;
const BUSY = "SQLITE_BUSY: database is locked";

type Failing = Extract<StoreHealthState, { status: "failing" }>;
type HalfOpen = Extract<StoreHealthState, { status: "halfOpen" }>;

function failing(overrides: Partial<Failing> = {}): StoreHealthState {
  return { status: "failing", sinceTs: T0, lastAttemptMono: M0, lastError: BUSY, failures: 1, outage: false, ...overrides };
}

function halfOpen(overrides: Partial<HalfOpen> = {}): StoreHealthState {
  return { status: "halfOpen", sinceTs: T0, probedTs: T0 + 1000, lastError: BUSY, failures: 2, outage: false, ...overrides };
}

const failed = (dtMs: number, error = BUSY) => ({ type: "failed" as const, ts: T0 + dtMs, monoMs: M0 + dtMs, error });

describe("collector/health/storeHealth", () => {
  it("stays up on successes and on the clock, with no events", () => {
    expect(nextStoreHealth(STORE_UP, { type: "succeeded", ts: T0 }, POLICY)).toEqual({ state: STORE_UP, events: [] });
    expect(nextStoreHealth(STORE_UP, { type: "clock", ts: T0 + 3_600_000 }, POLICY)).toEqual({ state: STORE_UP, events: [] });
  });

  it("a failed write makes it failing from when that write began (the breaker opens)", () => {
    const step = nextStoreHealth(STORE_UP, failed(0), POLICY);
    expect(step.state).toEqual(failing());
    expect(step.events).toEqual([{ type: "failing", sinceTs: T0, error: BUSY }]);
  });

  it("more failures within outageAfterMs are counted, keep the first failure's time and raise nothing", () => {
    const step = nextStoreHealth(failing(), failed(29_999, "SQLITE_FULL: database or disk is full"), POLICY);
    expect(step.state).toEqual(failing({ lastAttemptMono: M0 + 29_999, lastError: "SQLITE_FULL: database or disk is full", failures: 2 }));
    expect(step.events).toEqual([]);
  });

  it("failing for outageAfterMs is an outage, declared once, by the clock or by a failure", () => {
    const byClock = nextStoreHealth(failing(), { type: "clock", ts: T0 + 30_000 }, POLICY);
    expect(byClock.events).toEqual([{ type: "outage", sinceTs: T0, detectedTs: T0 + 30_000, error: BUSY }]);
    expect(byClock.state).toMatchObject({ status: "failing", outage: true });
    expect(nextStoreHealth(byClock.state, { type: "clock", ts: T0 + 60_000 }, POLICY).events).toEqual([]);
    expect(nextStoreHealth(byClock.state, failed(61_000, "x"), POLICY).events).toEqual([]);

    const byFailure = nextStoreHealth(failing(), failed(31_000, "SQLITE_IOERR_WRITE: disk I/O error"), POLICY);
    expect(byFailure.events).toEqual([{ type: "outage", sinceTs: T0, detectedTs: T0 + 31_000, error: "SQLITE_IOERR_WRITE: disk I/O error" }]);
  });

  it("a good probe only half-opens it: writes are let through, the outage clock stops, nothing is restored yet", () => {
    const step = nextStoreHealth(failing({ failures: 2 }), { type: "probed", ts: T0 + 1000 }, POLICY);
    expect(step).toEqual({ state: halfOpen(), events: [{ type: "probed", sinceTs: T0, probedTs: T0 + 1000 }] });
    expect(nextStoreHealth(step.state, { type: "clock", ts: T0 + 60_000 }, POLICY)).toEqual({ state: step.state, events: [] });
    expect(probeDue(step.state, M0 + 60_000, POLICY)).toBe(false);
  });

  it("half-open, the first real write that succeeds brings it back up, saying how long it failed and whether it was an outage", () => {
    expect(nextStoreHealth(halfOpen({ failures: 4 }), { type: "succeeded", ts: T0 + 5000 }, POLICY)).toEqual({
      state: STORE_UP,
      events: [{ type: "restored", sinceTs: T0, restoredTs: T0 + 5000, outage: false, failures: 4 }],
    });
    expect(nextStoreHealth(halfOpen({ outage: true, failures: 1 }), { type: "succeeded", ts: T0 + 45_000 }, POLICY).events).toEqual([
      { type: "restored", sinceTs: T0, restoredTs: T0 + 45_000, outage: true, failures: 1 },
    ]);
  });

  it("half-open, a real write that fails makes it failing again since the first failure, and can declare the outage", () => {
    const relapse = nextStoreHealth(halfOpen(), failed(2000), POLICY);
    expect(relapse).toEqual({ state: failing({ lastAttemptMono: M0 + 2000, failures: 3 }), events: [{ type: "relapsed", sinceTs: T0, failedTs: T0 + 2000, error: BUSY }] });
    const late = nextStoreHealth(halfOpen(), failed(30_500), POLICY);
    expect(late.events.map((e) => e.type)).toEqual(["relapsed", "outage"]);
    expect(late.events[1]).toEqual({ type: "outage", sinceTs: T0, detectedTs: T0 + 30_500, error: BUSY });
  });

  it("half-open, a good probe made after halfOpenWaitMs with no write brings it back up; while failing such a probe proves nothing", () => {
    expect(nextStoreHealth(halfOpen({ outage: true, failures: 3 }), { type: "idleProbed", ts: T0 + 11_000 }, POLICY)).toEqual({
      state: STORE_UP,
      events: [{ type: "restored", sinceTs: T0, restoredTs: T0 + 11_000, outage: true, failures: 3 }],
    });
    expect(nextStoreHealth(failing(), { type: "idleProbed", ts: T0 + 10 }, POLICY)).toEqual({ state: failing(), events: [] });
    // After that, a failure starts a new outage clock.
    expect(nextStoreHealth(STORE_UP, failed(3_600_000), POLICY).state).toMatchObject({ status: "failing", sinceTs: T0 + 3_600_000, failures: 1, outage: false });
  });

  it("the second probe is due halfOpenWaitMs after the first good one (default STORE_HALF_OPEN_WAIT_MS), only while half-open", () => {
    expect(idleProbeDue(halfOpen(), M0, M0 + STORE_HALF_OPEN_WAIT_MS - 1, POLICY)).toBe(false);
    expect(idleProbeDue(halfOpen(), M0, M0 + STORE_HALF_OPEN_WAIT_MS, POLICY)).toBe(true);
    expect(idleProbeDue(halfOpen(), M0, M0 + 2000, { ...POLICY, halfOpenWaitMs: 2000 })).toBe(true);
    expect(idleProbeDue(failing(), M0, M0 + 60_000, POLICY)).toBe(false);
    expect(idleProbeDue(STORE_UP, M0, M0 + 60_000, POLICY)).toBe(false);
  });

  it("a success while failing (a write begun before the failure) proves nothing", () => {
    expect(nextStoreHealth(failing(), { type: "succeeded", ts: T0 + 10 }, POLICY)).toEqual({ state: failing(), events: [] });
  });

  it("a probe is due only while failing, probeIntervalMs after the last attempt on the monotonic clock", () => {
    expect(probeDue(STORE_UP, M0 + 10_000, POLICY)).toBe(false);
    expect(probeDue(failing({ lastAttemptMono: M0 + 2000 }), M0 + 2999, POLICY)).toBe(false);
    expect(probeDue(failing({ lastAttemptMono: M0 + 2000 }), M0 + 3000, POLICY)).toBe(true);
  });

  it("a probe is due when the clock reads before the last attempt (a clock stepped back does not stop probing)", () => {
    expect(probeDue(failing({ lastAttemptMono: M0 + 2000 }), M0 - 3_600_000, POLICY)).toBe(true);
  });

  it("a late-reported failure does not move the last attempt back", () => {
    const step = nextStoreHealth(failing({ lastAttemptMono: M0 + 5000 }), failed(4000, "x"), POLICY);
    expect(step.state).toMatchObject({ lastAttemptMono: M0 + 5000, failures: 2 });
  });
});
