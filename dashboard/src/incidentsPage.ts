import type { Incident } from "../../protocol/incident.js";
import type { FilterOption } from "./incidentFilters.js";
import type { IncidentFilter } from "./incidentRoutes.js";
import type { Page, PageContext } from "./page.js";
import { apiErrorText } from "./apiErrorText.js";
import { el } from "./dom.js";
import { IncidentFilterBar } from "./incidentFilters.js";
import { incidentsHref } from "./incidentRoutes.js";
import { incidentRow, refreshDurations } from "./incidentRow.js";
import { ResponseTimesTable } from "./responseTimesTable.js";

/** How many incidents one list asks for (newest first). */
export const INCIDENT_LIST_LIMIT = 200;

/** Ongoing durations are rewritten this often, ms. */
const DURATION_REFRESH_MS = 10_000;

/**
 * The incidents page (route `#/incidents?state=open|closed&site=&provider=&kind=`): Open/Closed tabs, filters by
 * kind, site and provider, and one row per incident, newest first. A live `incident` message replaces its row in
 * place, adds it at the top when it newly matches, or removes it when it no longer does (closed on the Open tab).
 * Under the list, the time to acknowledge and restore per vendor over the last 30 days (responseTimesTable.ts), for
 * the roles that may read it (not a ward).
 */
export class IncidentsPage implements Page {
  readonly element: HTMLElement;
  private readonly filterBar: IncidentFilterBar;
  private readonly tbody: HTMLTableSectionElement;
  private readonly message: HTMLElement;
  private readonly note: HTMLElement;
  /** Null for a role the collector refuses the figures (a ward). */
  private readonly responseTimes: ResponseTimesTable | null;
  private readonly shown = new Map<number, Incident>();
  private readonly collator: Intl.Collator;
  private readonly unsubscribe: Array<() => void>;
  private readonly ticker: ReturnType<typeof setInterval>;
  private readonly pageAbort = new AbortController();
  private loadAbort: AbortController | null = null;
  private loaded = false;

  constructor(
    private readonly ctx: PageContext,
    private filter: IncidentFilter,
  ) {
    const { t } = ctx.translator;
    this.collator = new Intl.Collator(ctx.translator.lang === "vi" ? "vi" : "en", { numeric: true, sensitivity: "base" });
    this.filterBar = new IncidentFilterBar(ctx.translator, filter, (next) => this.setFilter(next));
    this.tbody = el("tbody");
    this.message = el("p", { class: "table-message", role: "status" }, t("overview.loading"));
    this.note = el("p", { class: "muted list-note", hidden: true });
    this.responseTimes = ctx.access.responseTimes ? new ResponseTimesTable(ctx) : null;
    const columns = ["summary", "kind", "severity", "sites", "provider", "start", "duration", "ack", "delivery"] as const;
    const table = el(
      "table",
      { class: "sites incidents" },
      el("caption", { class: "visually-hidden" }, t("incidents.heading")),
      el(
        "thead",
        {},
        el("tr", {}, el("th", { scope: "col" }, t("incidents.col.number")), ...columns.map((column) => el("th", { scope: "col" }, t(`incidents.col.${column}`)))),
      ),
      this.tbody,
    );
    this.element = el(
      "section",
      { class: "page incidents-page", "data-page": "incidents", "aria-labelledby": "incidents-heading" },
      el("div", { class: "page-head" }, el("h1", { id: "incidents-heading" }, t("incidents.heading"))),
      this.filterBar.element,
      el("div", { class: "table-wrap" }, table),
      this.message,
      this.note,
      this.responseTimes?.element ?? null,
    );

    this.unsubscribe = [
      ctx.incidentBoard.subscribe((change) => (change.kind === "resync" ? void this.load() : this.onIncident(change.incident))),
      ctx.directory.subscribe((change) => {
        if (change.kind === "all") this.renderOptions();
      }),
    ];
    this.ticker = setInterval(() => refreshDurations(this.tbody, ctx.format, ctx.now()), DURATION_REFRESH_MS);
    this.renderOptions();
    if (!ctx.directory.complete) void this.loadSites();
    void this.load();
  }

  destroy(): void {
    this.pageAbort.abort();
    this.loadAbort?.abort();
    this.responseTimes?.destroy();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    clearInterval(this.ticker);
  }

  private setFilter(filter: IncidentFilter): void {
    this.filter = filter;
    // replaceState: the URL remembers the filter without a hashchange (which would rebuild the page).
    history.replaceState(null, "", incidentsHref(filter));
    void this.load();
  }

