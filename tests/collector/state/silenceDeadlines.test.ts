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
});
