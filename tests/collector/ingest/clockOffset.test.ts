import { describe, expect, it } from "vitest";
import { readAgentClock } from "../../../collector/ingest/clockOffset.js";

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
