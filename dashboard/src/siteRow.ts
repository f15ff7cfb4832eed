import type { LinkStatus, SiteStatus } from "../../protocol/api.js";
import type { Formatter } from "./format.js";
import type { Translator } from "./i18n.js";
import { linkKindName, linkShortName, stateBadge, stateLabel } from "./badges.js";
import { el } from "./dom.js";

/**
 * The overview's row for one site: `<tr data-site="<id>" data-site-state="<state>">` holding the
 * name (a link to the site page), a state badge, one chip per link
 * (`data-link="<id>" data-state="<state>" data-kind="<kind>"`) and when the site last reported.
 */
export function siteRow(translator: Translator, format: Formatter, site: SiteStatus, now: number): HTMLTableRowElement {
  const { t } = translator;
  const nameCell = el(
    "th",
    { scope: "row", class: "site-name" },
    el("a", { href: siteHref(site.id) }, site.name),
    site.address ? el("span", { class: "site-address" }, site.address) : null,
  );
  const chips = el("ul", { class: "chips", "aria-label": t("overview.col.links") }, ...site.links.map((link) => linkChip(translator, format, link, site.state === "silent")));
  return el(
    "tr",
    { "data-site": site.id, "data-site-state": site.state },
    nameCell,
    el("td", { class: "site-state", "data-label": t("overview.col.state") }, stateBadge(translator, site.state)),
    el("td", { class: "site-links", "data-label": t("overview.col.links") }, chips),
    el("td", { class: "site-last-seen", "data-label": t("overview.col.lastSeen") }, lastSeen(translator, format, site, now)),
  );
}

/** The hash route of a site's page. */
export function siteHref(siteId: string): string {
  return `#/sites/${encodeURIComponent(siteId)}`;
}

/** One link as a coloured chip: its short name, state word, current rtt and loss. */
function linkChip(translator: Translator, format: Formatter, link: LinkStatus, stale: boolean): HTMLLIElement {
  const { t } = translator;
  const name = linkShortName(translator, link);
  const details = [
    `${linkKindName(translator, link)} — ${link.providerName || link.provider}`,
    `${t("link.id")}: ${link.id}`,
    link.circuit ? `${t("link.circuit")}: ${link.circuit}` : "",
    link.sinceTs !== null ? `${stateLabel(translator, link.state)} ${t("site.stateSince", { time: format.dateTime(link.sinceTs) })}` : "",
    link.flapping ? t("link.flappingHint") : "",
  ].filter(Boolean);
  return el(
    "li",
    {
      class: `chip state-${link.state}${stale ? " stale" : ""}`,
      "data-link": link.id,
      "data-state": link.state,
      "data-kind": link.kind,
      "data-flapping": link.flapping ? "true" : null,
      title: details.join("\n"),
    },
    el("span", { class: "chip-name" }, name),
    el("span", { class: "chip-state" }, stateLabel(translator, link.state)),
    link.flapping ? el("span", { class: "chip-flap", title: t("link.flappingHint") }, `↯ ${t("link.flapping")}`) : null,
    // A link with no measurement at all (state unknown) shows no "— —".
    link.rttAvgMs == null && link.lossPct == null
      ? null
      : el(
          "span",
          { class: "chip-metrics" },
          el("span", { "data-metric": "rtt", title: t("link.rtt") }, format.rtt(link.rttAvgMs)),
          el("span", { "data-metric": "loss", title: t("link.loss") }, format.loss(link.lossPct)),
        ),
  );
}

/** "12 giây trước" with the absolute time in the title, plus the clock-skew warning when the site's clock is off. */
export function lastSeen(translator: Translator, format: Formatter, site: SiteStatus, now: number): DocumentFragment {
  const fragment = document.createDocumentFragment();
  if (site.lastSeenTs === null) {
    fragment.append(el("span", { class: "muted", "data-last-seen": "" }, translator.t("site.never")));
  } else {
    fragment.append(relativeTime(format, site.lastSeenTs, now, { "data-last-seen": "" }));
  }
  if (site.clockSkewed) fragment.append(" ", clockSkewIcon(translator, format, site.clockOffsetMs));
  return fragment;
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
