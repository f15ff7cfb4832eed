import { describe, expect, it } from "vitest";
import { STORE_UP, nextStoreHealth, probeDue, type StoreHealthState } from "../../../collector/health/storeHealth.js";

const POLICY = { probeIntervalMs: 1000, outageAfterMs: 30_000 };
const T0 = 1_700_000_000_000;

function failing(overrides: Partial<Extract<StoreHealthState, { status: "failing" }>> = {}): StoreHealthState {
  return { status: "failing", sinceTs: T0, lastAttemptTs: T0, lastError: "SQLITE_BUSY: database is locked", failures: 1, outage: false, ...overrides };
}

describe("collector/health/storeHealth", () => {
  it("stays up on successes and on the clock, with no events", () => {
    expect(nextStoreHealth(STORE_UP, { type: "succeeded", ts: T0 }, POLICY)).toEqual({ state: STORE_UP, events: [] });
    expect(nextStoreHealth(STORE_UP, { type: "clock", ts: T0 + 3_600_000 }, POLICY)).toEqual({ state: STORE_UP, events: [] });
  });

  it("a failed write makes it failing from when that write began (the breaker opens)", () => {
    const step = nextStoreHealth(STORE_UP, { type: "failed", ts: T0, error: "SQLITE_BUSY: database is locked" }, POLICY);
    expect(step.state).toEqual(failing());
    expect(step.events).toEqual([{ type: "failing", sinceTs: T0, error: "SQLITE_BUSY: database is locked" }]);
  });

  it("more failures within outageAfterMs are counted, keep the first failure's time and raise nothing", () => {
    const step = nextStoreHealth(failing(), { type: "failed", ts: T0 + 29_999, error: "SQLITE_FULL: database or disk is full" }, POLICY);
    expect(step.state).toEqual(failing({ lastAttemptTs: T0 + 29_999, lastError: "SQLITE_FULL: database or disk is full", failures: 2 }));
    expect(step.events).toEqual([]);
  });

  it("failing for outageAfterMs is an outage, declared once, by the clock or by a failure", () => {
    const byClock = nextStoreHealth(failing(), { type: "clock", ts: T0 + 30_000 }, POLICY);
    expect(byClock.events).toEqual([{ type: "outage", sinceTs: T0, detectedTs: T0 + 30_000, error: "SQLITE_BUSY: database is locked" }]);
    expect(byClock.state).toMatchObject({ status: "failing", outage: true });
    expect(nextStoreHealth(byClock.state, { type: "clock", ts: T0 + 60_000 }, POLICY).events).toEqual([]);
    expect(nextStoreHealth(byClock.state, { type: "failed", ts: T0 + 61_000, error: "x" }, POLICY).events).toEqual([]);

    const byFailure = nextStoreHealth(failing(), { type: "failed", ts: T0 + 31_000, error: "SQLITE_IOERR_WRITE: disk I/O error" }, POLICY);
    expect(byFailure.events).toEqual([{ type: "outage", sinceTs: T0, detectedTs: T0 + 31_000, error: "SQLITE_IOERR_WRITE: disk I/O error" }]);
  });

  it("one success brings it back up, saying how long it failed and whether it was an outage", () => {
    expect(nextStoreHealth(failing({ failures: 4 }), { type: "succeeded", ts: T0 + 5000 }, POLICY)).toEqual({
      state: STORE_UP,
      events: [{ type: "restored", sinceTs: T0, restoredTs: T0 + 5000, outage: false, failures: 4 }],
    });
    expect(nextStoreHealth(failing({ outage: true }), { type: "succeeded", ts: T0 + 45_000 }, POLICY).events).toEqual([
      { type: "restored", sinceTs: T0, restoredTs: T0 + 45_000, outage: true, failures: 1 },
    ]);
  });

  it("a probe is due only while failing, probeIntervalMs after the last attempt", () => {
    expect(probeDue(STORE_UP, T0 + 10_000, POLICY)).toBe(false);
    expect(probeDue(failing({ lastAttemptTs: T0 + 2000 }), T0 + 2999, POLICY)).toBe(false);
    expect(probeDue(failing({ lastAttemptTs: T0 + 2000 }), T0 + 3000, POLICY)).toBe(true);
  });

  it("a late-reported failure does not move the last attempt back", () => {
    const step = nextStoreHealth(failing({ lastAttemptTs: T0 + 5000 }), { type: "failed", ts: T0 + 4000, error: "x" }, POLICY);
    expect(step.state).toMatchObject({ lastAttemptTs: T0 + 5000, failures: 2 });
  });
});
