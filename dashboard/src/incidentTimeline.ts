import type { Incident } from "../../protocol/incident.js";
import type { Formatter } from "./format.js";
import type { Translator } from "./i18n.js";
import { el } from "./dom.js";

/** The steps of an incident's timeline, in order, after its start. */
export const TIMELINE_STEPS = ["detected", "notified", "acknowledged", "restored", "closed"] as const;

/** One step of the timeline. */
export type TimelineStep = (typeof TIMELINE_STEPS)[number];

/** When each step happened (UTC ms), null while it has not. */
export function stepTimes(incident: Incident): Record<TimelineStep, number | null> {
  const { detectedTs, notifiedTs, acknowledgedTs, restoredTs, endTs } = incident.timeline;
  return { detected: detectedTs, notified: notifiedTs, acknowledged: acknowledgedTs, restored: restoredTs, closed: endTs };
}

/**
 * The timeline: the fault's start, then Phát hiện, Đã thông báo, Xác nhận tiếp nhận, Đã khôi phục kết nối, Đóng
 * (`li[data-timeline-step="<step>"][data-done="true|false"]`), each with its time (dd/mm/yyyy HH:mm, UTC+7) and how
 * long after the start it came; then Thời gian tiếp nhận (ack − first notification, as in the recovery notice and the
 * per-vendor figures) and Thời gian khắc phục (restored − start),
 * counted so far (`now`) while the incident is open.
 */
export function incidentTimeline(translator: Translator, format: Formatter, incident: Incident, now: number): HTMLElement {
  const { t } = translator;
  const startTs = incident.timeline.startTs;
  const times = stepTimes(incident);
  const stamp = (ts: number) => el("time", { datetime: new Date(ts).toISOString(), title: format.dateTimeSeconds(ts) }, format.dateTime(ts));
  const start = el(
    "li",
    { class: "step done", "data-timeline-step": "start", "data-done": "true" },
    el("span", { class: "step-mark", "aria-hidden": "true" }),
    el("span", { class: "step-label" }, t("timeline.start")),
    stamp(startTs),
  );
  const steps = TIMELINE_STEPS.map((step) => {
    const ts = times[step];
    const extra = step === "acknowledged" && ts !== null && incident.acknowledgedBy ? t("timeline.by", { by: incident.acknowledgedBy }) : null;
    return el(
      "li",
      { class: `step${ts === null ? " pending" : " done"}`, "data-timeline-step": step, "data-done": String(ts !== null) },
      el("span", { class: "step-mark", "aria-hidden": "true" }),
      el("span", { class: "step-label" }, t(`timeline.${step}`)),
      ts === null ? el("span", { class: "muted" }, t("timeline.pending")) : stamp(ts),
      ts === null ? null : el("span", { class: "step-after" }, t("timeline.after", { duration: format.span(ts - startTs) })),
      extra ? el("span", { class: "step-after" }, extra) : null,
    );
  });
  return el(
    "div",
    { class: "timeline-box" },
    el("ol", { class: "timeline" }, start, ...steps),
    el(
      "dl",
      { class: "facts measures" },
      el("dt", {}, t("incident.timeToAck")),
      el(
        "dd",
        { "data-time-to-ack": times.acknowledged === null || times.notified === null ? "" : Math.max(0, times.acknowledged - times.notified) },
        sinceNotified(translator, format, incident, times.acknowledged, now),
      ),
      el("dt", {}, t("incident.timeToRestore")),
      el("dd", { "data-time-to-restore": times.restored === null ? "" : times.restored - startTs }, sinceStart(translator, format, incident, times.restored, now)),
    ),
  );
}

/**
 * Time to acknowledge, `ack − notified` (0 when acknowledged before the first notification got through); "chưa có
 * (đã …)" while open, notified and waiting; "—" when nobody was notified (as the per-vendor figures leave it out)
 * or it never came.
 */
function sinceNotified(translator: Translator, format: Formatter, incident: Incident, ackTs: number | null, now: number): string {
  const notifiedTs = incident.timeline.notifiedTs;
  if (ackTs !== null) return notifiedTs === null ? "—" : format.span(Math.max(0, ackTs - notifiedTs));
  if (incident.state === "open" && notifiedTs !== null) return translator.t("incident.notYet", { duration: format.span(now - notifiedTs) });
  return "—";
}

/** `ts − start` as "1 giờ 25 phút"; "chưa có (đã …)" while the incident is open and the step is pending; "—" when it never came. */
function sinceStart(translator: Translator, format: Formatter, incident: Incident, ts: number | null, now: number): string {
  if (ts !== null) return format.span(ts - incident.timeline.startTs);
  if (incident.state === "open") return translator.t("incident.notYet", { duration: format.span(now - incident.timeline.startTs) });
  return "—";
}
