import type { SiteStatus } from "../../protocol/api.js";
import type { Page, PageContext } from "./page.js";
import type { RangeName, SeriesWindow } from "./ranges.js";
import { ApiError } from "./api.js";
import { stateBadge } from "./badges.js";
import { el, present } from "./dom.js";
import { LinkCard } from "./linkCard.js";
import { LINK_CARD_KIND, cardMetricList, chartsFromSeries } from "./linkSeries.js";
import { RANGES, seriesWindow } from "./ranges.js";
import { clockSkewIcon, refreshRelativeTimes, relativeTime } from "./siteRow.js";
import { SiteIncidentsSection } from "./site/siteIncidents.js";
import { SitePathsSection } from "./site/sitePaths.js";
import "./site/site.css";

/** Charts are refetched at most this often when live updates for the site keep arriving, ms. */
export const CHART_REFRESH_MIN_INTERVAL_MS = 5000;

/** The hash route of a site page with a chosen range. */
export function sitePageHref(siteId: string, range: RangeName): string {
  return `#/sites/${encodeURIComponent(siteId)}?range=${range}`;
}

/**
 * The site page (route `#/sites/<id>?range=1h|6h|24h|7d|30d|1y`): the site's header (name, address,
 * state, last report), and per link a card with its facts and latency/loss charts over the chosen
 * range, both charts from one series request per link.
 * Below them, the site's applications through each link and its LAN devices over the range (site/sitePaths.ts; not
 * for a vendor, whom the collector refuses them), and its incidents (site/siteIncidents.ts). The header and cards follow live `site` messages at once; the charts and the
 * applications are refetched at most every CHART_REFRESH_MIN_INTERVAL_MS.
 */
export class SitePage implements Page {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly rangeBar: HTMLElement;
  private readonly cardsBox: HTMLElement;
  private readonly message: HTMLElement;
  private readonly cards = new Map<string, LinkCard>();
  private readonly pageAbort = new AbortController();
  private chartAbort: AbortController | null = null;
  private readonly unsubscribe: () => void;
  private readonly ticker: ReturnType<typeof setInterval>;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private lastRefreshAt = -Infinity;
  private site: SiteStatus | null = null;
  private applyingFetched = false;
  /** Null for a role the collector refuses a site's applications (a vendor). */
  private readonly paths: SitePathsSection | null;
  private readonly incidentsSection: SiteIncidentsSection;

  constructor(
    private readonly ctx: PageContext,
    private readonly siteId: string,
    private range: RangeName,
  ) {
    const { t } = ctx.translator;
    this.header = el("header", { class: "site-head" });
    this.rangeBar = el("div", { class: "range-bar", role: "group", "aria-label": t("site.range") });
    this.cardsBox = el("div", { class: "link-cards" });
    this.message = el("p", { class: "table-message", role: "status" }, t("overview.loading"));
    this.paths = ctx.access.sitePaths ? new SitePathsSection(ctx, siteId) : null;
    this.incidentsSection = new SiteIncidentsSection(ctx, siteId);
    this.element = el(
      "section",
      { class: "page site-page", "data-page": "site", "data-site-id": siteId },
      el("p", { class: "back" }, el("a", { href: "#/" }, t("site.back"))),
      this.header,
      this.message,
      el("div", { class: "links-head" }, el("h2", { class: "visually-hidden" }, t("site.links")), this.rangeBar),
      this.cardsBox,
      this.paths?.element ?? null,
      this.incidentsSection.element,
    );
    this.renderRangeBar();

    this.unsubscribe = ctx.directory.subscribe((change) => {
      const site = change.kind === "all" ? ctx.directory.get(siteId) : change.site.id === siteId ? change.site : undefined;
      if (site) this.onSite(site, !this.applyingFetched);
    });
    this.ticker = setInterval(() => refreshRelativeTimes(this.element, ctx.format, ctx.now()), 1000);

    const known = ctx.directory.get(siteId);
    if (known) this.onSite(known, false);
    void this.load();
  }

  destroy(): void {
    this.pageAbort.abort();
    this.chartAbort?.abort();
    this.unsubscribe();
    clearInterval(this.ticker);
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    for (const card of this.cards.values()) card.destroy();
    this.paths?.destroy();
    this.incidentsSection.destroy();
  }

  private async load(): Promise<void> {
    const requestedAt = this.ctx.directory.mark();
    try {
      const site = await this.ctx.api.getSite(this.siteId, this.pageAbort.signal);
      // Through the directory, so a newer live update is not overwritten; its listener calls
      // onSite back synchronously, which must not count as a live change (no second chart fetch).
      this.applyingFetched = true;
      try {
        this.ctx.directory.applySite(site, requestedAt);
      } finally {
        this.applyingFetched = false;
      }
    } catch (err) {
      if (this.pageAbort.signal.aborted || this.site) return;
      const { t } = this.ctx.translator;
      this.message.setAttribute("data-error", "");
      this.message.classList.add("error");
      this.message.textContent =
        err instanceof ApiError && err.status === 404
          ? t("site.notFound", { id: this.siteId })
          : err instanceof ApiError && err.code === "network"
            ? t("error.network")
            : t("error.generic", { message: err instanceof Error ? err.message : String(err) });
    }
  }

  /** A new status for this site: redraw header and cards now, charts now or throttled. */
  private onSite(site: SiteStatus, live: boolean): void {
    const first = this.site === null;
    this.site = site;
    this.message.hidden = true;
    this.message.removeAttribute("data-error");
    document.title = `${site.name} — ${this.ctx.translator.t("app.brand")}`;
    this.renderHeader(site);
    const linksChanged = this.syncCards(site);
    if (first || linksChanged) this.refreshCharts();
    else if (live) this.scheduleRefresh();
  }

