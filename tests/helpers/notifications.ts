/**
 * Notifications for alert tests: a dedicated-link fault at one ward (SC-000123, VNPT, DNI-TSL-000123, started
 * 15/03/2025 08:10 UTC+7, composed 1 h 25 min later) and a provider-wide outage at three sites. Addresses and
 * URLs use .example names and 192.0.2.0/24.
 */
import type { Incident } from "../../protocol/incident.js";
import type { Notification, ReceiverConfig } from "../../collector/alerts/notification.js";

/** 15/03/2025 08:10 in UTC+7, UTC ms. */
export const START_MS = Date.UTC(2025, 2, 15, 1, 10);
const MINUTE_MS = 60_000;

/** A vendor NOC receiver (Vietnamese, both channels; tests replace the URL, secret and addresses). */
export function vendorReceiver(overrides: Partial<ReceiverConfig> = {}): ReceiverConfig {
  return {
    id: "vnpt-noc",
    name: "VNPT Đồng Nai – Trung tâm điều hành mạng",
    language: "vi",
    webhook: { url: "https://noc.vnpt.example/hooks/wardwatch", secret: "test-secret", timeoutMs: 10_000 },
    email: { to: ["noc@vnpt.example"] },
    ...overrides,
  };
}

/** The incident behind {@link linkFaultNotification}. */
export function linkIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 123,
    number: "SC-000123",
    kind: "link",
    cause: "link_down",
    severity: "major",
    state: "open",
    provider: "vnpt",
    providerName: "VNPT",
    link: "tslcd",
    linkKind: "dedicated",
    circuit: "DNI-TSL-000123",
    sites: [{ site: "tan-phong", siteName: "Phường Tân Phong", links: ["tslcd"] }],
    summary: "Mất kết nối TSLCD tại Phường Tân Phong",
    timeline: { startTs: START_MS, detectedTs: START_MS + 2 * MINUTE_MS, notifiedTs: START_MS + 3 * MINUTE_MS, acknowledgedTs: null, restoredTs: null, endTs: null },
    vendorTicket: null,
    acknowledgedBy: null,
    evidence: [
      "Tỷ lệ mất gói 100 % trong 17 lượt đo liên tiếp (ICMP tới cổng TSLCD 192.0.2.1)",
      "Độ trễ trước sự cố: 12 ms; DNS và HTTP tới Một cửa điện tử qua TSLCD: thất bại",
      "Đường truyền Internet (Viettel) vẫn chuyển báo cáo của trạm trong suốt thời gian này",
    ],
    deliveries: [],
    ...overrides,
  };
}

/** A first fault report for the TSLCD outage at Phường Tân Phong, composed 1 h 25 min after it began. */
export function linkFaultNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    idempotencyKey: "123:vnpt-noc:report",
    message: "report",
    incident: linkIncident(),
    receiver: vendorReceiver(),
    ackUrl: "https://wardwatch.dongnai.example/ack/SC-000123?token=abc.def",
    siteDetails: [
      {
        site: "tan-phong",
        name: "Phường Tân Phong",
        address: "Số 1 đường Nguyễn Ái Quốc, Phường Tân Phong, Tỉnh Đồng Nai",
        location: { lat: 10.95637, lon: 106.82431 },
        contacts: ["Nguyễn Văn An – 0912 345 678"],
        circuits: [{ link: "tslcd", circuit: "DNI-TSL-000123" }],
      },
    ],
    timeZone: "Asia/Ho_Chi_Minh",
    nowMs: START_MS + 85 * MINUTE_MS,
    ...overrides,
  };
}

/** A provider-wide VNPT outage at three sites (one without configured details). */
export function providerOutageNotification(): Notification {
  const base = linkFaultNotification();
  return {
    ...base,
    idempotencyKey: "124:vnpt-noc:report",
    incident: linkIncident({
      id: 124,
      number: "SC-000124",
      kind: "provider",
      cause: "provider_outage",
      severity: "critical",
      link: null,
      circuit: null,
      sites: [
        { site: "tan-phong", siteName: "Phường Tân Phong", links: ["tslcd"] },
        { site: "bien-hoa", siteName: "Phường Biên Hòa", links: ["tslcd"] },
        { site: "phu-ly", siteName: "Xã Phú Lý", links: ["tslcd", "inet"] },
      ],
      summary: "Sự cố diện rộng của nhà mạng VNPT: 3 xã/phường mất kết nối TSLCD",
      evidence: ["TSLCD mất kết nối tại 3/4 địa điểm dùng VNPT trong vòng 5 phút"],
    }),
    siteDetails: [
      ...base.siteDetails,
      { site: "bien-hoa", name: "Phường Biên Hòa", address: "Số 2 đường 30 Tháng 4, Phường Biên Hòa", location: { lat: 10.94469, lon: 106.82432 }, contacts: ["Trần Thị Bình – 0913 000 111", "Lê Văn Cường – 0913 000 222"], circuits: [{ link: "tslcd", circuit: "DNI-TSL-000456" }] },
    ],
  };
}
