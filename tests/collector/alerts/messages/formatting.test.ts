import { describe, expect, it } from "vitest";
import { formatCoordinates, formatDateTime, formatDuration, formatNumber, zoneLabel } from "../../../../collector/alerts/messages/formatting.js";

const MINUTE_MS = 60_000;

describe("collector/alerts/messages/formatting", () => {
  it.each([
    [85 * MINUTE_MS, "1 giờ 25 phút", "1 hour 25 minutes"],
    [60 * MINUTE_MS, "1 giờ", "1 hour"],
    [MINUTE_MS, "1 phút", "1 minute"],
    [59_999, "dưới 1 phút", "less than 1 minute"],
    [-5 * MINUTE_MS, "dưới 1 phút", "less than 1 minute"],
    [(2 * 24 * 60 + 3 * 60) * MINUTE_MS, "2 ngày 3 giờ", "2 days 3 hours"],
    [(24 * 60 + 5) * MINUTE_MS + 59_000, "1 ngày 5 phút", "1 day 5 minutes"],
    [1234 * 24 * 60 * MINUTE_MS, "1.234 ngày", "1.234 days"],
  ])("a duration of %d ms reads “%s” / “%s”", (durationMs, vi, en) => {
    expect(formatDuration(durationMs, "vi")).toBe(vi);
    expect(formatDuration(durationMs, "en")).toBe(en);
  });

  it("writes dates dd/mm/yyyy HH:mm (24 h) in the given zone", () => {
    const ms = Date.UTC(2025, 0, 1, 16, 5);
    expect(formatDateTime(ms, "Asia/Ho_Chi_Minh")).toBe("01/01/2025 23:05");
    expect(formatDateTime(ms + 60 * MINUTE_MS, "Asia/Ho_Chi_Minh")).toBe("02/01/2025 00:05");
    expect(zoneLabel(ms, "Asia/Ho_Chi_Minh")).toBe("UTC+7");
    expect(zoneLabel(ms, "UTC")).toBe("UTC");
  });

  it("writes numbers the vi-VN way and coordinates the way map apps read them", () => {
    expect(formatNumber(1234.5)).toBe("1.234,5");
    expect(formatCoordinates({ lat: 10.956371234, lon: 106.8243 })).toBe("10.95637, 106.82430");
  });
});
