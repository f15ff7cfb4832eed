import { describe, expect, it } from "vitest";
import { MAX_QUERY_RANGE_MS, MAX_QUERY_TS, parseTimeParam, resolveTimeWindow } from "../../../collector/api/timeQuery.js";

const DAY = 86_400_000;

describe("collector/api/timeQuery", () => {
  describe("parseTimeParam", () => {
    it.each<[string, number | null]>([
      ["1748736000000", 1748736000000],
      ["0", 0],
      ["2025-06-01T00:00:00Z", Date.UTC(2025, 5, 1)],
      ["2025-06-01t00:00:00z", Date.UTC(2025, 5, 1)],
      ["2025-06-01T07:00+07:00", Date.UTC(2025, 5, 1)],
      ["2025-05-31T19:30:00-04:30", Date.UTC(2025, 5, 1)],
      ["2025-06-01T00:00:00.250Z", Date.UTC(2025, 5, 1) + 250],
      ["2025-06-01T00:00:00.5Z", Date.UTC(2025, 5, 1) + 500],
      ["2025-06-01T00:00:00.123456789Z", Date.UTC(2025, 5, 1) + 123],
      ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
      ["2100-01-01T00:00:00Z", MAX_QUERY_TS],
      ["2025-02-29T00:00:00Z", null],
      ["2025-06-01T24:00:00Z", null],
      ["2025-06-01T00:00:60Z", null],
      ["2025-06-01T00:00:00+25:00", null],
      ["2025-06-01T00:00:00.1234567890Z", null],
      ["2025-06-01T07:00:00 07:00", null],
      ["2025-06-01 00:00:00Z", null],
      ["2025-06-01T00:00:00", null],
      ["1.5", null],
    ])("%s → %s", (text, expected) => {
      expect(parseTimeParam(text)).toBe(expected);
    });
  });

  describe("resolveTimeWindow", () => {
    it("takes a window of exactly 366 days and refuses one ms more", () => {
      expect(resolveTimeWindow({ from: 0, to: MAX_QUERY_RANGE_MS }, 5 * DAY, DAY)).toEqual({ ok: true, value: { from: 0, to: 366 * DAY } });
      expect(resolveTimeWindow({ from: 0, to: MAX_QUERY_RANGE_MS + 1 }, 5 * DAY, DAY)).toMatchObject({ ok: false, error: "bad_range" });
    });

    it("defaults to the range before now, never before 1970 nor after 2100", () => {
      expect(resolveTimeWindow({}, 10 * DAY, DAY)).toEqual({ ok: true, value: { from: 9 * DAY, to: 10 * DAY } });
      expect(resolveTimeWindow({}, DAY / 2, DAY)).toEqual({ ok: true, value: { from: 0, to: DAY / 2 } });
      expect(resolveTimeWindow({}, MAX_QUERY_TS + DAY, DAY)).toEqual({ ok: true, value: { from: MAX_QUERY_TS - DAY, to: MAX_QUERY_TS } });
    });

    it("refuses from not before to, naming both", () => {
      expect(resolveTimeWindow({ from: DAY, to: DAY }, 0, DAY)).toEqual({ ok: false, error: "bad_range", message: "from (1970-01-02T00:00:00.000Z) must be before to (1970-01-02T00:00:00.000Z)" });
    });
  });
});
