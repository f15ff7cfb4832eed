import { describe, expect, it } from "vitest";
import { ClockOffsetWindows, readAgentClock } from "../../../collector/ingest/clockOffset.js";

const TOLERANCE_MS = 5000;

describe("collector/ingest/clockOffset", () => {
  it("leaves a clock within the tolerance uncorrected", () => {
    expect(readAgentClock(1_000_000, 1_004_000, TOLERANCE_MS)).toEqual({ offsetMs: 4000, skewed: false, correctionMs: 0 });
  });

  it("corrects a clock off by more than the tolerance by the measured offset", () => {
    expect(readAgentClock(1_000_000, 1_000_000 + 3_600_000, TOLERANCE_MS)).toEqual({ offsetMs: 3_600_000, skewed: true, correctionMs: 3_600_000 });
  });

  it("keeps the correction in effect while the offset moves less than the tolerance from it (transit jitter)", () => {
    for (const jitterMs of [-4000, -1, 0, 1, 2500, 5000]) {
      expect(readAgentClock(0, 3_600_000 + jitterMs, TOLERANCE_MS, 3_600_000).correctionMs).toBe(3_600_000);
    }
  });

  it("moves the correction when the offset moves further, and drops it once the clock was fixed", () => {
    expect(readAgentClock(0, 3_606_000, TOLERANCE_MS, 3_600_000).correctionMs).toBe(3_606_000);
    expect(readAgentClock(0, 200, TOLERANCE_MS, 3_600_000)).toEqual({ offsetMs: 200, skewed: false, correctionMs: 0 });
  });
});

describe("collector/ingest/clockOffset, delays", () => {
  it("one late push (a slow link, a busy collector) cannot move the correction: the lowest recent offset is judged", () => {
    expect(readAgentClock(0, 6_500, TOLERANCE_MS, 0, [120, 80])).toEqual({ offsetMs: 6_500, skewed: false, correctionMs: 0 });
  });

  it("a clock that really stepped back moves it once every offset in the window says so", () => {
    expect(readAgentClock(0, 3_600_000, TOLERANCE_MS, 0, [3_600_100, 3_600_050]).correctionMs).toBe(3_600_000);
  });

  it("a clock that stepped forward (offsets only drop) moves it at once: a delay cannot make an offset smaller", () => {
    expect(readAgentClock(0, -3_600_000, TOLERANCE_MS, 0, [100, 90]).correctionMs).toBe(-3_600_000);
  });

  it("windows hold the last offsets per site; a site never heard from has none, one heard from before a restart its saved correction", () => {
    const windows = new ClockOffsetWindows();
    expect(windows.recent("a", null)).toEqual([]);
    expect(windows.recent("a", 3_600_000)).toEqual([3_600_000]);
    for (const offset of [1, 2, 3, 4]) windows.record("a", offset);
    expect(windows.recent("a", 3_600_000)).toEqual([3, 4]);
    expect(windows.recent("b", null)).toEqual([]);
  });
});