  private renderHeader(site: SiteStatus): void {
    const { t } = this.ctx.translator;
    const format = this.ctx.format;
    const now = this.ctx.now();
    this.header.dataset.siteState = site.state;
    const lastSeen =
      site.lastSeenTs === null
        ? el("span", { "data-last-seen": "" }, t("site.never"))
        : el("span", {}, relativeTime(format, site.lastSeenTs, now, { "data-last-seen": "" }), ` (${format.dateTime(site.lastSeenTs)})`);
    const spool = site.spool;
    const skewText = site.clockSkewed
      ? t("skew.title", { offset: site.clockOffsetMs === null ? "?" : format.duration(site.clockOffsetMs) })
      : null;
    this.header.replaceChildren(
      ...present(
        el("div", { class: "site-title" }, el("h1", {}, site.name), stateBadge(this.ctx.translator, site.state)),
        el(
          "dl",
          { class: "facts inline" },
          site.address ? el("dt", {}, t("site.address")) : null,
          site.address ? el("dd", {}, site.address) : null,
          el("dt", {}, t("site.lastSeen")),
          el("dd", {}, lastSeen, site.clockSkewed ? " " : null, site.clockSkewed ? clockSkewIcon(this.ctx.translator, format, site.clockOffsetMs) : null),
          spool ? el("dt", {}, t("site.spool")) : null,
          spool ? el("dd", { "data-spool-pending": spool.pendingRecords }, t("site.spoolPending", { n: format.number(spool.pendingRecords, 0) })) : null,
        ),
        // Worth a warning: measurements were lost for good (the agent's spool was full).
        spool && spool.droppedRecords > 0
          ? el("p", { class: "notice", "data-spool-dropped": spool.droppedRecords }, t("site.spoolDropped", { n: format.number(spool.droppedRecords, 0) }))
          : null,
        // Worth a warning too: records the collector could not take (the agent's own count, when it reports one, beside it).
        site.refusedRecords > 0 || (spool?.refusedRecords ?? 0) > 0
          ? el(
              "p",
              { class: "notice", "data-refused-records": site.refusedRecords, "data-spool-refused": spool?.refusedRecords ?? "" },
              t("site.refused", { n: format.number(site.refusedRecords, 0), agent: spool?.refusedRecords === null || spool === null ? "?" : format.number(spool.refusedRecords, 0) }),
            )
          : null,
        skewText ? el("p", { class: "notice", "data-clock-skew-notice": "" }, skewText) : null,
      ),
    );
  }

  /** Creates, updates and removes link cards; true when the set of links changed. */
  private syncCards(site: SiteStatus): boolean {
    const now = this.ctx.now();
    const ids = site.links.map((link) => link.id);
    const changed = ids.length !== this.cards.size || ids.some((id) => !this.cards.has(id));
    if (changed) {
      for (const [id, card] of this.cards) {
        if (!ids.includes(id)) {
          card.destroy();
          this.cards.delete(id);
        }
      }
      for (const id of ids) if (!this.cards.has(id)) this.cards.set(id, new LinkCard(this.ctx.translator, this.ctx.format, id));
      const elements = ids.map((id) => this.cards.get(id)!.element);
      this.cardsBox.replaceChildren(...(elements.length > 0 ? elements : [el("p", { class: "muted" }, this.ctx.translator.t("site.noLinks"))]));
    }
    for (const link of site.links) this.cards.get(link.id)?.update(link, site.state === "silent", now);
    return changed;
  }

  private renderRangeBar(): void {
    const { t } = this.ctx.translator;
    this.rangeBar.replaceChildren(
      el("span", { class: "range-label" }, t("site.range")),
      ...RANGES.map(({ name }) => {
        const button = el("button", { type: "button", class: "button range", "data-range": name, "aria-pressed": String(name === this.range) }, t(`range.${name}`));
        button.addEventListener("click", () => this.setRange(name));
        return button;
      }),
    );
  }

  private setRange(range: RangeName): void {
    if (range === this.range) return;
    this.range = range;
    // replaceState: the URL remembers the range without a hashchange (which would rebuild the page).
    history.replaceState(null, "", sitePageHref(this.siteId, range));
    this.renderRangeBar();
    this.refreshCharts();
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer !== null) return;
    const waitMs = this.lastRefreshAt + CHART_REFRESH_MIN_INTERVAL_MS - this.ctx.now();
    if (waitMs <= 0) {
      this.refreshCharts();
      return;
    }
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      this.refreshCharts();
    }, waitMs);
  }

  /** Fetches every link's series for the current range, one request per link (cancelling a refresh still running). */
  private refreshCharts(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.chartAbort?.abort();
    const abort = new AbortController();
    this.chartAbort = abort;
    this.lastRefreshAt = this.ctx.now();
    const span = seriesWindow(this.range, this.lastRefreshAt);
    for (const card of this.cards.values()) {
      card.showLoading();
      void this.loadCharts(card, span, abort.signal);
    }
    if (this.site) this.paths?.load(this.site, span);
  }

  private async loadCharts(card: LinkCard, span: SeriesWindow, signal: AbortSignal): Promise<void> {
    try {
      const metrics = cardMetricList(LINK_CARD_KIND);
      const answer = await this.ctx.api.getSeries({ site: this.siteId, link: card.linkId, kind: LINK_CARD_KIND, metrics, ...span }, signal);
      if (signal.aborted) return;
      card.showData(chartsFromSeries(answer, LINK_CARD_KIND), answer.resolution, span);
    } catch (err) {
      if (!signal.aborted) card.showError(err instanceof Error ? err.message : String(err));
    }
  }
}
