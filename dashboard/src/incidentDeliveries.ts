import type { Incident } from "../../protocol/incident.js";
import type { Formatter } from "./format.js";
import type { Translator } from "./i18n.js";
import { el } from "./dom.js";
import { channelLabel, deliveryStatus, messageLabel } from "./incidentLabels.js";

/**
 * The notifications of an incident: first one red notice per message that could not be delivered
 * (`p[data-delivery-failed]`), then every attempt in time order (`tr[data-delivery-row][data-ok="true|false"]`:
 * receiver, channel, message, attempt, time, result, detail).
 */
export function incidentDeliveries(translator: Translator, format: Formatter, incident: Incident): HTMLElement {
  const { t } = translator;
  const heading = el("h2", {}, t("deliveries.heading"));
  if (incident.deliveries.length === 0) return el("section", { class: "card deliveries" }, heading, el("p", { class: "muted", "data-deliveries-none": "" }, t("deliveries.none")));
  const notices = deliveryStatus(incident.deliveries).undelivered.map((item) =>
    el(
      "p",
      { class: "notice error", "data-delivery-failed": item.receiver, role: "alert" },
      t(item.last.retryable ? "delivery.retryingNotice" : "delivery.failedNotice", {
        message: messageLabel(translator, item.message),
        receiver: item.receiver,
        channel: channelLabel(translator, item.channel),
        detail: item.last.detail || "—",
      }),
    ),
  );
  const columns = ["receiver", "channel", "message", "attempt", "time", "result", "detail"] as const;
  const rows = [...incident.deliveries]
    .sort((a, b) => a.ts - b.ts)
    .map((attempt) =>
      el(
        "tr",
        { "data-delivery-row": "", "data-ok": String(attempt.ok), "data-receiver": attempt.receiver, "data-message": attempt.message, class: attempt.ok ? "" : "failed" },
        el("th", { scope: "row" }, attempt.receiver),
        el("td", { "data-label": t("deliveries.col.channel") }, channelLabel(translator, attempt.channel)),
        el("td", { "data-label": t("deliveries.col.message") }, messageLabel(translator, attempt.message)),
        el("td", { "data-label": t("deliveries.col.attempt"), class: "num" }, format.number(attempt.attempt, 0)),
        el("td", { "data-label": t("deliveries.col.time") }, el("time", { datetime: new Date(attempt.ts).toISOString(), title: format.dateTimeSeconds(attempt.ts) }, format.dateTime(attempt.ts))),
        el(
          "td",
          { "data-label": t("deliveries.col.result") },
          attempt.ok
            ? el("span", { class: "delivery-ok" }, `✓ ${t("deliveries.ok")}`)
            : el("span", { class: "delivery-failed" }, `✗ ${t("deliveries.failed")}`, attempt.retryable ? el("span", { class: "sub" }, t("deliveries.willRetry")) : null),
        ),
        el("td", { "data-label": t("deliveries.col.detail"), class: "detail" }, attempt.detail),
      ),
    );
  return el(
    "section",
    { class: "card deliveries" },
    heading,
    ...notices,
    el(
      "div",
      { class: "table-wrap" },
      el(
        "table",
        { class: "sites deliveries-table" },
        el("caption", { class: "visually-hidden" }, t("deliveries.heading")),
        el("thead", {}, el("tr", {}, ...columns.map((column) => el("th", { scope: "col" }, t(`deliveries.col.${column}`))))),
        el("tbody", {}, ...rows),
      ),
    ),
  );
}
