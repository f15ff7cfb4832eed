import { describe, expect, it } from "vitest";
import { TurnPacer } from "../../simulator/turnPacer.js";

describe("simulator/turnPacer", () => {
  it("lets waiters through in order, at most perTurn per turn of the event loop, with I/O turns in between", async () => {
    const pacer = new TurnPacer(2);
    const order: string[] = [];
    const waits = Array.from({ length: 5 }, (_, i) => pacer.turn().then(() => order.push(`w${i}`)));
    expect(pacer.queued).toBe(5);
    // A callback of the loop's check phase scheduled now runs between the first two waiters' turn and the next.
    setImmediate(() => order.push("other"));
    await Promise.all(waits);
    expect(order).toEqual(["w0", "w1", "other", "w2", "w3", "w4"]);
    expect(pacer.queued).toBe(0);
  });

  it("refuses a pace below one", () => {
    expect(() => new TurnPacer(0)).toThrow("perTurn must be at least 1, got 0");
  });
});
