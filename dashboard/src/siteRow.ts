import type { Formatter } from "./format.js";
import type { Translator } from "./i18n.js";
import { el } from "./dom.js";

/** The hash route of a site's page. */
export function siteHref(siteId: string): string {
  return `#/sites/${encodeURIComponent(siteId)}`;
}

/** A <time> showing how long ago `ts` was; `data-ts` lets a ticker refresh the words. */
export function relativeTime(format: Formatter, ts: number, now: number, attributes: Record<string, string> = {}): HTMLTimeElement {
  return el(
    "time",
    { ...attributes, datetime: new Date(ts).toISOString(), title: format.dateTimeSeconds(ts), "data-ts": ts },
    format.ago(ts, now),
  );
}

/** Rewrites every relative time under `root` for the time `now`. */
export function refreshRelativeTimes(root: ParentNode, format: Formatter, now: number): void {
  for (const time of root.querySelectorAll<HTMLElement>("time[data-ts]")) {
    const text = format.ago(Number(time.dataset.ts), now);
    if (time.textContent !== text) time.textContent = text;
  }
}

/** The warning icon shown when the site's agent clock differs from the collector's beyond tolerance. */
export function clockSkewIcon(translator: Translator, format: Formatter, offsetMs: number | null): HTMLElement {
  const title = translator.t("skew.title", { offset: offsetMs === null ? "?" : format.duration(offsetMs) });
  return el("span", { class: "skew", role: "img", "aria-label": title, title, "data-clock-skew": "" }, "⚠");
}
