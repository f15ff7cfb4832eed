import { describe, expect, it } from "vitest";
import { IngestSlots, type IngestSlot } from "../../../collector/ingest/ingestSlots.js";

function taken(result: ReturnType<IngestSlots["take"]>): IngestSlot {
  if ("refusal" in result) throw new Error(`refused: ${result.refusal}`);
  return result.slot;
}

describe("collector/ingest/ingestSlots", () => {
  it("gives one site at most its share, and the others the rest", () => {
    const slots = new IngestSlots(4, 2);
    const a1 = taken(slots.take("a"));
    taken(slots.take("a"));
    expect(slots.take("a")).toEqual({ refusal: "site 'a' already has 2 batches in flight; send one at a time" });
    taken(slots.take("b"));
    taken(slots.take("c"));
    expect(slots.take("d")).toEqual({ refusal: "the collector is handling 4 batches; retry later" });
    a1.release();
    a1.release(); // twice is once
    expect(slots.inFlight).toBe(3);
    taken(slots.take("a"));
    expect("refusal" in slots.take("a")).toBe(true);
  });

  it("forgets a site once it has nothing in flight", () => {
    const slots = new IngestSlots(2, 1);
    for (let i = 0; i < 1000; i++) taken(slots.take(`site-${i}`)).release();
    expect((slots as unknown as { bySite: Map<string, number> }).bySite.size).toBe(0);
    expect(slots.inFlight).toBe(0);
  });
});
