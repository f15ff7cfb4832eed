import { describe, expect, it } from "vitest";
import { initialBackfillGovernor, nextBackfillGovernor, windowEnded, type BackfillGovernorPolicy } from "../../../collector/ingest/backfillGovernor.js";
import { IngestSlots } from "../../../collector/ingest/ingestSlots.js";

const T0 = Date.UTC(2025, 10, 23, 8, 0, 0);
const policy: BackfillGovernorPolicy = { maxBackfillInFlight: 16, targetUtilization: 0.8, windowMs: 1000 };

describe("collector/ingest/backfillGovernor", () => {
  it("starts at the most, halves while the loop is crowded with live pushes about, and climbs back one per window", () => {
    let state = initialBackfillGovernor(policy, T0);
    expect(state.allowed).toBe(16);
    expect(windowEnded(state, T0 + 999, policy)).toBe(false);
    expect(windowEnded(state, T0 + 1000, policy)).toBe(true);
    const allowed: number[] = [];
    const windows = [0.95, 0.9, 0.99, 0.85, 0.99, 0.5, 0.6, 0.7, 0.8];
    windows.forEach((utilization, i) => {
      state = nextBackfillGovernor(state, { utilization, livePushes: 300 }, T0 + (i + 1) * 1000, policy);
      allowed.push(state.allowed);
    });
    // 16 → 8 → 4 → 2 → 1 → 0 (live pushes may need the whole loop), then +1 per window at or under the target.
    expect(allowed).toEqual([8, 4, 2, 1, 0, 1, 2, 3, 4]);
    expect(state.windowStartMs).toBe(T0 + 9000);
  });

  it("never cuts back in a window without live pushes, and never climbs past the most", () => {
    let state = initialBackfillGovernor(policy, T0);
    state = nextBackfillGovernor(state, { utilization: 1, livePushes: 0 }, T0 + 1000, policy);
    expect(state.allowed).toBe(16);
    state = nextBackfillGovernor({ ...state, allowed: 3 }, { utilization: 1, livePushes: 0 }, T0 + 2000, policy);
    expect(state.allowed).toBe(4);
  });

  it("governs IngestSlots: a loaded loop leaves backlog fewer slots and says so, live pushes none fewer", () => {
    const readings = [0.97, 0.97, 0.97];
    const slots = new IngestSlots({ maxInFlight: 16, maxPerSite: 2, maxBackfillInFlight: 4 }, () => readings.shift() ?? 0.1);
    const held = [0, 1, 2, 3].map((i) => slots.take(`back-${i}`, "backfill", T0));
    expect(held.every((h) => "slot" in h)).toBe(true);
    expect("slot" in slots.take("live-0", "live", T0 + 10)).toBe(true);
    // The first window (utilisation 0.97 with a live push) ends: 2 allowed; 4 still in flight finish on their own.
    const refused = slots.take("back-4", "backfill", T0 + 1000);
    expect(refused).toEqual({
      refusal: "the collector is handling 4 backlog batches, its most at this load (2 of 4) (1 backfilling sites waiting); live pushes go first, retry in 1 s",
      retryAfterS: 1,
    });
    for (const h of held) if ("slot" in h) h.slot.release();
    expect("slot" in slots.take("live-1", "live", T0 + 1500)).toBe(true);
    expect("slot" in slots.take("back-4", "backfill", T0 + 1600)).toBe(true);
    expect("slot" in slots.take("back-5", "backfill", T0 + 1600)).toBe(true);
    expect("refusal" in slots.take("back-6", "backfill", T0 + 1700)).toBe(true);
    // Live pushes are never held back by the governor: the other slots are theirs.
    for (let i = 2; i < 14; i++) expect("slot" in slots.take(`live-${i}`, "live", T0 + 1800)).toBe(true);
    expect(slots.backfillAllowed(T0 + 1900)).toBe(2);
    // A crowded window again (live pushes came): 1; crowded without live pushes: no cut; then quiet: back up.
    expect(slots.backfillAllowed(T0 + 2000)).toBe(1);
    expect(slots.backfillAllowed(T0 + 3000)).toBe(2);
    expect(slots.backfillAllowed(T0 + 4000)).toBe(3);
    expect(slots.backfillAllowed(T0 + 5000)).toBe(4);
    expect(slots.backfillAllowed(T0 + 6000)).toBe(4);
  });
});
