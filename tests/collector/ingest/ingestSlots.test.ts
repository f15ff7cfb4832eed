import { describe, expect, it } from "vitest";
import { backfillRetryAfterS, IngestSlots, MAX_BACKFILL_RETRY_AFTER_S, type IngestSlot } from "../../../collector/ingest/ingestSlots.js";

function taken(result: ReturnType<IngestSlots["take"]>): IngestSlot {
  if ("refusal" in result) throw new Error(`refused: ${result.refusal}`);
  return result.slot;
}

const T0 = Date.UTC(2025, 10, 23, 8, 0, 0);

describe("collector/ingest/ingestSlots", () => {
  it("gives one site at most its share, and the others the rest", () => {
    const slots = new IngestSlots({ maxInFlight: 4, maxPerSite: 2, maxBackfillInFlight: 1 });
    const a1 = taken(slots.take("a", "live", T0));
    taken(slots.take("a", "live", T0));
    expect(slots.take("a", "live", T0)).toEqual({ refusal: "site 'a' already has 2 batches in flight; send one at a time", retryAfterS: 1 });
    taken(slots.take("b", "live", T0));
    taken(slots.take("c", "live", T0));
    expect(slots.take("d", "live", T0)).toEqual({ refusal: "the collector is handling 4 batches; retry later", retryAfterS: 1 });
    a1.release();
    a1.release(); // twice is once
    expect(slots.inFlight).toBe(3);
    taken(slots.take("a", "live", T0));
    expect("refusal" in slots.take("a", "live", T0)).toBe(true);
  });

  it("keeps backlog batches to their share, while live pushes still get every other slot", () => {
    const slots = new IngestSlots({ maxInFlight: 8, maxPerSite: 2, maxBackfillInFlight: 2 });
    const b1 = taken(slots.take("back-1", "backfill", T0));
    taken(slots.take("back-2", "backfill", T0));
    const refused = slots.take("back-3", "backfill", T0);
    expect(refused).toEqual({
      refusal: "the collector is handling 2 backlog batches, its most (1 backfilling sites waiting); live pushes go first, retry in 1 s",
      retryAfterS: 1,
    });
    // The six other slots are the live pushes', to the last one.
    const live = Array.from({ length: 6 }, (_, i) => taken(slots.take(`live-${i}`, "live", T0)));
    expect(slots.inFlight).toBe(8);
    expect(slots.backfillInFlight).toBe(2);
    expect(slots.take("live-6", "live", T0)).toEqual({ refusal: "the collector is handling 8 batches; retry later", retryAfterS: 1 });
    // A backlog batch done frees a backlog slot; a live push done does not make room for more backlog.
    live[0]!.release();
    expect("refusal" in slots.take("back-3", "backfill", T0)).toBe(true);
    b1.release();
    b1.release();
    expect(slots.backfillInFlight).toBe(1);
    taken(slots.take("back-3", "backfill", T0));
    expect(slots.backfillInFlight).toBe(2);
  });

  it("tells refused backfilling sites to come back later the more of them wait, and forgets those that stopped asking", () => {
    const slots = new IngestSlots({ maxInFlight: 64, maxPerSite: 2, maxBackfillInFlight: 4 });
    for (let i = 0; i < 4; i++) taken(slots.take(`holder-${i}`, "backfill", T0));
    const retryAfter = (site: string, nowMs: number): number => {
      const answer = slots.take(site, "backfill", nowMs);
      if (!("refusal" in answer)) throw new Error(`${site} was given a slot`);
      return answer.retryAfterS;
    };
    expect(retryAfter("wait-0", T0)).toBe(1);
    for (let i = 1; i < 39; i++) retryAfter(`wait-${i}`, T0);
    // 40 sites wait for 4 slots: come back in 10 s. The same site asking again is still one site.
    expect(retryAfter("wait-39", T0)).toBe(10);
    expect(retryAfter("wait-39", T0 + 500)).toBe(10);
    // A live push is not held back by the queue of backlog.
    taken(slots.take("live", "live", T0 + 500));
    // A minute later the others stopped asking (they went away): only this one waits.
    expect(retryAfter("wait-0", T0 + 2 * MAX_BACKFILL_RETRY_AFTER_S * 1000 + 1000)).toBe(1);
  });

  it("bounds the Retry-After from 1 s to its most", () => {
    expect(backfillRetryAfterS(1, 16)).toBe(1);
    expect(backfillRetryAfterS(17, 16)).toBe(2);
    expect(backfillRetryAfterS(332, 16)).toBe(21);
    expect(backfillRetryAfterS(100_000, 16)).toBe(MAX_BACKFILL_RETRY_AFTER_S);
  });

  it("forgets a site once it has nothing in flight", () => {
    const slots = new IngestSlots({ maxInFlight: 2, maxPerSite: 1, maxBackfillInFlight: 1 });
    for (let i = 0; i < 1000; i++) taken(slots.take(`site-${i}`, i % 2 === 0 ? "live" : "backfill", T0)).release();
    expect((slots as unknown as { bySite: Map<string, number> }).bySite.size).toBe(0);
    expect(slots.inFlight).toBe(0);
    expect(slots.backfillInFlight).toBe(0);
  });

  it("refuses a backfill share larger than the whole", () => {
    expect(() => new IngestSlots({ maxInFlight: 4, maxPerSite: 2, maxBackfillInFlight: 5 })).toThrow("maxBackfillInFlight (5) is above maxInFlight (4)");
  });
});