  private async load(): Promise<void> {
    this.loadAbort?.abort();
    const abort = new AbortController();
    this.loadAbort = abort;
    const { t } = this.ctx.translator;
    if (!this.loaded) this.message.textContent = t("overview.loading");
    const requestedAt = this.ctx.incidentBoard.mark();
    try {
      const list = await this.ctx.incidents.list({ ...this.filter, limit: INCIDENT_LIST_LIMIT }, abort.signal);
      if (abort.signal.aborted) return;
      // A live update newer than this request wins; it may also have moved an incident out of this list.
      const incidents = list.map((incident) => this.ctx.incidentBoard.apply(incident, requestedAt)).filter((incident) => this.matches(incident));
      this.loaded = true;
      this.shown.clear();
      for (const incident of incidents) this.shown.set(incident.id, incident);
      const now = this.ctx.now();
      this.tbody.replaceChildren(...incidents.map((incident) => incidentRow(this.ctx.translator, this.ctx.format, incident, now)));
      this.message.removeAttribute("data-error");
      this.message.classList.remove("error");
      this.note.hidden = list.length < INCIDENT_LIST_LIMIT;
      this.note.textContent = t("incidents.limited", { n: this.ctx.format.number(INCIDENT_LIST_LIMIT, 0) });
      this.updateMessage();
      this.renderOptions();
    } catch (err) {
      if (abort.signal.aborted) return;
      this.message.hidden = false;
      this.message.classList.add("error");
      this.message.setAttribute("data-error", "");
      const retry = el("button", { type: "button", class: "button" }, t("error.retry"));
      retry.addEventListener("click", () => void this.load());
      this.message.replaceChildren(t("error.generic", { message: apiErrorText(this.ctx.translator, err) }), " ", retry);
    }
  }

  private async loadSites(): Promise<void> {
    const requestedAt = this.ctx.directory.mark();
    try {
      this.ctx.directory.applySnapshot(await this.ctx.api.listSites(this.pageAbort.signal), requestedAt);
    } catch {
      // Only the site filter's names depend on it; the live hello fills the directory too.
    }
  }

  /** A live change: replace the row, add it at the top, or remove it when it left this list. */
  private onIncident(incident: Incident): void {
    if (!this.loaded) return;
    const existing = [...this.tbody.rows].find((row) => row.dataset.incident === String(incident.id));
    if (!this.matches(incident)) {
      existing?.remove();
      this.shown.delete(incident.id);
    } else {
      const row = incidentRow(this.ctx.translator, this.ctx.format, incident, this.ctx.now());
      if (existing) existing.replaceWith(row);
      else this.tbody.insertBefore(row, this.tbody.firstChild);
      this.shown.set(incident.id, incident);
      this.renderOptions();
    }
    this.updateMessage();
  }

  private matches(incident: Incident): boolean {
    const { state, kind, site, provider } = this.filter;
    return (
      incident.state === state &&
      (kind === null || incident.kind === kind) &&
      (provider === null || incident.provider === provider) &&
      (site === null || incident.sites.some((entry) => entry.site === site))
    );
  }

  private updateMessage(): void {
    if (this.message.hasAttribute("data-error")) return;
    const { t } = this.ctx.translator;
    const filtered = this.filter.kind !== null || this.filter.site !== null || this.filter.provider !== null;
    this.message.hidden = this.tbody.rows.length > 0;
    this.message.textContent = filtered ? t("incidents.noMatch") : t(this.filter.state === "open" ? "incidents.empty.open" : "incidents.empty.closed");
  }

  /** Site and provider choices: every configured site and provider, plus those of the incidents shown. */
  private renderOptions(): void {
    const sites = new Map<string, string>();
    const providers = new Map<string, string>();
    for (const site of this.ctx.directory.all()) {
      sites.set(site.id, site.name);
      for (const link of site.links) providers.set(link.provider, link.providerName || link.provider);
    }
    for (const incident of this.shown.values()) {
      for (const site of incident.sites) if (!sites.has(site.site)) sites.set(site.site, site.siteName);
      if (incident.provider && !providers.has(incident.provider)) providers.set(incident.provider, incident.providerName ?? incident.provider);
    }
    const sorted = (entries: Map<string, string>): FilterOption[] =>
      [...entries].map(([value, label]) => ({ value, label })).sort((a, b) => this.collator.compare(a.label, b.label));
    this.filterBar.setOptions(sorted(sites), sorted(providers));
  }
}
