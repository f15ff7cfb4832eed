import type { SiteStateName, SiteStatus } from "../../../protocol/api.js";
import type { Incident } from "../../../protocol/incident.js";
import type { DirectoryChange } from "../siteDirectory.js";
import type { Page, PageContext } from "../page.js";
import { ApiError } from "../api.js";
import { stateLabel } from "../badges.js";
import { el } from "../dom.js";
import { OpenIncidentsBanner } from "../openIncidentsBanner.js";
import { GROUP_BYS, SORT_BYS, foldForSearch, searchTextOf, type GroupBy, type SortBy } from "./siteOrder.js";
import { FIRST_ROWS, SiteTable } from "./siteTable.js";
import { refreshVisibleTimes } from "./visibleTimes.js";
import "./overview.css";

/**
 * How long the overview waits for the live feed's hello (every site) before asking GET /sites instead, ms: the
 * country is loaded and drawn once, from whichever comes, not twice.
 */
const HELLO_WAIT_MS = 3000;

/** Site states in the order the summary shows them. */
const SUMMARY_STATES: readonly SiteStateName[] = ["up", "degraded", "down", "silent", "unknown"];

/** The overview's grouping and order as the URL keeps them: `#/?group=area&sort=state`. */
export function overviewHref(groupBy: GroupBy, sortBy: SortBy): string {
  const query = new URLSearchParams();
  if (groupBy !== "none") query.set("group", groupBy);
  if (sortBy !== "name") query.set("sort", sortBy);
  const text = query.toString();
  return text ? `#/?${text}` : "#/";
}

/** The grouping and order in `hash` (`#/?group=…&sort=…`); anything unknown is the default (no groups, by name). */
export function parseOverviewQuery(hash: string): { groupBy: GroupBy; sortBy: SortBy } {
  const query = new URLSearchParams(hash.split("?", 2)[1] ?? "");
  const group = query.get("group");
  const sort = query.get("sort");
  return { groupBy: GROUP_BYS.find((g) => g === group) ?? "none", sortBy: SORT_BYS.find((s) => s === sort) ?? "name" };
}

/**
 * The overview ("Tổng quan", route `#/[?group=none|area|provider|state&sort=name|state|area|provider]`): the count of
 * sites per state (each count also filters), open incidents, a filter box (name, id, address, area, provider,
 * circuit), and every site's row, grouped and sorted as chosen (siteTable.ts). The sites come from the live feed's
 * hello (GET /sites only when it does not come within {@link HELLO_WAIT_MS} or the feed is down), drawn once. A live
 * frame patches only its sites' rows; an incident opening or closing only the rows of the sites it concerns.
 */
export class OverviewPage implements Page {
  readonly element: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly table: SiteTable;
  private readonly message: HTMLElement;
  private readonly abort = new AbortController();
  private readonly unsubscribe: () => void;
  private readonly ticker: ReturnType<typeof setInterval>;
  private helloWait: ReturnType<typeof setTimeout> | null = null;
  private readonly incidentsBanner: OpenIncidentsBanner;
  private readonly searchIndex = new Map<string, string>();
  private incidentsBySite = new Map<string, number>();
  private stateFilter: SiteStateName | null = null;
  private searchText = "";
  /** Live changes not drawn yet, by site: drawn together once per frame (a country sends hundreds a second). */
  private readonly pending = new Map<string, SiteStatus>();
  private flushScheduled = false;
  private scrollRefreshScheduled = false;
  private groupBy: GroupBy;
  private sortBy: SortBy;

