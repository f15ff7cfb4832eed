import type { LinkStatus, MultiSeriesResponse } from "../../protocol/api.js";
import type { ChartData, ChartKind } from "./charts.js";
import type { Formatter } from "./format.js";
import type { Translator } from "./i18n.js";
import { linkKindName, linkShortName, stateBadge } from "./badges.js";
import { TimeChart } from "./charts.js";
import { el } from "./dom.js";
import { relativeTime } from "./siteRow.js";

/** A chart and the caption line that says whether it is loading, empty or failed. */
interface ChartSlot {
  figure: HTMLElement;
  note: HTMLElement;
  chart: TimeChart;
}

/**
 * One link on the site page: `<article data-link-card="<id>" data-state="<state>">` with the
 * link's facts (provider, circuit, bandwidth, state and since when, current rtt and loss) and its
 * latency and loss charts (`<figure data-chart="latency|loss" data-chart-link="<id>">`, which
 * carries `data-loaded` once data is shown, `data-points` = buckets with a value, `data-step-ms`
 * = the bucket size and `data-resolution` = what the collector read: raw, 5m or 1h rollups). Both charts come from one
 * series answer, so they load, fail and show the same window together.
 */
export class LinkCard {
  readonly element: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly slots: Record<ChartKind, ChartSlot>;

  constructor(
    private readonly translator: Translator,
    private readonly format: Formatter,
    readonly linkId: string,
  ) {
    const { t } = translator;
    this.facts = el("div", { class: "link-facts" });
    const latency = this.chartSlot("latency", t("chart.latency"));
    const loss = this.chartSlot("loss", t("chart.loss"));
    this.slots = { latency, loss };
    this.element = el(
      "article",
      { class: "card link-card", "data-link-card": linkId },
      this.facts,
      el("div", { class: "charts" }, latency.figure, loss.figure),
    );
  }

  /** Re-renders the facts for the link's latest status; `stale` when the site is silent. */
  update(link: LinkStatus, stale: boolean, now: number): void {
    const { t } = this.translator;
    const format = this.format;
    this.element.dataset.state = link.state;
    this.element.classList.toggle("stale", stale);
    const headingId = `link-${cssSafe(link.id)}-heading`;
    this.element.setAttribute("aria-labelledby", headingId);
    const fact = (label: string, value: Node | string, attributes: Record<string, string> = {}): HTMLElement[] => [
      el("dt", {}, label),
      el("dd", attributes, value),
    ];
    this.facts.replaceChildren(
      el(
        "header",
        { class: "link-head" },
        el("div", {}, el("h2", { id: headingId }, linkShortName(this.translator, link)), el("p", { class: "muted" }, linkKindName(this.translator, link))),
        el(
          "div",
          { class: "link-state" },
          stateBadge(this.translator, link.state),
          link.flapping ? el("span", { class: "chip-flap", title: t("link.flappingHint") }, `↯ ${t("link.flapping")}`) : null,
          link.sinceTs !== null
            ? el("span", { class: "muted since", title: format.dateTimeSeconds(link.sinceTs) }, t("site.stateSince", { time: format.dateTime(link.sinceTs) }))
            : null,
        ),
      ),
      el(
        "dl",
        { class: "facts" },
        ...fact(t("link.provider"), link.providerName || link.provider),
        ...fact(t("link.circuit"), link.circuit || "—"),
        ...fact(t("link.bandwidth"), `${format.number(link.bandwidthMbps, 0)} Mbps`),
        ...fact(t("link.rtt"), format.rtt(link.rttAvgMs), { "data-metric": "rtt" }),
        ...fact(t("link.loss"), format.loss(link.lossPct), { "data-metric": "loss" }),
        ...fact(t("link.lastSample"), link.lastSampleTs === null ? t("site.never") : relativeTime(format, link.lastSampleTs, now)),
        ...fact(t("link.id"), link.id),
      ),
    );
  }

  /** Marks both charts as loading (their previous data stays visible meanwhile). */
  showLoading(): void {
    for (const slot of Object.values(this.slots)) {
      if (!slot.figure.hasAttribute("data-loaded")) slot.note.textContent = this.translator.t("chart.loading");
    }
  }

  /** Shows each chart's data over the window [fromMs, toMs] in buckets of stepMs (UTC ms), read at `resolution`. */
  showData(charts: Partial<Record<ChartKind, ChartData>>, resolution: MultiSeriesResponse["resolution"], window: { fromMs: number; toMs: number; stepMs: number }): void {
    const { fromMs, toMs, stepMs } = window;
    const { t } = this.translator;
    for (const [kind, slot] of Object.entries(this.slots) as Array<[ChartKind, ChartSlot]>) {
      const data = charts[kind];
      if (!data) continue; // a chart the kind declares no series for
      slot.chart.setData(data, fromMs, toMs);
      const points = data.values[0]?.filter((v) => v !== null).length ?? 0;
      slot.figure.setAttribute("data-loaded", "true");
      slot.figure.setAttribute("data-points", String(points));
      slot.figure.setAttribute("data-resolution", resolution);
      slot.figure.setAttribute("data-step-ms", String(stepMs));
      slot.figure.removeAttribute("data-error");
      slot.note.textContent = points === 0 ? t("chart.noData") : resolution === "raw" ? "" : t(`chart.rollup.${resolution}`);
    }
  }

  /** Says that the charts could not be loaded; their previous data, if any, stays. */
  showError(message: string): void {
    for (const slot of Object.values(this.slots)) {
      slot.figure.setAttribute("data-error", "");
      slot.note.textContent = this.translator.t("chart.error", { message });
    }
  }

  destroy(): void {
    this.slots.latency.chart.destroy();
    this.slots.loss.chart.destroy();
  }

  private chartSlot(kind: ChartKind, title: string): ChartSlot {
    const plot = el("div", { class: "chart-plot" });
    const note = el("p", { class: "chart-note muted", role: "status" }, this.translator.t("chart.loading"));
    const figure = el(
      "figure",
      { class: `chart chart-${kind}`, "data-chart": kind, "data-chart-link": this.linkId },
      el("figcaption", {}, title),
      plot,
      note,
    );
    return { figure, note, chart: new TimeChart(plot, kind, this.translator, this.format) };
  }
}

/** An id fragment from a link id (which may hold characters an id should not). */
function cssSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, "_");
}
