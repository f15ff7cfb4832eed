import type { Incident } from "../../../protocol/incident.js";
import type { ReceiverConfig } from "../notification.js";

/** The language a message is written in: the receiver's choice. */
export type MessageLanguage = ReceiverConfig["language"];

/** The fixed words of the messages, in one language. Vietnamese terms are GLOSSARY.md's, word for word. */
export interface Wording {
  faultReport: string;
  recoveryNotice: string;
  repeatPrefix: string;
  /** Subject prefix of an update (the incident's sites, links or cause changed since the last message). */
  updatePrefix: string;
  /** Subject prefix of an escalation, given how long the report has waited ("45 phút"). */
  escalationPrefix(waited: string): string;
  greeting(receiverName: string): string;
  reportIntro: string;
  repeatIntro: string;
  escalationIntro(waited: string): string;
  updateIntro: string;
  recoveryIntro: string;
  /** Title of a report about the collector itself (its store), for the province team: not a vendor's fault report. */
  collectorIncident: string;
  collectorReportIntro: string;
  /** Title of the recovery notice of such an incident. */
  collectorRestored: string;
  collectorRecoveryIntro: string;
  incident: string;
  provider: string;
  linkKind: string;
  circuit: string;
  site: string;
  sites: string;
  address: string;
  coordinates: string;
  contacts: string;
  links: string;
  startedAt: string;
  lastingSoFar(duration: string, nowText: string): string;
  lasting: string;
  restoredAt: string;
  incidentDuration: string;
  acknowledged: string;
  acknowledgedValue(by: string | null, at: string | null): string;
  timeToAcknowledge: string;
  vendorTicket: string;
  symptoms: string;
  noSymptoms: string;
  acknowledge: string;
  acknowledgeInstruction: string;
  footer(reference: string): string;
  rowNumber: string;
  notGiven: string;
}

/** The Vietnamese words (the default) and their English counterparts from the glossary. */
export const WORDING: Readonly<Record<MessageLanguage, Wording>> = Object.freeze({
  vi: {
    faultReport: "Phiếu báo hỏng",
    recoveryNotice: "Đã khôi phục kết nối",
    repeatPrefix: "Nhắc lại: ",
    updatePrefix: "Cập nhật: ",
    escalationPrefix: (waited) => `Chưa được xác nhận sau ${waited}: `,
    greeting: (name) => `Kính gửi: ${name}`,
    reportIntro: "Hệ thống giám sát wardwatch ghi nhận sự cố dưới đây. Đề nghị nhà mạng kiểm tra, khắc phục và xác nhận tiếp nhận.",
    repeatIntro: "Nhắc lại: sự cố dưới đây vẫn chưa được khắc phục và chưa được xác nhận tiếp nhận.",
    escalationIntro: (waited) => `Sự cố dưới đây chưa được xác nhận tiếp nhận sau ${waited} kể từ khi gửi phiếu báo hỏng. Đề nghị đôn đốc xử lý.`,
    updateIntro: "Cập nhật: phạm vi của sự cố dưới đây đã thay đổi kể từ phiếu trước. Danh sách dưới đây là đầy đủ tại thời điểm gửi.",
    recoveryIntro: "Hệ thống giám sát wardwatch ghi nhận kết nối đã trở lại Bình thường.",
    collectorIncident: "Sự cố máy chủ giám sát",
    collectorRestored: "Máy chủ giám sát đã hoạt động trở lại",
    collectorReportIntro: "Máy chủ giám sát wardwatch gặp sự cố của chính nó (không phải của nhà mạng). Đề nghị quản trị tỉnh kiểm tra máy chủ.",
    collectorRecoveryIntro: "Máy chủ giám sát wardwatch đã ghi được dữ liệu trở lại; các trạm đang gửi bù số liệu đã đo.",
    incident: "Sự cố",
    provider: "Nhà mạng",
    linkKind: "Loại đường truyền",
    circuit: "Mã kênh",
    site: "Địa điểm",
    sites: "Các địa điểm bị ảnh hưởng",
    address: "Địa chỉ",
    coordinates: "Tọa độ",
    contacts: "Cán bộ phụ trách CNTT xã/phường",
    links: "Đường truyền",
    startedAt: "Bắt đầu lúc",
    lastingSoFar: (duration, nowText) => `${duration} (tính đến ${nowText})`,
    lasting: "Thời gian đã kéo dài",
    restoredAt: "Khôi phục lúc",
    incidentDuration: "Thời gian sự cố",
    acknowledged: "Xác nhận tiếp nhận",
    acknowledgedValue: (by, at) => [by, at && `lúc ${at}`].filter(Boolean).join(", ") || "Đã xác nhận",
    timeToAcknowledge: "Thời gian tiếp nhận",
    vendorTicket: "Số phiếu của nhà mạng",
    symptoms: "Hiện tượng và số liệu đo",
    noSymptoms: "Không có số liệu đo chi tiết.",
    acknowledge: "Xác nhận tiếp nhận",
    acknowledgeInstruction: "Mở liên kết sau (không cần đăng nhập), bấm Xác nhận tiếp nhận và nhập Số phiếu của nhà mạng:",
    footer: (reference) => `Thư được gửi tự động từ hệ thống giám sát wardwatch. Mã thông báo: ${reference}`,
    rowNumber: "STT",
    notGiven: "—",
  },
  en: {
    faultReport: "Fault report",
    recoveryNotice: "Restored",
    repeatPrefix: "Reminder: ",
    updatePrefix: "Update: ",
    escalationPrefix: (waited) => `Not acknowledged after ${waited}: `,
    greeting: (name) => `To: ${name}`,
    reportIntro: "The wardwatch monitoring system has recorded the incident below. Please investigate, repair it and acknowledge.",
    repeatIntro: "Reminder: the incident below is still not repaired and has not been acknowledged.",
    escalationIntro: (waited) => `The incident below has not been acknowledged ${waited} after the fault report was sent. Please follow up.`,
    updateIntro: "Update: the scope of the incident below has changed since the previous message. The list below is complete as of now.",
    recoveryIntro: "The wardwatch monitoring system has recorded that the connection is Up again.",
    collectorIncident: "Monitoring server incident",
    collectorRestored: "Monitoring server working again",
    collectorReportIntro: "The wardwatch monitoring server has a problem of its own (not a telecom vendor's). Please check the server.",
    collectorRecoveryIntro: "The wardwatch monitoring server is storing data again; the sites are sending what they measured meanwhile.",
    incident: "Incident",
    provider: "Telecom vendor",
    linkKind: "Link type",
    circuit: "Circuit ID",
    site: "Site",
    sites: "Affected sites",
    address: "Address",
    coordinates: "Coordinates",
    contacts: "Ward IT contact",
    links: "Links",
    startedAt: "Started at",
    lastingSoFar: (duration, nowText) => `${duration} (as of ${nowText})`,
    lasting: "Duration so far",
    restoredAt: "Restored at",
    incidentDuration: "Incident duration",
    acknowledged: "Acknowledged",
    acknowledgedValue: (by, at) => [by, at && `at ${at}`].filter(Boolean).join(", ") || "Acknowledged",
    timeToAcknowledge: "Time to acknowledge",
    vendorTicket: "Vendor ticket number",
    symptoms: "Symptoms and measurements",
    noSymptoms: "No detailed measurements.",
    acknowledge: "Acknowledge",
    acknowledgeInstruction: "Open this link (no login needed), press Acknowledge and enter your Vendor ticket number:",
    footer: (reference) => `Sent automatically by the wardwatch monitoring system. Notification reference: ${reference}`,
    rowNumber: "No.",
    notGiven: "—",
  },
});

