import { describe, expect, it } from "vitest";
import { backoffDelayMs, parseRetryAfterMs } from "../../../agent/uplink/backoff.js";

describe("agent/uplink/backoff", () => {
  it("doubles from 1 s and stops at the cap, with jitter in the upper half", () => {
    expect(backoffDelayMs(0, 1000, 300_000, () => 0)).toBe(500);
    expect(backoffDelayMs(0, 1000, 300_000, () => 1)).toBe(1000);
    expect(backoffDelayMs(3, 1000, 300_000, () => 1)).toBe(8000);
    expect(backoffDelayMs(20, 1000, 300_000, () => 1)).toBe(300_000);
    expect(backoffDelayMs(1000, 1000, 300_000, () => 0)).toBe(150_000);
  });

  it("spreads agents that fail at the same moment", () => {
    let x = 0.1;
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelayMs(5, 1000, 300_000, () => (x = (x * 7.3) % 1))));
    expect(delays.size).toBeGreaterThan(10);
  });

  it("reads Retry-After as seconds or an HTTP date, clamped", () => {
    const now = Date.parse("2026-11-23T10:00:00Z");
    expect(parseRetryAfterMs("3", now, 300_000)).toBe(3000);
    expect(parseRetryAfterMs("Mon, 23 Nov 2026 10:00:10 GMT", now, 300_000)).toBe(10_000);
    expect(parseRetryAfterMs("99999", now, 300_000)).toBe(300_000);
    expect(parseRetryAfterMs("Mon, 23 Nov 2026 09:00:00 GMT", now, 300_000)).toBe(0);
    expect(parseRetryAfterMs(null, now, 300_000)).toBeNull();
    expect(parseRetryAfterMs("soon", now, 300_000)).toBeNull();
  });
});
