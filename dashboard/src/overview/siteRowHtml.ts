import type { LinkStatus, SiteStatus } from "../../../protocol/api.js";
import type { Formatter } from "../format.js";
import type { Translator } from "../i18n.js";
import { linkKindName, linkShortName, stateLabel } from "../badges.js";
import { escapeHtml } from "../html.js";
import { incidentsHref } from "../incidentRoutes.js";
import { siteHref } from "../siteRow.js";

/** What a row needs besides the site: words, formats, the time now (UTC ms) and the site's open incidents. */
export interface RowContext {
  translator: Translator;
  format: Formatter;
  now: number;
  openIncidents: number;
}

/**
 * The overview's row for one site as HTML, so a whole group is one innerHTML (3,321 rows at once; see
 * docs/dashboard.md): `<tr data-site="<id>" data-site-state="<state>" data-open-incidents="<n>">` with the name (a
 * link to the site page) over its area and address, a state badge, one chip per link
 * (`data-link="<id>" data-state="<state>" data-kind="<kind>"`), the open incidents (a link to them) and when the site
 * last reported. Every text from the API is escaped.
 */
export function siteRowHtml(site: SiteStatus, ctx: RowContext): string {
  const { t } = ctx.translator;
  const e = escapeHtml;
  const under = [site.area, site.address].filter((part): part is string => Boolean(part)).map(e).join(" · ");
  const stale = site.state === "silent";
  const chips = site.links.map((link) => linkChipHtml(link, stale, ctx)).join("");
  const incidents =
    ctx.openIncidents > 0
      ? `<a class="incident-count" href="${e(incidentsHref({ state: "open", site: site.id, provider: null, kind: null }))}" title="${e(t("overview.incidentsHint"))}">⚠ ${e(ctx.format.number(ctx.openIncidents, 0))}</a>`
      : `<span class="muted">—</span>`;
  return (
    `<tr data-site="${e(site.id)}" data-site-state="${site.state}" data-open-incidents="${ctx.openIncidents}">` +
    `<th scope="row" class="site-name"><a href="${e(siteHref(site.id))}">${e(site.name)}</a>${under ? `<span class="site-address">${under}</span>` : ""}</th>` +
    `<td class="site-state" data-label="${e(t("overview.col.state"))}"><span class="badge state-${site.state}"><span class="dot" aria-hidden="true"></span>${e(stateLabel(ctx.translator, site.state))}</span></td>` +
    `<td class="site-links" data-label="${e(t("overview.col.links"))}"><ul class="chips" aria-label="${e(t("overview.col.links"))}">${chips}</ul></td>` +
    `<td class="site-incidents" data-label="${e(t("overview.col.incidents"))}">${incidents}</td>` +
    `<td class="site-last-seen" data-label="${e(t("overview.col.lastSeen"))}">${lastSeenHtml(site, ctx)}</td>` +
    `</tr>`
  );
}

function linkChipHtml(link: LinkStatus, stale: boolean, ctx: RowContext): string {
  const { translator, format } = ctx;
  const { t } = translator;
  const e = escapeHtml;
  const details = [
    `${linkKindName(translator, link)} — ${link.providerName || link.provider}`,
    `${t("link.id")}: ${link.id}`,
    link.circuit ? `${t("link.circuit")}: ${link.circuit}` : "",
    link.sinceTs !== null ? `${stateLabel(translator, link.state)} ${t("site.stateSince", { time: format.dateTime(link.sinceTs) })}` : "",
    link.flapping ? t("link.flappingHint") : "",
  ].filter(Boolean);
  const flap = link.flapping ? `<span class="chip-flap" title="${e(t("link.flappingHint"))}">↯ ${e(t("link.flapping"))}</span>` : "";
  // A link with no measurement at all (state unknown) shows no "— —".
  const metrics =
    link.rttAvgMs == null && link.lossPct == null
      ? ""
      : `<span class="chip-metrics"><span data-metric="rtt" title="${e(t("link.rtt"))}">${e(format.rtt(link.rttAvgMs))}</span><span data-metric="loss" title="${e(t("link.loss"))}">${e(format.loss(link.lossPct))}</span></span>`;
  return (
    `<li class="chip state-${link.state}${stale ? " stale" : ""}" data-link="${e(link.id)}" data-state="${link.state}" data-kind="${link.kind}"${link.flapping ? ' data-flapping="true"' : ""} title="${e(details.join("\n"))}">` +
    `<span class="chip-name">${e(linkShortName(translator, link))}</span><span class="chip-state">${e(stateLabel(translator, link.state))}</span>${flap}${metrics}</li>`
  );
}

function lastSeenHtml(site: SiteStatus, ctx: RowContext): string {
  const { translator, format } = ctx;
  const e = escapeHtml;
  const seen =
    site.lastSeenTs === null
      ? `<span class="muted" data-last-seen="">${e(translator.t("site.never"))}</span>`
      : `<time data-last-seen="" datetime="${new Date(site.lastSeenTs).toISOString()}" title="${e(format.dateTimeSeconds(site.lastSeenTs))}" data-ts="${site.lastSeenTs}">${e(format.ago(site.lastSeenTs, ctx.now))}</time>`;
  if (!site.clockSkewed) return seen;
  const title = translator.t("skew.title", { offset: site.clockOffsetMs === null ? "?" : format.duration(site.clockOffsetMs) });
  return `${seen} <span class="skew" role="img" aria-label="${e(title)}" title="${e(title)}" data-clock-skew="">⚠</span>`;
}
