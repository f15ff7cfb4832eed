import type { DeliveryAttempt, Incident, IncidentCause, IncidentKind, IncidentSeverity } from "../../protocol/incident.js";
import type { MessageKey, Translator } from "./i18n.js";
import { el } from "./dom.js";

const CAUSE_KEYS: Record<IncidentCause, MessageKey> = {
  link_down: "incident.cause.link_down",
  link_degraded: "incident.cause.link_degraded",
  all_links_down: "incident.cause.all_links_down",
  agent_silent: "incident.cause.agent_silent",
  links_down_while_silent: "incident.cause.links_down_while_silent",
  power_or_agent: "incident.cause.power_or_agent",
  provider_outage: "incident.cause.provider_outage",
  store_unreachable: "incident.cause.store_unreachable",
};

/** The cause in words ("Mất điện tại trạm hoặc phần mềm giám sát ngừng chạy"); a cause this dashboard does not know is shown as its code. */
export function causeLabel(translator: Translator, cause: IncidentCause): string {
  const key = Object.hasOwn(CAUSE_KEYS, cause) ? CAUSE_KEYS[cause] : undefined;
  return key ? translator.t(key) : cause;
}

/** The kind in words: Đường truyền, Trạm, Sự cố diện rộng của nhà mạng, Máy chủ giám sát. */
export function kindLabel(translator: Translator, kind: IncidentKind): string {
  return translator.t(`incident.kind.${kind}`);
}

/** A coloured severity badge with its word (Nghiêm trọng, Cao, Thấp). */
export function severityBadge(translator: Translator, severity: IncidentSeverity): HTMLElement {
  return el("span", { class: `badge severity-${severity}`, "data-severity": severity }, translator.t(`incident.severity.${severity}`));
}

/** A badge with the incident's state word (Đang mở, Đã đóng). */
export function incidentStateBadge(translator: Translator, state: Incident["state"]): HTMLElement {
  return el("span", { class: `badge incident-${state}` }, el("span", { class: "dot", "aria-hidden": "true" }), translator.t(`incident.state.${state}`));
}

/** The message kind of a delivery in words (Phiếu báo hỏng, Đã khôi phục kết nối, Nhắc lại, Chuyển cấp trên). */
export function messageLabel(translator: Translator, message: DeliveryAttempt["message"]): string {
  return translator.t(`deliveries.message.${message}`);
}

/** The channel of a delivery in words (Webhook, Thư điện tử). */
export function channelLabel(translator: Translator, channel: DeliveryAttempt["channel"]): string {
  return translator.t(`deliveries.channel.${channel}`);
}

/** One message to one receiver that has not got through: its attempts failed and none succeeded. */
export interface UndeliveredMessage {
  receiver: string;
  channel: DeliveryAttempt["channel"];
  message: DeliveryAttempt["message"];
  /** The last failed attempt (its detail, time, and whether it will be tried again). */
  last: DeliveryAttempt;
}

/** How an incident's notifications stand: the receivers reached, and every message that has not got through. */
export interface DeliveryStatus {
  delivered: string[];
  undelivered: UndeliveredMessage[];
}

/**
 * Folds an incident's delivery attempts per receiver and message: a message is undelivered when it has
 * a failed attempt and no successful one. Stricter than per receiver, so a failed recovery notice is
 * not hidden by an earlier successful fault report. Failures are never silent.
 */
export function deliveryStatus(deliveries: readonly DeliveryAttempt[]): DeliveryStatus {
  const byMessage = new Map<string, DeliveryAttempt[]>();
  for (const attempt of deliveries) {
    const key = `${attempt.receiver}\u0000${attempt.message}`;
    byMessage.set(key, [...(byMessage.get(key) ?? []), attempt]);
  }
  const delivered = new Set<string>();
  const undelivered: UndeliveredMessage[] = [];
  for (const attempts of byMessage.values()) {
    const first = attempts[0]!;
    if (attempts.some((attempt) => attempt.ok)) {
      delivered.add(first.receiver);
      continue;
    }
    const last = attempts.reduce((latest, attempt) => (attempt.ts >= latest.ts ? attempt : latest));
    undelivered.push({ receiver: first.receiver, channel: last.channel, message: first.message, last });
  }
  return { delivered: [...delivered], undelivered };
}