  constructor(private readonly ctx: PageContext) {
    const { t } = ctx.translator;
    ({ groupBy: this.groupBy, sortBy: this.sortBy } = parseOverviewQuery(location.hash));
    const collator = new Intl.Collator(ctx.translator.lang === "vi" ? "vi" : "en", { numeric: true, sensitivity: "base" });
    this.table = new SiteTable({ translator: ctx.translator, format: ctx.format, collator, now: ctx.now, openIncidents: (siteId) => this.incidentsBySite.get(siteId) ?? 0 });
    this.summary = el("div", { class: "summary", role: "group", "aria-label": t("overview.summary"), title: t("overview.filterHint") });
    const search = el("input", { type: "search", class: "search", placeholder: t("overview.search"), "aria-label": t("overview.search"), "data-search": "" });
    search.addEventListener("input", () => {
      this.searchText = foldForSearch(search.value);
      this.applyFilter();
    });
    const groupSelect = this.select("group", t("overview.groupBy"), GROUP_BYS.map((g) => [g, t(`overview.group.${g}`)]), this.groupBy, (value) => {
      this.groupBy = value as GroupBy;
      this.rearrange();
    });
    const sortSelect = this.select("sort", t("overview.sortBy"), SORT_BYS.map((s) => [s, t(`overview.sort.${s}`)]), this.sortBy, (value) => {
      this.sortBy = value as SortBy;
      this.rearrange();
    });
    this.message = el("p", { class: "table-message", role: "status" }, t("overview.loading"));
    this.incidentsBanner = new OpenIncidentsBanner(ctx, (open) => this.onOpenIncidents(open));
    this.element = el(
      "section",
      { class: "page overview", "data-page": "overview", "aria-labelledby": "overview-heading" },
      el("div", { class: "page-head" }, el("h1", { id: "overview-heading" }, t("overview.heading")), el("div", { class: "overview-controls" }, search, groupSelect, sortSelect)),
      this.incidentsBanner.element,
      this.summary,
      el("div", { class: "table-wrap" }, this.table.element),
      this.message,
    );
    this.renderSummary();
    this.unsubscribe = ctx.directory.subscribe((change) => this.onChange(change));
    this.ticker = setInterval(() => this.refreshTimes(), 1000);
    // Captured: the window scrolls, and on a narrow screen the table's own box may too.
    document.addEventListener("scroll", this.onScroll, { passive: true, capture: true });
    if (ctx.directory.complete) this.renderAll();
    else if (ctx.liveStatus() === "reconnecting") void this.load();
    else this.helloWait = setTimeout(() => this.loadUnlessComplete(), HELLO_WAIT_MS);
  }

  /** The times on screen, as of now. */
  private refreshTimes(): void {
    refreshVisibleTimes(this.table.element, this.ctx.format, this.ctx.now(), window.innerHeight);
  }

  /** Scrolled: the times brought on screen are rewritten before the next paint (once per frame however many events). */
  private readonly onScroll = (): void => {
    if (this.scrollRefreshScheduled) return;
    this.scrollRefreshScheduled = true;
    requestAnimationFrame(() => {
      this.scrollRefreshScheduled = false;
      this.refreshTimes();
    });
  };

  /** The hello did not come in time (the live feed is down or slow): the list from GET /sites. */
  private loadUnlessComplete(): void {
    this.helloWait = null;
    if (!this.ctx.directory.complete) void this.load();
  }

  destroy(): void {
    this.flushScheduled = false;
    if (this.helloWait !== null) clearTimeout(this.helloWait);
    this.abort.abort();
    this.unsubscribe();
    clearInterval(this.ticker);
    document.removeEventListener("scroll", this.onScroll, { capture: true });
    this.table.stop();
    this.incidentsBanner.destroy();
  }

  private select(name: string, label: string, options: Array<[string, string]>, chosen: string, onChange: (value: string) => void): HTMLElement {
    const select = el("select", { class: "select", [`data-${name}-by`]: "", "aria-label": label }, ...options.map(([value, text]) => el("option", { value, selected: value === chosen }, text)));
    select.addEventListener("change", () => onChange(select.value));
    return el("label", { class: "select-label" }, el("span", { class: "muted" }, label), select);
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
    if (change.kind === "all") {
      this.renderAll();
      return;
    }
    this.pending.set(change.site.id, change.site);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // The next frame, or soon when frames do not come (a hidden tab): whichever first.
    const flush = (): void => this.flushPending();
    requestAnimationFrame(flush);
    setTimeout(flush, 250);
  }

  /** Draws the live changes received since the last frame: each changed site's rows, then the counts once. */
  private flushPending(): void {
    if (!this.flushScheduled) return;
    this.flushScheduled = false;
    for (const site of this.pending.values()) {
      this.searchIndex.set(site.id, searchTextOf(site));
      this.table.update(site);
    }
    this.pending.clear();
    this.updateCounts();
    this.updateMessage();
  }

