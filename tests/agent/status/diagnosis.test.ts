import { describe, expect, it } from "vitest";
import { COLLECTOR_FAILURES_BEFORE_WARNING, diagnose } from "../../../agent/status/diagnosis.js";
import { at, camera, healthySite, LOST_ROUND, motCua, NOW, tslcd, viettel } from "./statusFixtures.js";

describe("agent/status/diagnosis", () => {
  it("says all is well when every link, application and device is up", () => {
    expect(diagnose(healthySite())).toEqual({
      severity: "ok",
      vi: ["Tất cả đường truyền, ứng dụng và thiết bị đều bình thường"],
      en: ["All links, applications and devices are up"],
    });
  });

  it("names the failing TSLCD link, the link still up, the vendor and the circuit", () => {
    const status = healthySite({ links: [tslcd({ state: "down", sinceTs: at("09:12"), last: LOST_ROUND }), viettel()] });
    expect(diagnose(status)).toEqual({
      severity: "critical",
      vi: ["Mất kết nối mạng TSLCD từ 09:12; Internet Viettel vẫn bình thường → báo VNPT, mã kênh DNI-TSL-000123"],
      en: ["TSLCD network down since 09:12; Internet Viettel still up → report to VNPT, circuit DNI-TSL-000123"],
    });
  });

  it("names a failing Internet link by its provider and gives the date when it failed on another day", () => {
    const status = healthySite({ links: [tslcd(), viettel({ state: "down", sinceTs: at("23:40", "13/11/2025"), last: LOST_ROUND })] });
    const { severity, vi, en } = diagnose(status);
    expect(severity).toBe("critical");
    expect(vi).toEqual(["Mất kết nối Internet Viettel từ 23:40 ngày 13/11/2025; mạng TSLCD vẫn bình thường → báo Viettel, mã kênh VT-FTTH-884512"]);
    expect(en).toEqual(["Internet Viettel down since 23:40 on 13/11/2025; TSLCD network still up → report to Viettel, circuit VT-FTTH-884512"]);
  });

  it("sends a TSLCD fault to VNPT when no provider is configured, and leaves the circuit out when none is", () => {
    const status = healthySite({ links: [tslcd({ provider: null, circuit: null, state: "down", sinceTs: at("09:12") }), viettel()] });
    expect(diagnose(status).vi).toEqual(["Mất kết nối mạng TSLCD từ 09:12; Internet Viettel vẫn bình thường → báo VNPT"]);
  });

  it("when every link is down: all lost since the last one went, check the site's power and router first, then each vendor", () => {
    const status = healthySite({
      links: [tslcd({ state: "down", sinceTs: at("09:12"), last: LOST_ROUND }), viettel({ state: "down", sinceTs: at("09:14"), last: LOST_ROUND })],
      apps: [motCua({ tslcd: { state: "down" }, viettel: { state: "down" } })],
      spool: { pendingRecords: 1234, droppedRecords: 0, bytes: 300_000, refusedRecords: 0, recentRefused: [] },
      uplink: { lastPushOkTs: at("09:11"), lastError: "connect ETIMEDOUT", consecutiveFailures: 20, collectorUrl: "https://10.10.0.5:8443", viaLink: "tslcd" },
    });
    expect(diagnose(status)).toEqual({
      severity: "critical",
      vi: [
        "Mất kết nối tất cả đường truyền từ 09:14 (mạng TSLCD, Internet Viettel)",
        "Kiểm tra nguồn điện, router/modem và dây mạng tại trạm trước",
        "Nếu thiết bị tại trạm bình thường → báo từng nhà mạng: VNPT, mã kênh DNI-TSL-000123 (mạng TSLCD); Viettel, mã kênh VT-FTTH-884512 (Internet Viettel)",
        "Dữ liệu đo vẫn được lưu tại trạm: 1.234 bản ghi đang chờ gửi",
      ],
      en: [
        "All links down since 09:14 (TSLCD network, Internet Viettel)",
        "Check the power, the router/modem and the cables at the site first",
        "If the site equipment is fine → report to each vendor: VNPT, circuit DNI-TSL-000123 (TSLCD network); Viettel, circuit VT-FTTH-884512 (Internet Viettel)",
        "Measurements are kept at the site: 1.234 records waiting to be sent",
      ],
    });
  });

  it("gives a degraded link's loss and latency in vi-VN numbers", () => {
    const status = healthySite({
      links: [tslcd(), viettel({ state: "degraded", sinceTs: at("09:40"), last: { ts: NOW - 10_000, ok: true, latencyMs: 1340.4, lossPct: 12.5, reason: null } })],
    });
    expect(diagnose(status)).toEqual({
      severity: "warning",
      vi: ["Suy giảm Internet Viettel từ 09:40: tỷ lệ mất gói 12,5%, độ trễ 1.340 ms → nếu kéo dài, báo Viettel, mã kênh VT-FTTH-884512"],
      en: ["Internet Viettel degraded since 09:40: packet loss 12,5%, latency 1.340 ms → if it persists, report to Viettel, circuit VT-FTTH-884512"],
    });
  });

  it("blames the path, not the application, when the application is down over one link and up over the other", () => {
    const status = healthySite({ apps: [motCua({ tslcd: { state: "down", sinceTs: at("09:30"), last: { ...LOST_ROUND, reason: "HTTP 502" } } })] });
    expect(diagnose(status)).toEqual({
      severity: "warning",
      vi: ["Không vào được Một cửa điện tử qua mạng TSLCD từ 09:30, qua Internet Viettel vẫn vào được → lỗi trên đường mạng TSLCD, không phải do ứng dụng; báo VNPT, mã kênh DNI-TSL-000123"],
      en: ["Một cửa điện tử unreachable over TSLCD network since 09:30 but reachable over Internet Viettel → the fault is on the TSLCD network path, not the application; report to VNPT, circuit DNI-TSL-000123"],
    });
  });

  it("blames the application and the provincial data centre when it is down over every link while the links are up", () => {
    const status = healthySite({ apps: [motCua({ tslcd: { state: "down", sinceTs: at("09:20") }, viettel: { state: "down", sinceTs: at("09:21") } })] });
    expect(diagnose(status)).toEqual({
      severity: "critical",
      vi: ["Không vào được Một cửa điện tử qua mọi đường truyền từ 09:21 dù đường truyền vẫn hoạt động → lỗi tại ứng dụng/trung tâm dữ liệu tỉnh; báo Sở Khoa học và Công nghệ"],
      en: ["Một cửa điện tử unreachable over every link since 09:21 while the links work → the application or the provincial data centre is at fault; call the provincial ICT team (Sở Khoa học và Công nghệ)"],
    });
  });

  it("does not repeat an application path over a link that is itself down", () => {
    const status = healthySite({
      links: [tslcd({ state: "down", sinceTs: at("09:12") }), viettel()],
      apps: [motCua({ tslcd: { state: "down", sinceTs: at("09:13") } })],
    });
    expect(diagnose(status).vi).toEqual(["Mất kết nối mạng TSLCD từ 09:12; Internet Viettel vẫn bình thường → báo VNPT, mã kênh DNI-TSL-000123"]);
  });

  it("blames the application when it is down over the only link left", () => {
    const status = healthySite({
      links: [tslcd({ state: "down", sinceTs: at("09:12") }), viettel()],
      apps: [motCua({ tslcd: { state: "down" }, viettel: { state: "down", sinceTs: at("09:25") } })],
    });
    expect(diagnose(status).vi[1]).toBe(
      "Không vào được Một cửa điện tử qua Internet Viettel từ 09:25 dù đường truyền vẫn hoạt động → lỗi tại ứng dụng/trung tâm dữ liệu tỉnh; báo Sở Khoa học và Công nghệ",
    );
  });

  it("sends a LAN device fault to the device, its cable and switch, not the WAN", () => {
    const status = healthySite({ lan: [camera({ state: "down", sinceTs: at("08:05"), last: { ...LOST_ROUND, reason: "no reply" } })] });
    expect(diagnose(status)).toEqual({
      severity: "warning",
      vi: ["Mất kết nối thiết bị Camera cổng (192.168.1.20) từ 08:05 → kiểm tra nguồn thiết bị, dây cáp và switch; không phải lỗi đường truyền"],
      en: ["LAN device Camera cổng (192.168.1.20) down since 08:05 → check the device's power, its cable and the switch; not a WAN problem"],
    });
  });

  it("says pushes are failing and how many records wait in the spool when the collector is unreachable while a link is up", () => {
    const status = healthySite({
      spool: { pendingRecords: 5230, droppedRecords: 0, bytes: 2_000_000, refusedRecords: 0, recentRefused: [] },
      uplink: { lastPushOkTs: at("08:47"), lastError: "HTTP 503 Service Unavailable", consecutiveFailures: 12, collectorUrl: "https://10.10.0.5:8443", viaLink: "tslcd" },
    });
    expect(diagnose(status)).toEqual({
      severity: "warning",
      vi: [
        "Không gửi được dữ liệu về máy chủ giám sát từ 08:47 dù vẫn có đường truyền (lỗi: HTTP 503 Service Unavailable)",
        "Dữ liệu được giữ tại trạm: 5.230 bản ghi đang chờ gửi, sẽ tự gửi lại; nếu kéo dài, báo Sở Khoa học và Công nghệ",
      ],
      en: [
        "Pushes to the collector failing since 08:47 although a link works (error: HTTP 503 Service Unavailable)",
        "Data is kept in the spool: 5.230 records waiting, sent automatically later; if it persists, call the provincial ICT team (Sở Khoa học và Công nghệ)",
      ],
    });
  });

  it("stays quiet about a single failed push", () => {
    const status = healthySite({
      uplink: { lastPushOkTs: NOW - 20_000, lastError: "socket hang up", consecutiveFailures: COLLECTOR_FAILURES_BEFORE_WARNING - 1, collectorUrl: null, viaLink: null },
    });
    expect(diagnose(status).severity).toBe("ok");
  });

  it("reports records dropped from a full or corrupt spool", () => {
    const status = healthySite({ spool: { pendingRecords: 10, droppedRecords: 56, bytes: 1000, refusedRecords: 0, recentRefused: [] } });
    expect(diagnose(status)).toEqual({
      severity: "warning",
      vi: ["Bộ đệm tại trạm đã đầy hoặc bị hỏng: 56 bản ghi chưa gửi đã bị mất → mất dữ liệu đo của khoảng thời gian đó"],
      en: ["The site's spool was full or corrupt: 56 unsent records were lost → measurements from that time are lost"],
    });
  });

  it("reports records the collector refused, a warning only while the newest refusal is under a day old", () => {
    const refused = { seq: 812, refusedAt: at("09:30"), error: "unknown_link", message: "samples[0].link: unknown link 'fpt'", what: "icmp:192.0.2.1 via fpt" };
    const status = healthySite({ spool: { pendingRecords: 0, droppedRecords: 0, bytes: 1000, refusedRecords: 3, recentRefused: [refused] } });
    expect(diagnose(status)).toEqual({
      severity: "warning",
      vi: ["Máy chủ giám sát đã từ chối 3 bản ghi, đã để riêng tại trạm (gần nhất lúc 09:30: unknown_link: samples[0].link: unknown link 'fpt') → báo Sở Khoa học và Công nghệ"],
      en: ["The collector refused 3 records, set aside on site (latest at 09:30: unknown_link: samples[0].link: unknown link 'fpt') → call the provincial ICT team (Sở Khoa học và Công nghệ)"],
    });
    const old = healthySite({ spool: { ...status.spool, recentRefused: [{ ...refused, refusedAt: NOW - 2 * 86_400_000 }] } });
    expect(diagnose(old).severity).toBe("ok");
  });

  it("mentions links with no judgement yet without raising the alarm", () => {
    const status = healthySite({ links: [tslcd({ state: "unknown", sinceTs: null, last: null, history: [] }), viettel()] });
    expect(diagnose(status)).toEqual({
      severity: "ok",
      vi: ["Chưa rõ trạng thái mạng TSLCD: chưa có kết quả đo"],
      en: ["TSLCD network state unknown: no measurements yet"],
    });
  });

  it("puts the most severe sentences first and keeps vi and en aligned", () => {
    const status = healthySite({
      links: [tslcd({ state: "down", sinceTs: at("09:12") }), viettel({ state: "degraded", sinceTs: at("09:40") })],
      lan: [camera({ state: "down", sinceTs: at("08:05") })],
    });
    const { severity, vi, en } = diagnose(status);
    expect(severity).toBe("critical");
    expect(vi.map((s) => s.split(" ")[0])).toEqual(["Mất", "Suy", "Mất"]);
    expect(vi[0]).toBe("Mất kết nối mạng TSLCD từ 09:12 → báo VNPT, mã kênh DNI-TSL-000123");
    expect(en).toHaveLength(vi.length);
  });
});
