import type { Notification } from "../notification.js";
import { renderDocument, type Block, type Field, type RenderedMessage } from "./document.js";
import { formatDateTime, formatDateTimeWithZone, formatDuration } from "./formatting.js";
import { siteBlocks } from "./siteBlocks.js";
import { WORDING, incidentHeadline, linkKindName, subjectSuffix } from "./wording.js";

/**
 * The phiếu báo hỏng (fault report) for a `report`, `repeat`, `escalation` or `update` notification: everything a vendor's
 * NOC needs to act without calling anyone — incident number, provider, link kind (glossary words), Mã kênh, the
 * site(s) with address, coordinates and ward IT contacts (a provider-wide incident lists every site in a table),
 * when it started (dd/mm/yyyy HH:mm in `notification.timeZone`) and how long it has lasted at `nowMs`, the measured
 * symptoms and proof (`incident.evidence`, verbatim), and the signed acknowledgement link with the instruction to
 * enter the Số phiếu của nhà mạng.
 *
 * Subject: "[wardwatch] Phiếu báo hỏng SC-000123: Mất kết nối TSLCD tại Phường Tân Phong (VNPT, DNI-TSL-000123)";
 * a repeat starts "Nhắc lại: ", an escalation "Chưa được xác nhận sau 45 phút: " (time since the first delivery,
 * or since detection when none is recorded), an update "Cập nhật: " (the incident's sites or cause changed; the
 * message lists all of them as they are now). An incident of the collector itself (its store) is titled "Sự cố máy
 * chủ giám sát" and addressed to the province team, not to a vendor. English when `receiver.language` is "en". Pure.
 */
export function renderFaultReport(notification: Notification): RenderedMessage {
  const { incident, receiver, timeZone, nowMs } = notification;
  const language = receiver.language;
  const words = WORDING[language];
  const waited = formatDuration(nowMs - (incident.timeline.notifiedTs ?? incident.timeline.detectedTs), language);

  const prefix = { report: "", repeat: words.repeatPrefix, escalation: words.escalationPrefix(waited), update: words.updatePrefix, recovery: "" }[notification.message];
  const ownIncident = incident.kind === "collector";
  const title = ownIncident ? words.collectorIncident : words.faultReport;
  const subject = `[wardwatch] ${prefix}${title} ${incident.number}: ${incidentHeadline(incident, language)}${subjectSuffix(incident)}`;
  const intro = { report: ownIncident ? words.collectorReportIntro : words.reportIntro, repeat: words.repeatIntro, escalation: words.escalationIntro(waited), update: words.updateIntro, recovery: words.reportIntro }[notification.message];

  const where = siteBlocks(notification, language);
  const fields: Field[] = [
    { label: words.incident, value: `${incident.number} — ${incidentHeadline(incident, language)}` },
    ...(incident.providerName ? [{ label: words.provider, value: incident.providerName }] : []),
    ...(incident.linkKind ? [{ label: words.linkKind, value: linkKindName(incident.linkKind, language) }] : []),
    ...(incident.circuit ? [{ label: words.circuit, value: incident.circuit }] : []),
    ...where.fields,
    { label: words.startedAt, value: formatDateTimeWithZone(incident.timeline.startTs, timeZone) },
    { label: words.lasting, value: words.lastingSoFar(formatDuration(nowMs - incident.timeline.startTs, language), formatDateTime(nowMs, timeZone)) },
    ...(incident.vendorTicket ? [{ label: words.vendorTicket, value: incident.vendorTicket }] : []),
  ];

  const blocks: Block[] = [
    { kind: "paragraph", text: words.greeting(receiver.name) },
    { kind: "paragraph", text: intro },
    { kind: "fields", fields },
    ...where.blocks,
    { kind: "list", heading: words.symptoms, items: incident.evidence.length > 0 ? incident.evidence : [words.noSymptoms] },
  ];
  if (notification.ackUrl !== null) {
    blocks.push({ kind: "action", heading: words.acknowledge, instruction: words.acknowledgeInstruction, label: words.acknowledge, url: notification.ackUrl });
  }

  return renderDocument(subject, {
    language,
    title: `${prefix}${title} ${incident.number}`,
    blocks,
    footer: words.footer(notification.idempotencyKey),
  });
}
