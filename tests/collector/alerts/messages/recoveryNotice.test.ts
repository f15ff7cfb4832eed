import { describe, expect, it } from "vitest";
import { renderRecoveryNotice } from "../../../../collector/alerts/messages/recoveryNotice.js";
import { linkFaultNotification, linkIncident, providerOutageNotification, START_MS, vendorReceiver } from "../../../helpers/notifications.js";

const MINUTE_MS = 60_000;

/** The TSLCD outage, acknowledged by the vendor after 17 min and restored 1 h 25 min after it began. */
function recovery(overrides: Parameters<typeof linkFaultNotification>[0] = {}) {
  return linkFaultNotification({
    idempotencyKey: "123:vnpt-noc:recovery",
    message: "recovery",
    ackUrl: null,
    incident: linkIncident({
      state: "closed",
      vendorTicket: "VNPT-2025-0042",
      acknowledgedBy: "VNPT NOC – Nguyễn Văn Bảo",
      timeline: {
        startTs: START_MS,
        detectedTs: START_MS + 2 * MINUTE_MS,
        notifiedTs: START_MS + 3 * MINUTE_MS,
        acknowledgedTs: START_MS + 20 * MINUTE_MS,
        restoredTs: START_MS + 85 * MINUTE_MS,
        endTs: START_MS + 86 * MINUTE_MS,
      },
    }),
    nowMs: START_MS + 90 * MINUTE_MS,
    ...overrides,
  });
}

describe("collector/alerts/messages/recoveryNotice", () => {
  it("says “Đã khôi phục kết nối” with the outage's times and duration", () => {
    const { subject, text, html } = renderRecoveryNotice(recovery());
    expect(subject).toBe("[wardwatch] Đã khôi phục kết nối SC-000123: Mất kết nối TSLCD tại Phường Tân Phong (VNPT, DNI-TSL-000123)");
    for (const expected of [
      "Đã khôi phục kết nối SC-000123",
      "Mã kênh: DNI-TSL-000123",
      "Địa điểm: Phường Tân Phong",
      "Bắt đầu lúc: 15/03/2025 08:10 (UTC+7)",
      "Khôi phục lúc: 15/03/2025 09:35 (UTC+7)",
      "Thời gian sự cố: 1 giờ 25 phút",
      "Xác nhận tiếp nhận: VNPT NOC – Nguyễn Văn Bảo, lúc 15/03/2025 08:30 (UTC+7)",
      "Thời gian tiếp nhận: 17 phút",
      "Số phiếu của nhà mạng: VNPT-2025-0042",
    ]) {
      expect(text).toContain(expected);
    }
    expect(html).toContain("<td>1 giờ 25 phút</td>");
    expect(text).not.toContain("Mở liên kết sau");
  });

  it("counts to the close time when no restore time is recorded", () => {
    const closedOnly = recovery();
    closedOnly.incident.timeline.restoredTs = null;
    const { text } = renderRecoveryNotice(closedOnly);
    expect(text).toContain("Khôi phục lúc: 15/03/2025 09:36 (UTC+7)");
    expect(text).toContain("Thời gian sự cố: 1 giờ 26 phút");
  });

  it("leaves out acknowledgement lines for an incident nobody acknowledged", () => {
    const unacknowledged = recovery({ incident: linkIncident({ timeline: { ...linkIncident().timeline, restoredTs: START_MS + 40 * MINUTE_MS } }) });
    const { text } = renderRecoveryNotice(unacknowledged);
    expect(text).toContain("Thời gian sự cố: 40 phút");
    expect(text).not.toContain("Xác nhận tiếp nhận");
    expect(text).not.toContain("Số phiếu của nhà mạng");
  });

  it("lists every site of a provider-wide incident", () => {
    const base = providerOutageNotification();
    const { text } = renderRecoveryNotice({ ...base, message: "recovery", ackUrl: null, incident: { ...base.incident, timeline: { ...base.incident.timeline, restoredTs: START_MS + 26 * 60 * MINUTE_MS } } });
    expect(text).toContain("Các địa điểm bị ảnh hưởng (3):");
    expect(text).toContain("Thời gian sự cố: 1 ngày 2 giờ");
  });

  it("is written in English for a receiver that asks for it", () => {
    const { subject, text } = renderRecoveryNotice(recovery({ receiver: vendorReceiver({ language: "en" }) }));
    expect(subject).toBe("[wardwatch] Restored SC-000123: TSLCD link down at Phường Tân Phong (VNPT, DNI-TSL-000123)");
    expect(text).toContain("Restored at: 15/03/2025 09:35 (UTC+7)");
    expect(text).toContain("Incident duration: 1 hour 25 minutes");
    expect(text).toContain("Time to acknowledge: 17 minutes");
    expect(text).toContain("Vendor ticket number: VNPT-2025-0042");
  });

  it("escapes a hostile vendor ticket and acknowledger in the HTML", () => {
    const hostile = recovery({ incident: { ...recovery().incident, vendorTicket: "<script>x</script>", acknowledgedBy: `"onmouseover="x` } });
    const { html } = renderRecoveryNotice(hostile);
    expect(html).not.toContain("<script>x");
    expect(html).toContain("&lt;script&gt;x&lt;/script&gt;");
    expect(html).toContain("&quot;onmouseover=&quot;x");
  });
});
