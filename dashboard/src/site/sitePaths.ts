import type { SitePath, SitePathsResponse, SiteStatus } from "../../../protocol/api.js";
import type { PageContext } from "../page.js";
import type { SeriesWindow } from "../ranges.js";
import { isRecord, malformed } from "../api.js";
import { apiErrorText } from "../apiErrorText.js";
import { linkShortName } from "../badges.js";
import { el } from "../dom.js";

/** GET /sites/:id/paths?from&to, checked. */
export async function fetchSitePaths(ctx: PageContext, siteId: string, fromMs: number, toMs: number, signal: AbortSignal): Promise<SitePathsResponse> {
  const path = `/sites/${encodeURIComponent(siteId)}/paths?${new URLSearchParams({ from: String(fromMs), to: String(toMs) }).toString()}`;
  const value = await ctx.api.requestJson(path, { signal });
  if (!isRecord(value) || !Array.isArray(value.apps) || !Array.isArray(value.lan)) throw malformed(`${path}: expected apps and lan lists`);
  for (const [list, name] of [[value.apps, "apps"], [value.lan, "lan"]] as const) {
    list.forEach((item: unknown, i) => {
      if (!isRecord(item) || typeof item.probe !== "string" || typeof item.rounds !== "number" || typeof item.okPct !== "number") throw malformed(`${path}.${name}[${i}]: expected probe, rounds and okPct`);
      if (item.latencyAvgMs !== null && typeof item.latencyAvgMs !== "number") throw malformed(`${path}.${name}[${i}].latencyAvgMs: expected a number or null`);
    });
  }
  return value as unknown as SitePathsResponse;
}

/**
 * The site page's applications and LAN devices over the chosen range: one row per application with its availability
 * and mean latency through each of the site's links (`tr[data-app="<id>"] td[data-link="<link>"][data-figure]`), and
 * one row per LAN device (`tr[data-lan="<id>"]`). From GET /sites/:id/paths (raw up to 7 days, hourly rollups beyond).
 */
export class SitePathsSection {
  readonly element: HTMLElement;
  private readonly apps: HTMLElement;
  private readonly lan: HTMLElement;
  private abort: AbortController | null = null;

  constructor(
    private readonly ctx: PageContext,
    private readonly siteId: string,
  ) {
    const { t } = ctx.translator;
    this.apps = el("div", { class: "table-scroll" }, el("p", { class: "muted" }, t("overview.loading")));
    this.lan = el("div", { class: "table-scroll" });
    this.element = el(
      "section",
      { class: "card site-paths", "data-site-paths": "" },
      el("h2", {}, t("site.apps")),
      el("p", { class: "muted" }, t("site.appsHint")),
      this.apps,
      el("h2", { class: "lan-heading" }, t("site.lan")),
      this.lan,
    );
  }

  /** Loads the figures over `window` for the links of `site` (a load still running is cancelled). */
  load(site: SiteStatus, window: SeriesWindow): void {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    void fetchSitePaths(this.ctx, this.siteId, window.fromMs, Math.min(window.toMs, this.ctx.now()), abort.signal).then(
      (answer) => {
        if (abort.signal.aborted) return;
        this.element.dataset.loaded = "true";
        this.element.dataset.resolution = answer.resolution;
        this.renderApps(site, answer.apps);
        this.renderLan(answer.lan);
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        this.element.setAttribute("data-error", "");
        this.apps.replaceChildren(el("p", { class: "notice" }, this.ctx.translator.t("error.generic", { message: apiErrorText(this.ctx.translator, err) })));
      },
    );
  }

  destroy(): void {
    this.abort?.abort();
  }

  private renderApps(site: SiteStatus, paths: SitePath[]): void {
    const { t } = this.ctx.translator;
    if (paths.length === 0) {
      this.apps.replaceChildren(el("p", { class: "muted", "data-no-apps": "" }, t("site.noApps")));
      return;
    }
    const links = site.links;
    const byApp = new Map<string, Map<string | null, SitePath>>();
    for (const path of paths) byApp.set(path.probe, (byApp.get(path.probe) ?? new Map()).set(path.link, path));
    const head = el(
      "thead",
      {},
      el("tr", {}, el("th", { scope: "col", rowspan: 2 }, t("site.app")), ...links.map((link) => el("th", { scope: "colgroup", colspan: 2 }, linkShortName(this.ctx.translator, link)))),
      el("tr", {}, ...links.flatMap(() => [el("th", { scope: "col" }, t("comparison.availability")), el("th", { scope: "col" }, t("comparison.latencyMean"))])),
    );
    const rows = [...byApp.entries()].map(([app, byLink]) =>
      el("tr", { "data-app": app }, el("th", { scope: "row" }, app), ...links.flatMap((link) => this.cells(byLink.get(link.id) ?? null, { "data-link": link.id }))),
    );
    this.apps.replaceChildren(el("table", { class: "comparison-sites site-apps" }, head, el("tbody", {}, ...rows)));
  }

  private renderLan(paths: SitePath[]): void {
    const { t } = this.ctx.translator;
    if (paths.length === 0) {
      this.lan.replaceChildren(el("p", { class: "muted", "data-no-lan": "" }, t("site.noLan")));
      return;
    }
    const head = el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("site.device")), el("th", { scope: "col" }, t("comparison.availability")), el("th", { scope: "col" }, t("comparison.latencyMean")), el("th", { scope: "col" }, t("comparison.rounds"))));
    const rows = paths.map((path) =>
      el("tr", { "data-lan": path.probe }, el("th", { scope: "row" }, path.probe, " ", el("span", { class: "muted" }, path.kind.toUpperCase())), ...this.cells(path, {}), el("td", {}, this.ctx.format.number(path.rounds, 0))),
    );
    this.lan.replaceChildren(el("table", { class: "comparison-sites site-lan" }, head, el("tbody", {}, ...rows)));
  }

  private cells(path: SitePath | null, attributes: Record<string, string>): HTMLElement[] {
    const format = this.ctx.format;
    const pct = path ? path.okPct : null;
    const latency = path ? path.latencyAvgMs : null;
    return [
      el("td", { ...attributes, "data-figure": "availability", "data-value": pct ?? "", class: pct !== null && pct < 99 ? "worse" : null }, pct === null ? "—" : `${format.number(pct, 2)}%`),
      el("td", { ...attributes, "data-figure": "latency-mean", "data-value": latency ?? "" }, format.rtt(latency)),
    ];
  }
}
