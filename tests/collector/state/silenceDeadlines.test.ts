import { describe, expect, it } from "vitest";
import { SilenceDeadlines } from "../../../collector/state/silenceDeadlines.js";

describe("collector/state/silenceDeadlines", () => {
  it("returns the sites whose deadline is before now, earliest first, each once", () => {
    const deadlines = new SilenceDeadlines();
    deadlines.set("c", 300);
    deadlines.set("a", 100);
    deadlines.set("b", 200);
    expect(deadlines.takePassed(100)).toEqual([]); // silent only once the time is past the deadline
    expect(deadlines.takePassed(250)).toEqual(["a", "b"]);
    expect(deadlines.takePassed(250)).toEqual([]);
    expect(deadlines.takePassed(1000)).toEqual(["c"]);
  });

  it("a deadline set again replaces the earlier one, which is dropped when it comes up", () => {
    const deadlines = new SilenceDeadlines();
    deadlines.set("a", 100);
    deadlines.set("a", 500);
    deadlines.set("b", 400);
    expect(deadlines.takePassed(450)).toEqual(["b"]);
    expect(deadlines.size).toBe(1);
    expect(deadlines.takePassed(501)).toEqual(["a"]);
  });

  it("keeps heap order over many random deadlines", () => {
    const deadlines = new SilenceDeadlines();
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    const latest = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const site = `s${next() % 300}`;
      const atMs = next() % 100_000;
      deadlines.set(site, atMs);
      latest.set(site, atMs);
    }
    const expected = [...latest].filter(([, atMs]) => atMs < 50_000).sort((x, y) => x[1] - y[1]);
    const taken = deadlines.takePassed(50_000);
    expect(taken.sort()).toEqual(expected.map(([site]) => site).sort());
    expect(deadlines.takePassed(100_000).length).toBe(latest.size - expected.length);
  });

  it("10,000 pushes of one site with a 1 h push interval leave the heap bounded, and the latest deadline still counts", () => {
    const deadlines = new SilenceDeadlines();
    const pushIntervalMs = 3_600_000;
    let maxSize = 0;
    for (let push = 0; push < 10_000; push++) {
      deadlines.set("a", push * 1000 + 3 * pushIntervalMs);
      deadlines.set(`other${push % 3}`, push * 1000 + 3 * pushIntervalMs);
      maxSize = Math.max(maxSize, deadlines.size);
    }
    expect(maxSize).toBeLessThanOrEqual(2 * 4);
    const lastDeadline = 9_999_000 + 3 * pushIntervalMs;
    expect(deadlines.takePassed(lastDeadline)).toEqual(["other1", "other2"]); // last set at pushes 9,997 and 9,998
    expect(deadlines.takePassed(lastDeadline + 1).sort()).toEqual(["a", "other0"]);
  });

  it("a clock stepping back returns nothing, and a deadline it stepped back over is returned again once passed again", () => {
    const deadlines = new SilenceDeadlines();
    deadlines.set("a", 100);
    deadlines.set("b", 300);
    expect(deadlines.takePassed(200)).toEqual(["a"]);
    // Back to before a's deadline: the silence is not undone here (a has not pushed), and b still waits for 300.
    expect(deadlines.takePassed(50)).toEqual([]);
    expect(deadlines.takePassed(150)).toEqual(["a"]);
    expect(deadlines.takePassed(150)).toEqual([]);
    expect(deadlines.takePassed(301)).toEqual(["b"]);
    // Back again, but not before a's or b's deadline: nothing is armed again, nothing returned twice.
    expect(deadlines.takePassed(500)).toEqual([]);
    expect(deadlines.takePassed(400)).toEqual([]);
    expect(deadlines.takePassed(600)).toEqual([]);
    // A push after the step back sets a deadline on the new time line, which counts as usual.
    deadlines.set("a", 200);
    expect(deadlines.takePassed(201)).toEqual(["a"]);
  });
});