/** The glossary's name of a link kind: "Đường truyền số liệu chuyên dùng (TSLCD)" / "Đường truyền Internet". */
export function linkKindName(kind: NonNullable<Incident["linkKind"]>, language: MessageLanguage): string {
  if (language === "vi") return kind === "dedicated" ? "Đường truyền số liệu chuyên dùng (TSLCD)" : "Đường truyền Internet";
  return kind === "dedicated" ? "Dedicated government network (TSLCD)" : "Internet link";
}

/**
 * The incident in one line: in Vietnamese the incident's own summary ("Mất kết nối TSLCD tại Phường Tân Phong"),
 * in English one composed from its cause, link kind and sites (site names stay as written).
 */
export function incidentHeadline(incident: Incident, language: MessageLanguage): string {
  if (language === "vi") return incident.summary;
  const first = incident.sites[0]?.siteName ?? "";
  const where = incident.sites.length > 1 ? `${first} and ${incident.sites.length - 1} more` : first;
  const link = incident.linkKind === "dedicated" ? "TSLCD link" : incident.linkKind === "internet" ? "Internet link" : "Link";
  switch (incident.cause) {
    case "link_down":
      return `${link} down at ${where}`;
    case "link_degraded":
      return `${link} degraded at ${where}`;
    case "all_links_down":
    case "links_down_while_silent":
      return `All links down at ${where}`;
    case "agent_silent":
      return `Silent (no reports) from ${where}`;
    case "power_or_agent":
      return `Power outage at the site (or monitoring agent stopped) at ${where}`;
    case "provider_outage":
      return `Provider-wide outage${incident.providerName ? ` of ${incident.providerName}` : ""} at ${incident.sites.length} sites`;
    case "store_unreachable":
      return "The collector cannot reach its store";
  }
}

/** " (VNPT, DNI-TSL-000123)": provider and circuit ID for the subject line, or "" when neither is known. */
export function subjectSuffix(incident: Incident): string {
  const parts = [incident.providerName, incident.circuit].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}
