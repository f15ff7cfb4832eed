import type { SiteStateName, SiteStatus } from "../../protocol/api.js";
import type { DirectoryChange } from "./siteDirectory.js";
import type { Page, PageContext } from "./page.js";
import { ApiError } from "./api.js";
import { stateLabel } from "./badges.js";
import { el } from "./dom.js";
import { OpenIncidentsBanner } from "./openIncidentsBanner.js";
import { refreshRelativeTimes, siteRow } from "./siteRow.js";

/** Site states in the order the summary shows them. */
const SUMMARY_STATES: readonly SiteStateName[] = ["up", "degraded", "down", "silent", "unknown"];

/**
 * The overview ("Tổng quan", route `#/`): a count of sites per state (each count also filters the
 * table), a name search, and one row per site that is replaced in place when a live `site`
 * message arrives.
 */
export class OverviewPage implements Page {
  readonly element: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly message: HTMLElement;
  private readonly collator: Intl.Collator;
  private readonly abort = new AbortController();
  private readonly unsubscribe: () => void;
  private readonly ticker: ReturnType<typeof setInterval>;
  private readonly incidentsBanner: OpenIncidentsBanner;
  private stateFilter: SiteStateName | null = null;
  private searchText = "";

  constructor(private readonly ctx: PageContext) {
    const { t } = ctx.translator;
    this.collator = new Intl.Collator(ctx.translator.lang === "vi" ? "vi" : "en", { numeric: true, sensitivity: "base" });
    this.summary = el("div", { class: "summary", role: "group", "aria-label": t("overview.summary"), title: t("overview.filterHint") });
    const search = el("input", { type: "search", class: "search", placeholder: t("overview.search"), "aria-label": t("overview.search"), "data-search": "" });
    search.addEventListener("input", () => {
      this.searchText = foldForSearch(search.value);
      this.applyFilter();
    });
    this.tbody = el("tbody");
    this.message = el("p", { class: "table-message", role: "status" }, t("overview.loading"));
    this.incidentsBanner = new OpenIncidentsBanner(ctx);
    const table = el(
      "table",
      { class: "sites" },
      el("caption", { class: "visually-hidden" }, t("overview.heading")),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", { scope: "col" }, t("overview.col.site")),
          el("th", { scope: "col" }, t("overview.col.state")),
          el("th", { scope: "col" }, t("overview.col.links")),
          el("th", { scope: "col" }, t("overview.col.lastSeen")),
        ),
      ),
      this.tbody,
    );
    this.element = el(
      "section",
      { class: "page overview", "data-page": "overview", "aria-labelledby": "overview-heading" },
      el("div", { class: "page-head" }, el("h1", { id: "overview-heading" }, t("overview.heading")), search),
      this.incidentsBanner.element,
      this.summary,
      el("div", { class: "table-wrap" }, table),
      this.message,
    );

    this.unsubscribe = ctx.directory.subscribe((change) => this.onChange(change));
    this.ticker = setInterval(() => refreshRelativeTimes(this.tbody, ctx.format, ctx.now()), 1000);
    if (ctx.directory.complete) this.renderAll();
    else void this.load();
  }

  destroy(): void {
    this.abort.abort();
    this.unsubscribe();
    clearInterval(this.ticker);
    this.incidentsBanner.destroy();
  }

  private async load(): Promise<void> {
    const requestedAt = this.ctx.directory.mark();
    try {
      const sites = await this.ctx.api.listSites(this.abort.signal);
      this.ctx.directory.applySnapshot(sites, requestedAt);
    } catch (err) {
      if (this.abort.signal.aborted) return;
      // A live hello may have filled the directory meanwhile; then the failed GET does not matter.
      if (this.ctx.directory.complete) return;
      this.showError(err);
    }
  }

  private showError(err: unknown): void {
    const { t } = this.ctx.translator;
    const text =
      err instanceof ApiError && err.code === "network"
        ? t("error.network")
        : err instanceof ApiError && err.code === "malformed"
          ? t("error.malformed")
          : t("error.generic", { message: err instanceof Error ? err.message : String(err) });
    const retry = el("button", { type: "button", class: "button" }, t("error.retry"));
    retry.addEventListener("click", () => {
      this.message.replaceChildren(t("overview.loading"));
      this.message.classList.remove("error");
      void this.load();
    });
    this.message.hidden = false;
    this.message.classList.add("error");
    this.message.setAttribute("data-error", "");
    this.message.replaceChildren(text, " ", retry);
  }

  private onChange(change: DirectoryChange): void {
    if (change.kind === "all") this.renderAll();
    else this.replaceRow(change.site);
  }

  private renderAll(): void {
    const now = this.ctx.now();
    const sites = this.ctx.directory.all().sort((a, b) => this.compare(a, b));
    this.tbody.replaceChildren(...sites.map((site) => siteRow(this.ctx.translator, this.ctx.format, site, now)));
    this.message.removeAttribute("data-error");
    this.message.classList.remove("error");
    this.renderSummary();
    this.applyFilter();
  }

  /** Replaces one site's row in place (or inserts it in name order when new). */
  private replaceRow(site: SiteStatus): void {
    const row = siteRow(this.ctx.translator, this.ctx.format, site, this.ctx.now());
    row.hidden = !this.matches(site);
    const existing = this.findRow(site.id);
    if (existing) {
      existing.replaceWith(row);
    } else {
      const before = [...this.tbody.rows].find((other) => {
        const otherSite = this.ctx.directory.get(other.dataset.site ?? "");
        return otherSite !== undefined && this.compare(site, otherSite) < 0;
      });
      this.tbody.insertBefore(row, before ?? null);
    }
    this.renderSummary();
    this.updateMessage();
  }

  private findRow(siteId: string): HTMLTableRowElement | undefined {
    return [...this.tbody.rows].find((row) => row.dataset.site === siteId);
  }

  private renderSummary(): void {
    const { t } = this.ctx.translator;
    const sites = this.ctx.directory.all();
    const counts = new Map<SiteStateName, number>(SUMMARY_STATES.map((state) => [state, 0]));
    for (const site of sites) counts.set(site.state, (counts.get(site.state) ?? 0) + 1);
    const total = el(
      "button",
      { type: "button", class: "count-card total", "data-filter": "all", "aria-pressed": String(this.stateFilter === null) },
      el("span", { class: "count", "data-count": "total" }, this.ctx.format.number(sites.length, 0)),
      el("span", { class: "count-label" }, t("overview.total")),
    );
    total.addEventListener("click", () => this.setFilter(null));
    const cards = SUMMARY_STATES.map((state) => {
      const card = el(
        "button",
        { type: "button", class: `count-card state-${state}`, "data-filter": state, "aria-pressed": String(this.stateFilter === state) },
        el("span", { class: "count", "data-count": state }, this.ctx.format.number(counts.get(state) ?? 0, 0)),
        el("span", { class: "count-label" }, stateLabel(this.ctx.translator, state)),
      );
      card.addEventListener("click", () => this.setFilter(this.stateFilter === state ? null : state));
      return card;
    });
    this.summary.replaceChildren(total, ...cards);
  }

  private setFilter(state: SiteStateName | null): void {
    this.stateFilter = state;
    this.renderSummary();
    this.applyFilter();
  }

  private applyFilter(): void {
    for (const row of this.tbody.rows) {
      const site = this.ctx.directory.get(row.dataset.site ?? "");
      row.hidden = site === undefined || !this.matches(site);
    }
    this.updateMessage();
  }

  private updateMessage(): void {
    if (this.message.hasAttribute("data-error")) return;
    const { t } = this.ctx.translator;
    const anyRow = this.tbody.rows.length > 0;
    const anyVisible = [...this.tbody.rows].some((row) => !row.hidden);
    this.message.hidden = anyVisible;
    this.message.textContent = anyRow ? t("overview.noMatch") : t("overview.empty");
  }

  private matches(site: SiteStatus): boolean {
    if (this.stateFilter !== null && site.state !== this.stateFilter) return false;
    if (this.searchText === "") return true;
    return foldForSearch(`${site.name} ${site.id} ${site.address ?? ""}`).includes(this.searchText);
  }

  private compare(a: SiteStatus, b: SiteStatus): number {
    return this.collator.compare(a.name, b.name) || this.collator.compare(a.id, b.id);
  }
}

/** Lower case without diacritics, so "tan phong" finds "Phường Tân Phong". */
function foldForSearch(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/gi, "d").toLowerCase().trim();
}
