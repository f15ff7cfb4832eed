import type { Incident } from "../../protocol/incident.js";
import type { Formatter } from "./format.js";
import type { Translator } from "./i18n.js";
import { el } from "./dom.js";
import { causeLabel, deliveryStatus, kindLabel, severityBadge } from "./incidentLabels.js";
import { incidentHref } from "./incidentRoutes.js";
import { siteHref } from "./siteRow.js";

/** Sites listed in a row before "và N nơi khác". */
const SITES_SHOWN = 3;

/**
 * The incidents table's row for one incident: `<tr data-incident="<id>" data-state="open|closed" data-kind="<kind>">`
 * with its number (a link to its page), summary and cause, kind, severity, sites, provider, start, duration,
 * acknowledgement and notification status (`[data-delivery-failed]` when a message could not be delivered).
 */
export function incidentRow(translator: Translator, format: Formatter, incident: Incident, now: number): HTMLTableRowElement {
  const { t } = translator;
  const cell = (labelKey: Parameters<Translator["t"]>[0], className: string, ...children: Array<Node | string | null>) =>
    el("td", { class: className, "data-label": t(labelKey) }, ...children);
  const shownSites = incident.sites.slice(0, SITES_SHOWN);
  const moreSites = incident.sites.length - shownSites.length;
  return el(
    "tr",
    { "data-incident": incident.id, "data-state": incident.state, "data-kind": incident.kind, "data-severity": incident.severity },
    el("th", { scope: "row", class: "incident-number" }, el("a", { href: incidentHref(incident.id) }, incident.number)),
    cell(
      "incidents.col.summary",
      "incident-summary",
      el("span", { class: "summary-text" }, incident.summary),
      // The cause stays in the DOM for tests and screen readers even when the summary already says it.
      el("span", { class: "cause", "data-cause": incident.cause, hidden: causeLabel(translator, incident.cause) === incident.summary }, causeLabel(translator, incident.cause)),
    ),
    cell("incidents.col.kind", "incident-kind", kindLabel(translator, incident.kind)),
    cell("incidents.col.severity", "incident-severity", severityBadge(translator, incident.severity)),
    cell(
      "incidents.col.sites",
      "incident-sites",
      incident.sites.length === 0 ? "—" : el(
        "ul",
        { class: "plain-list" },
        ...shownSites.map((site) => el("li", {}, el("a", { href: siteHref(site.site) }, site.siteName))),
        moreSites > 0 ? el("li", { class: "muted" }, t("incidents.moreSites", { n: format.number(moreSites, 0) })) : null,
      ),
    ),
    cell("incidents.col.provider", "incident-provider", incident.providerName ?? incident.provider ?? "—"),
    cell("incidents.col.start", "incident-start", el("time", { datetime: new Date(incident.timeline.startTs).toISOString() }, format.dateTime(incident.timeline.startTs))),
    cell("incidents.col.duration", "incident-duration", incidentDuration(translator, format, incident, now)),
    cell("incidents.col.ack", "incident-ack", acknowledgement(translator, format, incident)),
    cell("incidents.col.delivery", "incident-delivery", deliveryMark(translator, incident)),
  );
}

/** When an incident's fault ended (restored, else closed), or null while it is still going on. UTC ms. */
export function incidentEndTs(incident: Incident): number | null {
  return incident.timeline.restoredTs ?? incident.timeline.endTs;
}

/**
 * The incident's duration: "1 giờ 5 phút" with "đang diễn ra" under it while it goes on (the number carries
 * `data-ongoing-since` so refreshDurations can update it), the total once restored or closed.
 */
export function incidentDuration(translator: Translator, format: Formatter, incident: Incident, now: number): HTMLElement {
  const endTs = incidentEndTs(incident);
  if (endTs !== null) return el("span", { "data-duration": "total" }, format.span(endTs - incident.timeline.startTs));
  const since = incident.timeline.startTs;
  return el(
    "span",
    { class: "ongoing", "data-duration": "ongoing" },
    el("span", { class: "nowrap", "data-ongoing-since": since }, format.span(now - since)),
    el("span", { class: "sub" }, translator.t("incident.ongoing")),
  );
}

/** Rewrites every ongoing duration under `root` for the time `now`. */
export function refreshDurations(root: ParentNode, format: Formatter, now: number): void {
  for (const span of root.querySelectorAll<HTMLElement>("[data-ongoing-since]")) {
    const text = format.span(now - Number(span.dataset.ongoingSince));
    if (span.textContent !== text) span.textContent = text;
  }
}

function acknowledgement(translator: Translator, format: Formatter, incident: Incident): HTMLElement {
  const { t } = translator;
  const ackTs = incident.timeline.acknowledgedTs;
  if (ackTs === null) {
    // Only an open incident waiting for someone deserves the warning colour.
    return el("span", { class: incident.state === "open" ? "ack-missing" : "muted", "data-acknowledged": "false" }, t("incident.notAcknowledged"));
  }
  return el(
    "span",
    { "data-acknowledged": "true" },
    el("span", { class: "nowrap" }, `✓ ${format.dateTime(ackTs)}`),
    incident.acknowledgedBy ? el("span", { class: "sub" }, incident.acknowledgedBy) : null,
    incident.vendorTicket
      ? el("span", { class: "sub", "data-vendor-ticket": incident.vendorTicket }, `${t("incident.vendorTicket")}: `, el("span", { class: "ticket" }, incident.vendorTicket))
      : null,
  );
}

/**
 * The notification status: a red mark naming the receivers a message could not be delivered to
 * (`data-delivery-failed`), else how many receivers were reached, else "Chưa gửi".
 */
export function deliveryMark(translator: Translator, incident: Incident): HTMLElement {
  const { t } = translator;
  const status = deliveryStatus(incident.deliveries);
  if (status.undelivered.length > 0) {
    const receivers = [...new Set(status.undelivered.map((item) => item.receiver))].join(", ");
    const retrying = status.undelivered.every((item) => item.last.retryable);
    const details = status.undelivered.map((item) => `${item.receiver}: ${item.last.detail}`).join("\n");
    return el(
      "span",
      { class: "delivery-failed", "data-delivery-failed": status.undelivered.length, title: details },
      el("span", { "aria-hidden": "true" }, "✗ "),
      t(retrying ? "delivery.retrying" : "delivery.failed", { receivers }),
    );
  }
  if (status.delivered.length > 0) return el("span", { class: "delivery-ok", "data-delivery-ok": status.delivered.length }, `✓ ${t("delivery.sent", { n: status.delivered.length })}`);
  return el("span", { class: "muted", "data-delivery-none": "" }, t("delivery.notSent"));
}
