import type { ComparisonApp, ComparisonFigures, ComparisonResponse, ComparisonTotal, LinkKind } from "../../../protocol/api.js";
import type { Page, PageContext } from "../page.js";
import { apiErrorText } from "../apiErrorText.js";
import { el } from "../dom.js";
import { escapeHtml } from "../html.js";
import { siteHref } from "../siteRow.js";
import { fetchComparison } from "./comparisonApi.js";
import { PERIODS, comparisonHref, parseDay, periodWindow, type ComparisonPeriod } from "./comparisonPeriod.js";
import "./comparison.css";

const KINDS: readonly LinkKind[] = ["dedicated", "internet"];

/**
 * The link comparison (route `#/comparison?period=24h|7d|30d|90d|1y` or `?from=dd/mm/yyyy&to=dd/mm/yyyy`): the
 * question behind the province's pilots (open the applications to the Internet, or keep them on TSLCD?). For each
 * government application the agents probe over each link, its availability and latency over TSLCD against over the
 * Internet: the province's totals (`[data-app] [data-total="dedicated|internet"][data-figure][data-value]`) and a
 * row per site (`tr[data-comparison-site]`), from GET /comparison.
 */
export class ComparisonPage implements Page {
  readonly element: HTMLElement;
  private readonly periodBar: HTMLElement;
  private readonly status: HTMLElement;
  private readonly body: HTMLElement;
  private abort: AbortController | null = null;

  constructor(
    private readonly ctx: PageContext,
    private period: ComparisonPeriod,
  ) {
    const { t } = ctx.translator;
    document.title = `${t("comparison.heading")} — ${t("app.brand")}`;
    this.periodBar = el("div", { class: "range-bar period-bar", role: "group", "aria-label": t("comparison.period") });
    this.status = el("p", { class: "muted comparison-status", role: "status" });
    this.body = el("div", { class: "comparison-apps" });
    this.element = el(
      "section",
      { class: "page comparison-page", "data-page": "comparison", "aria-labelledby": "comparison-heading" },
      el("div", { class: "page-head" }, el("h1", { id: "comparison-heading" }, t("comparison.heading"))),
      el("p", { class: "comparison-intro" }, t("comparison.intro")),
      this.periodBar,
      this.status,
      this.body,
    );
    this.renderPeriodBar();
    void this.load();
  }

  destroy(): void {
    this.abort?.abort();
  }

