import { describe, expect, it } from "vitest";
import { parseDurationMs, parseSizeBytes } from "../../config/units.js";

describe("config/units", () => {
  it("parses durations", () => {
    expect(parseDurationMs("500ms")).toBe(500);
    expect(parseDurationMs("10s")).toBe(10_000);
    expect(parseDurationMs("5m")).toBe(300_000);
    expect(parseDurationMs("1m30s")).toBe(90_000);
    expect(parseDurationMs("1h")).toBe(3_600_000);
  });

  it("rejects malformed durations", () => {
    for (const text of ["", "10", "ten s", "10 s", "5x", "-1s", "1s junk"]) expect(parseDurationMs(text)).toBeUndefined();
  });

  it("parses sizes", () => {
    expect(parseSizeBytes("64mb")).toBe(64 * 1024 * 1024);
    expect(parseSizeBytes("512KB")).toBe(512 * 1024);
    expect(parseSizeBytes("100")).toBe(100);
    expect(parseSizeBytes("lots")).toBeUndefined();
  });
});
