import type { Notification } from "../notification.js";
import { renderDocument, type Field, type RenderedMessage } from "./document.js";
import { formatDateTimeWithZone, formatDuration } from "./formatting.js";
import { siteBlocks } from "./siteBlocks.js";
import { WORDING, incidentHeadline, linkKindName, subjectSuffix } from "./wording.js";

/**
 * The "Đã khôi phục kết nối" notice for a `recovery` notification: which incident (number, provider, link kind,
 * Mã kênh, site(s)), when it started and when it was restored (dd/mm/yyyy HH:mm in `notification.timeZone`), how
 * long it lasted (start → restored; start → closed, or → `nowMs`, while no restore time is recorded), and who
 * acknowledged it with the Số phiếu của nhà mạng when known.
 *
 * Subject: "[wardwatch] Đã khôi phục kết nối SC-000123: Mất kết nối TSLCD tại Phường Tân Phong (VNPT, DNI-TSL-000123)".
 * An incident of the collector itself (its store) is titled "Máy chủ giám sát đã hoạt động trở lại" instead.
 * English when `receiver.language` is "en". Pure.
 */
export function renderRecoveryNotice(notification: Notification): RenderedMessage {
  const { incident, receiver, timeZone, nowMs } = notification;
  const language = receiver.language;
  const words = WORDING[language];
  const { startTs, restoredTs, endTs, notifiedTs, acknowledgedTs } = incident.timeline;
  const restoredAt = restoredTs ?? endTs ?? nowMs;

  const where = siteBlocks(notification, language);
  const fields: Field[] = [
    { label: words.incident, value: `${incident.number} — ${incidentHeadline(incident, language)}` },
    ...(incident.providerName ? [{ label: words.provider, value: incident.providerName }] : []),
    ...(incident.linkKind ? [{ label: words.linkKind, value: linkKindName(incident.linkKind, language) }] : []),
    ...(incident.circuit ? [{ label: words.circuit, value: incident.circuit }] : []),
    ...where.fields,
    { label: words.startedAt, value: formatDateTimeWithZone(startTs, timeZone) },
    { label: words.restoredAt, value: formatDateTimeWithZone(restoredAt, timeZone) },
    { label: words.incidentDuration, value: formatDuration(restoredAt - startTs, language) },
  ];
  if (acknowledgedTs !== null || incident.acknowledgedBy !== null) {
    const at = acknowledgedTs === null ? null : formatDateTimeWithZone(acknowledgedTs, timeZone);
    fields.push({ label: words.acknowledged, value: words.acknowledgedValue(incident.acknowledgedBy, at) });
    if (acknowledgedTs !== null && notifiedTs !== null) {
      fields.push({ label: words.timeToAcknowledge, value: formatDuration(acknowledgedTs - notifiedTs, language) });
    }
  }
  if (incident.vendorTicket) fields.push({ label: words.vendorTicket, value: incident.vendorTicket });

  const title = incident.kind === "collector" ? words.collectorRestored : words.recoveryNotice;
  return renderDocument(`[wardwatch] ${title} ${incident.number}: ${incidentHeadline(incident, language)}${subjectSuffix(incident)}`, {
    language,
    title: `${title} ${incident.number}`,
    blocks: [
      { kind: "paragraph", text: words.greeting(receiver.name) },
      { kind: "paragraph", text: incident.kind === "collector" ? words.collectorRecoveryIntro : words.recoveryIntro },
      { kind: "fields", fields },
      ...where.blocks,
    ],
    footer: words.footer(notification.idempotencyKey),
  });
}
