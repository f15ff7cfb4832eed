import { describe, expect, it } from "vitest";
import { initialBackfillGovernor, nextBackfillGovernor, windowEnded, type BackfillGovernorPolicy } from "../../../collector/ingest/backfillGovernor.js";
import { IngestSlots } from "../../../collector/ingest/ingestSlots.js";

const T0 = Date.UTC(2025, 10, 23, 8, 0, 0);
const policy: BackfillGovernorPolicy = { maxBackfillInFlight: 16, targetUtilization: 0.8, windowMs: 1000 };

describe("collector/ingest/backfillGovernor", () => {
  it("starts at one, grows one per window while backlog waits and the loop has room, up to the most", () => {
    let state = initialBackfillGovernor(T0);
    expect(state.allowed).toBe(1);
    expect(windowEnded(state, T0 + 999, policy)).toBe(false);
    expect(windowEnded(state, T0 + 1000, policy)).toBe(true);
    for (let i = 1; i <= 20; i++) state = nextBackfillGovernor(state, { utilization: 0.5, livePushes: 300, backfillRefused: true }, T0 + i * 1000, policy);
    expect(state).toEqual({ allowed: 16, windowStartMs: T0 + 20_000 });
  });

  it("does not grow an allowance nobody used up", () => {
    let state = initialBackfillGovernor(T0);
    for (let i = 1; i <= 5; i++) state = nextBackfillGovernor(state, { utilization: 0.1, livePushes: 300, backfillRefused: false }, T0 + i * 1000, policy);
    expect(state.allowed).toBe(1);
  });

  it("halves while the loop is crowded with live pushes about, down to none, and climbs back one per window", () => {
    let state = { allowed: 16, windowStartMs: T0 };
    const allowed: number[] = [];
    [0.95, 0.9, 0.99, 0.85, 0.99, 0.5, 0.6, 0.7, 0.8].forEach((utilization, i) => {
      state = nextBackfillGovernor(state, { utilization, livePushes: 300, backfillRefused: true }, T0 + (i + 1) * 1000, policy);
      allowed.push(state.allowed);
    });
    expect(allowed).toEqual([8, 4, 2, 1, 0, 1, 2, 3, 4]);
  });

  it("never cuts back in a window without live pushes", () => {
    const state = nextBackfillGovernor({ allowed: 3, windowStartMs: T0 }, { utilization: 1, livePushes: 0, backfillRefused: true }, T0 + 1000, policy);
    expect(state.allowed).toBe(4);
  });

  it("governs IngestSlots: a loaded loop leaves backlog fewer slots and says so, live pushes none fewer", () => {
    const readings = [0.5, 0.5, 0.5, 0.97, 0.97];
    const slots = new IngestSlots({ maxInFlight: 16, maxPerSite: 2, maxBackfillInFlight: 4 }, () => readings.shift() ?? 0.1);
    const held = [slots.take("back-0", "backfill", T0)];
    expect("slot" in held[0]!).toBe(true);
    // Backlog waits and the loop has room: one more each second, up to the most.
    for (let second = 1; second <= 3; second++) {
      expect("refusal" in slots.take(`back-${second}`, "backfill", T0 + second * 1000 - 1)).toBe(true);
      const taken = slots.take(`back-${second}`, "backfill", T0 + second * 1000);
      expect("slot" in taken).toBe(true);
      held.push(taken);
    }
    expect(slots.backfillInFlight).toBe(4);
    expect("slot" in slots.take("live-0", "live", T0 + 3500)).toBe(true);
    expect("refusal" in slots.take("back-4", "backfill", T0 + 3600)).toBe(true);
    // That window was crowded (0.97 with a live push): 2 allowed; the 4 in flight finish on their own.
    expect(slots.take("back-4", "backfill", T0 + 4000)).toEqual({
      refusal: "the collector is handling 4 backlog batches, its most at this load (2 of 4) (1 backfilling sites waiting); live pushes go first, retry in 1 s",
      retryAfterS: 1,
    });
    for (const h of held) if ("slot" in h) h.slot.release();
    expect("slot" in slots.take("back-4", "backfill", T0 + 4100)).toBe(true);
    expect("slot" in slots.take("back-5", "backfill", T0 + 4100)).toBe(true);
    expect("refusal" in slots.take("back-6", "backfill", T0 + 4200)).toBe(true);
    // Live pushes are never held back by the governor: the other slots are theirs.
    for (let i = 1; i < 14; i++) expect("slot" in slots.take(`live-${i}`, "live", T0 + 4300)).toBe(true);
    expect(slots.inFlight).toBe(16);
    expect(slots.backfillAllowed(T0 + 5000)).toBe(1);
  });
});
