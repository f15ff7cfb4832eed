import { describe, expect, it } from "vitest";
import { renderFaultReport } from "../../../../collector/alerts/messages/faultReport.js";
import { linkFaultNotification, linkIncident, providerOutageNotification, START_MS, vendorReceiver } from "../../../helpers/notifications.js";

const MINUTE_MS = 60_000;

describe("collector/alerts/messages/faultReport", () => {
  describe("a first report in Vietnamese", () => {
    const notification = linkFaultNotification();
    const { subject, text, html } = renderFaultReport(notification);

    it("has the subject a vendor's NOC can sort by", () => {
      expect(subject).toBe("[wardwatch] Phiếu báo hỏng SC-000123: Mất kết nối TSLCD tại Phường Tân Phong (VNPT, DNI-TSL-000123)");
    });

    const required: Array<[string, string]> = [
      ["the incident number and summary", "Sự cố: SC-000123 — Mất kết nối TSLCD tại Phường Tân Phong"],
      ["the provider", "Nhà mạng: VNPT"],
      ["the link kind in glossary words", "Loại đường truyền: Đường truyền số liệu chuyên dùng (TSLCD)"],
      ["the circuit ID", "Mã kênh: DNI-TSL-000123"],
      ["the site name", "Địa điểm: Phường Tân Phong"],
      ["the address", "Địa chỉ: Số 1 đường Nguyễn Ái Quốc, Phường Tân Phong, Tỉnh Đồng Nai"],
      ["the coordinates", "Tọa độ: 10.95637, 106.82431"],
      ["the local contact", "Cán bộ phụ trách CNTT xã/phường: Nguyễn Văn An – 0912 345 678"],
      ["the start time in UTC+7", "Bắt đầu lúc: 15/03/2025 08:10 (UTC+7)"],
      ["the duration so far", "Thời gian đã kéo dài: 1 giờ 25 phút (tính đến 15/03/2025 09:35)"],
      ["the loss symptom", "Tỷ lệ mất gói 100 % trong 17 lượt đo liên tiếp (ICMP tới cổng TSLCD 192.0.2.1)"],
      ["the latency and failing probes", "Độ trễ trước sự cố: 12 ms; DNS và HTTP tới Một cửa điện tử qua TSLCD: thất bại"],
      ["the proof line", "Đường truyền Internet (Viettel) vẫn chuyển báo cáo của trạm trong suốt thời gian này"],
      ["the acknowledgement instruction", "bấm Xác nhận tiếp nhận và nhập Số phiếu của nhà mạng"],
      ["the signed acknowledgement link", "https://wardwatch.dongnai.example/ack/SC-000123?token=abc.def"],
      ["the receiver it is addressed to", "Kính gửi: VNPT Đồng Nai – Trung tâm điều hành mạng"],
    ];

    it.each(required)("the text carries %s", (_what, expected) => {
      expect(text).toContain(expected);
    });

    it.each(required)("the HTML carries %s", (_what, expected) => {
      // Label and value sit in separate cells in HTML: check the value part.
      const value = expected.includes(": ") && !expected.startsWith("http") ? expected.slice(expected.indexOf(": ") + 2) : expected;
      expect(html).toContain(value.replace(/&/g, "&amp;"));
    });

    it("makes the acknowledgement link and the coordinates clickable", () => {
      expect(html).toContain('<a href="https://wardwatch.dongnai.example/ack/SC-000123?token=abc.def"');
      expect(html).toContain('<a href="geo:10.95637,106.82431">');
      expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="vi">/);
    });
  });

  it("names an Internet link in glossary words", () => {
    const incident = linkIncident({ linkKind: "internet", link: "inet", circuit: "FPT-INET-0042", provider: "fpt", providerName: "FPT", summary: "Mất kết nối Internet tại Phường Tân Phong" });
    const { subject, text } = renderFaultReport(linkFaultNotification({ incident }));
    expect(text).toContain("Loại đường truyền: Đường truyền Internet");
    expect(subject).toBe("[wardwatch] Phiếu báo hỏng SC-000123: Mất kết nối Internet tại Phường Tân Phong (FPT, FPT-INET-0042)");
  });

  it("starts a repeat with “Nhắc lại:”", () => {
    const { subject, text } = renderFaultReport(linkFaultNotification({ message: "repeat", idempotencyKey: "123:vnpt-noc:repeat:1" }));
    expect(subject).toBe("[wardwatch] Nhắc lại: Phiếu báo hỏng SC-000123: Mất kết nối TSLCD tại Phường Tân Phong (VNPT, DNI-TSL-000123)");
    expect(text).toContain("Mã kênh: DNI-TSL-000123");
  });

  it("starts an escalation with how long the report has waited since it was delivered", () => {
    const notifiedTs = linkIncident().timeline.notifiedTs ?? 0;
    const { subject, text } = renderFaultReport(linkFaultNotification({ message: "escalation", nowMs: notifiedTs + 30 * MINUTE_MS }));
    expect(subject).toBe("[wardwatch] Chưa được xác nhận sau 30 phút: Phiếu báo hỏng SC-000123: Mất kết nối TSLCD tại Phường Tân Phong (VNPT, DNI-TSL-000123)");
    expect(text).toContain("chưa được xác nhận tiếp nhận sau 30 phút");
  });

  it("lists every site of a provider-wide incident in a table", () => {
    const { subject, text, html } = renderFaultReport(providerOutageNotification());
    expect(subject).toBe("[wardwatch] Phiếu báo hỏng SC-000124: Sự cố diện rộng của nhà mạng VNPT: 3 xã/phường mất kết nối TSLCD (VNPT)");
    expect(text).toContain("Các địa điểm bị ảnh hưởng (3):");
    expect(text).toContain("1. Phường Tân Phong\n   Địa chỉ: Số 1 đường Nguyễn Ái Quốc");
    expect(text).toContain("2. Phường Biên Hòa\n   Địa chỉ: Số 2 đường 30 Tháng 4, Phường Biên Hòa\n   Tọa độ: 10.94469, 106.82432");
    expect(text).toContain("Trần Thị Bình – 0913 000 111; Lê Văn Cường – 0913 000 222");
    // A site without configured details still appears, under the incident's name.
    expect(text).toContain("3. Xã Phú Lý\n   Địa chỉ: —");
    const body = /<tbody>(.*?)<\/tbody>/s.exec(html)?.[1] ?? "";
    expect(body.match(/<tr>/g)).toHaveLength(3);
    for (const name of ["Phường Tân Phong", "Phường Biên Hòa", "Xã Phú Lý"]) expect(body).toContain(name);
    // Each site's affected links with their circuit IDs, so the vendor's NOC can look every one up.
    expect(text).toContain("Đường truyền: tslcd (DNI-TSL-000456)");
    expect(body).toContain("tslcd (DNI-TSL-000123)");
    expect(text).toContain("Đường truyền: tslcd, inet\n"); // no details configured: the link ids alone
  });

  it("starts an update with “Cập nhật:” and lists every site as it is now", () => {
    const { subject, text } = renderFaultReport({ ...providerOutageNotification(), message: "update", idempotencyKey: "124:vnpt-noc:update:1" });
    expect(subject).toBe("[wardwatch] Cập nhật: Phiếu báo hỏng SC-000124: Sự cố diện rộng của nhà mạng VNPT: 3 xã/phường mất kết nối TSLCD (VNPT)");
    expect(text).toContain("phạm vi của sự cố dưới đây đã thay đổi");
    expect(text).toContain("Các địa điểm bị ảnh hưởng (3):");
    const english = renderFaultReport({ ...providerOutageNotification(), message: "update", receiver: vendorReceiver({ language: "en" }) });
    expect(english.subject).toMatch(/^\[wardwatch\] Update: Fault report SC-000124/);
  });

  it("is written in English for a receiver that asks for it", () => {
    const { subject, text, html } = renderFaultReport(linkFaultNotification({ receiver: vendorReceiver({ language: "en" }) }));
    expect(subject).toBe("[wardwatch] Fault report SC-000123: TSLCD link down at Phường Tân Phong (VNPT, DNI-TSL-000123)");
    for (const expected of [
      "Telecom vendor: VNPT",
      "Link type: Dedicated government network (TSLCD)",
      "Circuit ID: DNI-TSL-000123",
      "Site: Phường Tân Phong",
      "Coordinates: 10.95637, 106.82431",
      "Ward IT contact: Nguyễn Văn An – 0912 345 678",
      "Started at: 15/03/2025 08:10 (UTC+7)",
      "Duration so far: 1 hour 25 minutes",
      "enter your Vendor ticket number",
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain("Mã kênh");
    expect(html).toContain('<html lang="en">');
    const reminder = renderFaultReport(linkFaultNotification({ message: "repeat", receiver: vendorReceiver({ language: "en" }) }));
    expect(reminder.subject).toMatch(/^\[wardwatch\] Reminder: Fault report SC-000123: /);
  });

  it("shows times in the notification's time zone", () => {
    const { text } = renderFaultReport(linkFaultNotification({ timeZone: "UTC" }));
    expect(text).toContain("Bắt đầu lúc: 15/03/2025 01:10 (UTC)");
  });

  it("shows the vendor ticket once given, and no acknowledgement block without a link", () => {
    const { text, html } = renderFaultReport(linkFaultNotification({ ackUrl: null, incident: linkIncident({ vendorTicket: "VNPT-2025-0042" }) }));
    expect(text).toContain("Số phiếu của nhà mạng: VNPT-2025-0042");
    expect(text).not.toContain("Mở liên kết sau");
    expect(html).not.toContain("<h3>Xác nhận tiếp nhận</h3>");
  });

  it("says so when there are no measurements", () => {
    const { text } = renderFaultReport(linkFaultNotification({ incident: linkIncident({ evidence: [] }) }));
    expect(text).toContain("Hiện tượng và số liệu đo:\n- Không có số liệu đo chi tiết.");
  });

  it("escapes everything in the HTML: a hostile site name, address, contact, evidence and link", () => {
    const hostile = `<script>alert("x")</script> & 'Phường'`;
    const base = linkFaultNotification();
    const notification = linkFaultNotification({
      receiver: vendorReceiver({ name: `<b>${hostile}</b>` }),
      incident: linkIncident({ summary: hostile, sites: [{ site: "tan-phong", siteName: hostile, links: ["tslcd"] }], evidence: [`<img src=x onerror=alert(1)>`] }),
      siteDetails: [{ ...base.siteDetails[0]!, name: hostile, address: `<iframe src="//evil.example">`, contacts: [`"><svg onload=alert(1)>`] }],
      ackUrl: "javascript:alert(1)",
    });
    const { text, html } = renderFaultReport(notification);
    for (const markup of ["<script", "<iframe", "<img", "<svg", "<b>"]) expect(html).not.toContain(markup);
    expect(html).not.toMatch(/href="javascript:/);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Phường&#39;");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    // The plain text is plain: the names are shown as given.
    expect(text).toContain(`Địa điểm: ${hostile}`);
  });

  it("is a pure function of the notification", () => {
    const notification = linkFaultNotification();
    const copy = structuredClone(notification);
    expect(renderFaultReport(notification)).toEqual(renderFaultReport(copy));
    expect(notification).toEqual(copy);
    expect(START_MS).toBe(notification.incident.timeline.startTs);
  });
});