  private renderPeriodBar(): void {
    const { t } = this.ctx.translator;
    const presets = PERIODS.map(({ name }) => {
      const pressed = this.period.kind === "preset" && this.period.name === name;
      const button = el("button", { type: "button", class: "button range", "data-period": name, "aria-pressed": String(pressed) }, t(`comparison.period.${name}`));
      button.addEventListener("click", () => this.choose({ kind: "preset", name }));
      return button;
    });
    const days = this.period.kind === "days" ? this.period : null;
    const from = el("input", { type: "text", class: "search day", inputmode: "numeric", placeholder: "dd/mm/yyyy", "aria-label": t("comparison.fromDay"), "data-from-day": "", value: days?.fromDay ?? "" });
    const to = el("input", { type: "text", class: "search day", inputmode: "numeric", placeholder: "dd/mm/yyyy", "aria-label": t("comparison.toDay"), "data-to-day": "", value: days?.toDay ?? "" });
    const problem = el("span", { class: "form-problem", role: "alert" });
    const form = el("form", { class: "day-form" }, el("span", { class: "range-label" }, t("comparison.days")), from, "–", to, el("button", { type: "submit", class: "button" }, t("comparison.show")), problem);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (parseDay(from.value) === null || parseDay(to.value) === null) {
        problem.textContent = t("comparison.badDay");
        return;
      }
      this.choose({ kind: "days", fromDay: from.value.trim(), toDay: to.value.trim() });
    });
    this.periodBar.replaceChildren(el("span", { class: "range-label" }, t("comparison.period")), ...presets, form);
  }

  private choose(period: ComparisonPeriod): void {
    this.period = period;
    // replaceState: the URL remembers the period without a hashchange (which would rebuild the page).
    history.replaceState(null, "", comparisonHref(period));
    this.renderPeriodBar();
    void this.load();
  }

  private async load(): Promise<void> {
    const { t } = this.ctx.translator;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const window = periodWindow(this.period, this.ctx.now());
    if (!window) return;
    this.element.removeAttribute("data-loaded");
    this.status.removeAttribute("data-error");
    this.status.textContent = t("overview.loading");
    try {
      const answer = await fetchComparison(this.ctx.api, window.fromMs, window.toMs, abort.signal);
      if (abort.signal.aborted) return;
      this.render(answer);
    } catch (err) {
      if (abort.signal.aborted) return;
      this.status.setAttribute("data-error", "");
      this.status.textContent = t("error.generic", { message: apiErrorText(this.ctx.translator, err) });
    }
  }

  private render(answer: ComparisonResponse): void {
    const { t } = this.ctx.translator;
    const format = this.ctx.format;
    // The window's end is exclusive: the last moment shown is a minute before it.
    const span = t("comparison.window", { from: format.dateTime(answer.from), to: format.dateTime(answer.to - 60_000) });
    this.status.textContent = answer.resolution === "raw" ? span : `${span} · ${t("comparison.fromRollups")}`;
    this.element.dataset.loaded = "true";
    this.element.dataset.resolution = answer.resolution;
    if (answer.apps.length === 0) {
      this.body.replaceChildren(el("p", { class: "table-message", "data-no-apps": "" }, t("comparison.noApps")));
      return;
    }
    this.body.replaceChildren(...answer.apps.map((app) => this.appCard(app)));
  }

  private appCard(app: ComparisonApp): HTMLElement {
    const { t } = this.ctx.translator;
    const card = el("article", { class: "card comparison-card", "data-app": app.app });
    const headingId = `app-${app.app.replace(/[^A-Za-z0-9_-]/g, "_")}`;
    card.setAttribute("aria-labelledby", headingId);
    const totals = el("table", { class: "comparison-totals" });
    totals.innerHTML = this.totalsHtml(app);
    const sites = el("table", { class: "comparison-sites" });
    sites.innerHTML = this.sitesHtml(app);
    card.append(
      el("h2", { id: headingId }, app.app, " ", el("span", { class: "muted kind" }, app.kind.toUpperCase())),
      el("div", { class: "table-scroll" }, totals),
      el(
        "details",
        { class: "comparison-details", open: app.sites.length <= 20 },
        el("summary", {}, t("comparison.bySite", { n: this.ctx.format.number(app.sites.length, 0) })),
        el("div", { class: "table-scroll" }, sites),
      ),
    );
    return card;
  }

  private totalsHtml(app: ComparisonApp): string {
    const { t } = this.ctx.translator;
    const e = escapeHtml;
    const rows: Array<[string, string, (total: ComparisonTotal) => number | null, (value: number | null) => string]> = [
      ["availability", t("comparison.availability"), (x) => x.availabilityPct, (v) => this.pct(v)],
      ["latency-mean", t("comparison.latencyMean"), (x) => x.latencyMeanMs, (v) => this.ctx.format.rtt(v)],
      ["latency-p50", t("comparison.siteLatencyP50"), (x) => x.siteLatencyP50Ms, (v) => this.ctx.format.rtt(v)],
      ["sites", t("comparison.sites"), (x) => x.sites, (v) => (v === null ? "—" : this.ctx.format.number(v, 0))],
      ["rounds", t("comparison.rounds"), (x) => x.rounds, (v) => (v === null ? "—" : this.ctx.format.number(v, 0))],
    ];
    const head = `<thead><tr><th scope="col"><span class="visually-hidden">${e(t("comparison.figure"))}</span></th>${KINDS.map((kind) => `<th scope="col">${e(t(`kind.${kind}.short`, { provider: "" }).trim())}</th>`).join("")}</tr></thead>`;
    const body = rows
      .map(([figure, label, read, show]) => {
        const cells = KINDS.map((kind) => {
          const total = app.total[kind];
          const value = total ? read(total) : null;
          return `<td data-total="${kind}" data-figure="${figure}" data-value="${value ?? ""}"${this.better(figure, kind, app.total.dedicated, app.total.internet, read)}>${e(show(value))}</td>`;
        }).join("");
        return `<tr><th scope="row">${e(label)}</th>${cells}</tr>`;
      })
      .join("");
    return head + `<tbody>${body}</tbody>`;
  }

  /** ` class="better"` on the kind whose figure is better (higher availability, lower latency), else nothing. */
  private better<T>(figure: string, kind: LinkKind, dedicated: T | null, internet: T | null, read: (x: T) => number | null): string {
    if (figure !== "availability" && !figure.startsWith("latency")) return "";
    const a = dedicated ? read(dedicated) : null;
    const b = internet ? read(internet) : null;
    if (a === null || b === null || a === b) return "";
    const dedicatedBetter = figure === "availability" ? a > b : a < b;
    return dedicatedBetter === (kind === "dedicated") ? ' class="better"' : "";
  }

  private sitesHtml(app: ComparisonApp): string {
    const { t } = this.ctx.translator;
    const e = escapeHtml;
    const kindName = (kind: LinkKind) => t(`kind.${kind}.short`, { provider: "" }).trim();
    const head =
      `<thead><tr><th scope="col" rowspan="2">${e(t("overview.col.site"))}</th>${KINDS.map((kind) => `<th scope="colgroup" colspan="2">${e(kindName(kind))}</th>`).join("")}</tr>` +
      `<tr>${KINDS.map(() => `<th scope="col">${e(t("comparison.availability"))}</th><th scope="col">${e(t("comparison.latencyMean"))}</th>`).join("")}</tr></thead>`;
    const cell = (kind: LinkKind, figure: string, value: number | null, text: string, extra: string) => `<td data-kind="${kind}" data-figure="${figure}" data-value="${value ?? ""}"${extra}>${e(text)}</td>`;
    const rows = app.sites
      .map((site) => {
        const cells = KINDS.map((kind) => {
          const figures: ComparisonFigures | null = site[kind];
          const availability = figures?.availabilityPct ?? null;
          const latency = figures?.latencyMeanMs ?? null;
          return (
            cell(kind, "availability", availability, this.pct(availability), this.better("availability", kind, site.dedicated, site.internet, (x) => x.availabilityPct)) +
            cell(kind, "latency-mean", latency, this.ctx.format.rtt(latency), this.better("latency", kind, site.dedicated, site.internet, (x) => x.latencyMeanMs))
          );
        }).join("");
        return `<tr data-comparison-site="${e(site.site)}"><th scope="row"><a href="${e(siteHref(site.site))}">${e(site.siteName)}</a></th>${cells}</tr>`;
      })
      .join("");
    return head + `<tbody>${rows}</tbody>`;
  }

  private pct(value: number | null): string {
    return value === null ? "—" : `${this.ctx.format.number(value, 2)}%`;
  }
}