  /** Counts the open incidents of each site; the rows whose count changed are redrawn. */
  private onOpenIncidents(open: ReadonlyMap<number, Incident>): void {
    const counts = new Map<string, number>();
    for (const incident of open.values()) for (const site of new Set(incident.sites.map((s) => s.site))) counts.set(site, (counts.get(site) ?? 0) + 1);
    const changed = new Set<string>();
    for (const [site, n] of counts) if (this.incidentsBySite.get(site) !== n) changed.add(site);
    for (const site of this.incidentsBySite.keys()) if (!counts.has(site)) changed.add(site);
    this.incidentsBySite = counts;
    this.table.refreshSites(changed);
  }

  private renderAll(): void {
    this.pending.clear();
    this.flushScheduled = false;
    const sites = this.ctx.directory.all();
    this.searchIndex.clear();
    for (const site of sites) this.searchIndex.set(site.id, searchTextOf(site));
    this.table.filter((site) => this.matches(site));
    // data-rows-first: the first screen is in; data-rendered: every row is (bench/dashboard.ts times both).
    delete this.element.dataset.rendered;
    this.table.renderAll(sites, this.groupBy, this.sortBy, () => {
      performance.mark("overview:rows-built", { detail: { rows: sites.length } });
      this.element.dataset.rendered = String(sites.length);
    });
    performance.mark("overview:first-rows");
    this.element.dataset.rowsFirst = String(Math.min(sites.length, FIRST_ROWS));
    this.message.removeAttribute("data-error");
    this.message.classList.remove("error");
    this.renderSummary();
    this.updateMessage();
  }

  /** A new grouping or order: remembered in the URL (without a hashchange, which would rebuild the page). */
  private rearrange(): void {
    history.replaceState(null, "", overviewHref(this.groupBy, this.sortBy));
    if (this.ctx.directory.complete) this.renderAll();
  }

  private renderSummary(): void {
    const { t } = this.ctx.translator;
    const sites = this.ctx.directory.all();
    const counts = new Map<SiteStateName, number>(SUMMARY_STATES.map((state) => [state, 0]));
    for (const site of sites) counts.set(site.state, (counts.get(site.state) ?? 0) + 1);
    const card = (filter: SiteStateName | null, count: number, label: string): HTMLElement => {
      const button = el(
        "button",
        { type: "button", class: `count-card ${filter === null ? "total" : `state-${filter}`}`, "data-filter": filter ?? "all", "aria-pressed": String(this.stateFilter === filter) },
        el("span", { class: "count", "data-count": filter ?? "total" }, this.ctx.format.number(count, 0)),
        el("span", { class: "count-label" }, label),
      );
      button.addEventListener("click", () => this.setFilter(filter === null || this.stateFilter === filter ? null : filter));
      return button;
    };
    this.summary.replaceChildren(
      card(null, sites.length, t("overview.total")),
      ...SUMMARY_STATES.map((state) => card(state, counts.get(state) ?? 0, stateLabel(this.ctx.translator, state))),
    );
  }

  /** Rewrites the numbers of the count cards in place. */
  private updateCounts(): void {
    const sites = this.ctx.directory.all();
    const counts = new Map<string, number>([["total", sites.length]]);
    for (const site of sites) counts.set(site.state, (counts.get(site.state) ?? 0) + 1);
    for (const count of this.summary.querySelectorAll<HTMLElement>("[data-count]")) {
      const text = this.ctx.format.number(counts.get(count.dataset.count ?? "") ?? 0, 0);
      if (count.textContent !== text) count.textContent = text;
    }
  }

  private setFilter(state: SiteStateName | null): void {
    this.stateFilter = state;
    this.renderSummary();
    this.applyFilter();
  }

  private applyFilter(): void {
    this.table.filter((site) => this.matches(site));
    this.updateMessage();
  }

  private updateMessage(): void {
    if (this.message.hasAttribute("data-error")) return;
    const { t } = this.ctx.translator;
    const anyVisible = this.table.visibleCount > 0;
    this.message.hidden = anyVisible;
    this.message.textContent = this.ctx.directory.all().length > 0 ? t("overview.noMatch") : t("overview.empty");
  }

  private matches(site: SiteStatus): boolean {
    if (this.stateFilter !== null && site.state !== this.stateFilter) return false;
    if (this.searchText === "") return true;
    return (this.searchIndex.get(site.id) ?? searchTextOf(site)).includes(this.searchText);
  }
}
