import type { Notification } from "../notification.js";
import { renderDocument, type Block, type Field, type RenderedMessage } from "./document.js";
import { formatDateTime, formatDateTimeWithZone, formatDuration } from "./formatting.js";
import { siteBlocks } from "./siteBlocks.js";
import { WORDING, incidentHeadline, linkKindName, subjectSuffix } from "./wording.js";

/**
 * The phiếu báo hỏng (fault report) for a `report`, `repeat` or `escalation` notification: everything a vendor's
 * NOC needs to act without calling anyone — incident number, provider, link kind (glossary words), Mã kênh, the
 * site(s) with address, coordinates and ward IT contacts (a provider-wide incident lists every site in a table),
 * when it started (dd/mm/yyyy HH:mm in `notification.timeZone`) and how long it has lasted at `nowMs`, the measured
 * symptoms and proof (`incident.evidence`, verbatim), and the signed acknowledgement link with the instruction to
 * enter the Số phiếu của nhà mạng.
 *
 * Subject: "[wardwatch] Phiếu báo hỏng SC-000123: Mất kết nối TSLCD tại Phường Tân Phong (VNPT, DNI-TSL-000123)";
 * a repeat starts "Nhắc lại: ", an escalation "Chưa được xác nhận sau 45 phút: " (time since the first delivery,
 * or since detection when none is recorded). English when `receiver.language` is "en". Pure.
 */
export function renderFaultReport(notification: Notification): RenderedMessage {
  const { incident, receiver, timeZone, nowMs } = notification;
  const language = receiver.language;
  const words = WORDING[language];
  const waited = formatDuration(nowMs - (incident.timeline.notifiedTs ?? incident.timeline.detectedTs), language);

  const prefix = notification.message === "repeat" ? words.repeatPrefix : notification.message === "escalation" ? words.escalationPrefix(waited) : "";
  const subject = `[wardwatch] ${prefix}${words.faultReport} ${incident.number}: ${incidentHeadline(incident, language)}${subjectSuffix(incident)}`;
  const intro = notification.message === "repeat" ? words.repeatIntro : notification.message === "escalation" ? words.escalationIntro(waited) : words.reportIntro;

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
    title: `${prefix}${words.faultReport} ${incident.number}`,
    blocks,
    footer: words.footer(notification.idempotencyKey),
  });
}
