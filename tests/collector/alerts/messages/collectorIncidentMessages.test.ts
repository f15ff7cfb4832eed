import { describe, expect, it } from "vitest";
import { renderNotification } from "../../../../collector/alerts/messages/renderNotification.js";
import type { Notification } from "../../../../collector/alerts/notification.js";
import { resolvedReceivers } from "../../../helpers/alertingFixtures.js";
import { dispatcherHarness } from "../../../helpers/dispatcherHarness.js";

describe("collector/alerts/messages render the collector's incident (no sites, no provider)", () => {
  const config = dispatcherHarness().config;
  const [province] = resolvedReceivers(config).filter((r) => r.id === "province-ict");
  const START = Date.parse("2025-01-06T01:00:00Z");
  const incident = {
    id: 7,
    number: "SC-000007",
    kind: "collector",
    cause: "store_unreachable",
    severity: "critical",
    state: "open",
    provider: null,
    providerName: null,
    link: null,
    linkKind: null,
    circuit: null,
    sites: [],
    summary: "Máy chủ giám sát không ghi được dữ liệu vào kho lưu trữ (SQLite)",
    timeline: { startTs: START, detectedTs: START + 30_000, notifiedTs: null, acknowledgedTs: null, restoredTs: null, endTs: null },
    vendorTicket: null,
    acknowledgedBy: null,
    evidence: ["Mọi lần ghi vào kho lưu trữ đều thất bại từ 08:00 06/01/2025: SQLITE_BUSY: database is locked"],
    deliveries: [],
  } satisfies Notification["incident"];
  const notification = (message: Notification["message"], language: "vi" | "en", overrides: Partial<Notification["incident"]> = {}): Notification => ({
    idempotencyKey: `7:province-ict:${message}:1`,
    message,
    incident: { ...incident, ...overrides },
    receiver: { ...province!, language },
    ackUrl: message === "recovery" ? null : "https://wardwatch.tinh.example/ack/abc",
    siteDetails: [],
    timeZone: "Asia/Ho_Chi_Minh",
    nowMs: START + 60_000,
  });

  it("the report names the incident, its start and its evidence", () => {
    const report = renderNotification(notification("report", "vi"));
    expect(report.subject).toBe("[wardwatch] Sự cố máy chủ giám sát SC-000007: Máy chủ giám sát không ghi được dữ liệu vào kho lưu trữ (SQLite)");
    expect(report.text).toContain("Bắt đầu lúc: 06/01/2025 08:00 (UTC+7)");
    expect(report.text).toContain("- Mọi lần ghi vào kho lưu trữ đều thất bại từ 08:00 06/01/2025: SQLITE_BUSY: database is locked");
    expect(report.html).toContain("SC-000007");
    expect(report.text).toContain("(không phải của nhà mạng)");
    expect(renderNotification(notification("report", "en")).subject).toBe("[wardwatch] Monitoring server incident SC-000007: The collector cannot reach its store");
  });

  it("the recovery notice gives when it was restored and how long it lasted", () => {
    const closed = { state: "closed" as const, timeline: { ...incident.timeline, restoredTs: START + 90_000, endTs: START + 90_000 } };
    const recovery = renderNotification(notification("recovery", "vi", closed));
    expect(recovery.subject).toBe("[wardwatch] Máy chủ giám sát đã hoạt động trở lại SC-000007: Máy chủ giám sát không ghi được dữ liệu vào kho lưu trữ (SQLite)");
    expect(recovery.text).toContain("Khôi phục lúc: 06/01/2025 08:01 (UTC+7)");
    expect(recovery.text).toContain("Thời gian sự cố: 1 phút");
    expect(recovery.text).toContain("đã ghi được dữ liệu trở lại");
    expect(() => renderNotification(notification("recovery", "en", closed))).not.toThrow();
  });
});
