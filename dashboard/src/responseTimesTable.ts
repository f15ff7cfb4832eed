import type { DurationStats, ProviderResponseTimes, ResponseTimesReport } from "../../protocol/incident.js";
import type { PageContext } from "./page.js";
import { apiErrorText } from "./apiErrorText.js";
import { el } from "./dom.js";

/** After a live incident change, the figures are fetched again this much later (changes in a burst fetch once), ms. */
const RELOAD_AFTER_CHANGE_MS = 3000;

/**
 * The incidents page's table of time to acknowledge and time to restore per telecom vendor over the collector's last
 * 30 days (GET /incidents/response-times): one row per vendor with its incidents (and how many are open), how many
 * were acknowledged, and the median and P90 of both times, in their two largest units. Fetched when shown, after a
 * reconnect, and shortly after live incident changes.
 */
export class ResponseTimesTable {
  readonly element: HTMLElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly message: HTMLElement;
  private readonly truncatedNote: HTMLElement;
  private readonly collator: Intl.Collator;
  private readonly unsubscribe: () => void;
  private loadAbort: AbortController | null = null;
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly ctx: PageContext) {
    const { t } = ctx.translator;
    this.collator = new Intl.Collator(ctx.translator.lang === "vi" ? "vi" : "en", { numeric: true, sensitivity: "base" });
    this.tbody = el("tbody");
    this.message = el("p", { class: "table-message", role: "status" }, t("overview.loading"));
    this.truncatedNote = el("p", { class: "muted list-note", hidden: true, "data-response-times-truncated": "" });
    const heading = t("responseTimes.heading");
    const rowHead = (key: "provider" | "incidents" | "acknowledged") => el("th", { scope: "col", rowspan: 2, class: key === "provider" ? null : "num" }, t(`responseTimes.col.${key}`));
    const groupHead = (key: "timeToAck" | "timeToRestore") => el("th", { scope: "colgroup", colspan: 2 }, t(`responseTimes.col.${key}`));
    const figureHead = (key: "median" | "p90") => el("th", { scope: "col", class: "num" }, t(`responseTimes.col.${key}`));
    const table = el(
      "table",
      { class: "sites response-times" },
      el("caption", { class: "visually-hidden" }, heading),
      el(
        "thead",
        {},
        el("tr", {}, rowHead("provider"), rowHead("incidents"), rowHead("acknowledged"), groupHead("timeToAck"), groupHead("timeToRestore")),
        el("tr", {}, figureHead("median"), figureHead("p90"), figureHead("median"), figureHead("p90")),
      ),
      this.tbody,
    );
    this.element = el(
      "section",
      { class: "response-times-section", "data-response-times": "", "aria-labelledby": "response-times-heading" },
      el("h2", { id: "response-times-heading" }, heading),
      el("div", { class: "table-wrap" }, table),
      this.message,
      this.truncatedNote,
      el("p", { class: "muted list-note" }, t("responseTimes.note")),
    );
    this.unsubscribe = ctx.incidentBoard.subscribe((change) => (change.kind === "resync" ? void this.load() : this.scheduleReload()));
    void this.load();
  }

  /** Stops its request, its pending reload and its subscription. */
  destroy(): void {
    this.loadAbort?.abort();
    if (this.reloadTimer !== null) clearTimeout(this.reloadTimer);
    this.unsubscribe();
  }

  private scheduleReload(): void {
    if (this.reloadTimer !== null) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      void this.load();
    }, RELOAD_AFTER_CHANGE_MS);
  }

  private async load(): Promise<void> {
    this.loadAbort?.abort();
    const abort = new AbortController();
    this.loadAbort = abort;
    try {
      const report = await this.ctx.incidents.responseTimes(abort.signal);
      if (abort.signal.aborted) return;
      this.render(report);
    } catch (err) {
      if (abort.signal.aborted) return;
      // Figures already shown stay; the message says they could not be refreshed.
      this.message.hidden = false;
      this.message.classList.add("error");
      this.message.setAttribute("data-response-times-error", "");
      this.message.textContent = this.ctx.translator.t("responseTimes.error", { message: apiErrorText(this.ctx.translator, err) });
    }
  }

  private render(report: ResponseTimesReport): void {
    const { t } = this.ctx.translator;
    const providers = [...report.providers].sort((a, b) => this.collator.compare(a.providerName, b.providerName));
    this.tbody.replaceChildren(...providers.map((provider) => this.row(provider)));
    this.element.setAttribute("data-loaded", "true");
    this.message.classList.remove("error");
    this.message.removeAttribute("data-response-times-error");
    this.message.hidden = providers.length > 0;
    this.message.textContent = t("responseTimes.empty");
    this.truncatedNote.hidden = !report.truncated;
    this.truncatedNote.textContent = t("responseTimes.truncated", { n: this.ctx.format.number(report.maxIncidents, 0) });
  }

  private row(provider: ProviderResponseTimes): HTMLTableRowElement {
    const { t } = this.ctx.translator;
    const { format } = this.ctx;
    const count = (figure: string, label: string, n: number, sub: string | null = null) =>
      el("td", { class: "num", "data-figure": figure, "data-value": n, "data-label": label }, format.number(n, 0), sub === null ? null : el("span", { class: "sub" }, sub));
    const duration = (figure: string, label: string, ms: number | null) =>
      el("td", { class: "num", "data-figure": figure, "data-ms": ms ?? "", "data-label": label }, ms === null ? "—" : format.span(ms));
    const ack = t("responseTimes.col.timeToAck");
    const restore = t("responseTimes.col.timeToRestore");
    const median = t("responseTimes.col.median");
    const p90 = t("responseTimes.col.p90");
    const stats = (prefix: string, label: string, figures: DurationStats) => [
      duration(`${prefix}-median`, `${label} (${median})`, figures.medianMs),
      duration(`${prefix}-p90`, `${label} (${p90})`, figures.p90Ms),
    ];
    return el(
      "tr",
      { "data-response-times-provider": provider.provider },
      el("th", { scope: "row" }, provider.providerName),
      count("incidents", t("responseTimes.col.incidents"), provider.incidents, provider.open > 0 ? t("responseTimes.open", { n: format.number(provider.open, 0) }) : null),
      count("acknowledged", t("responseTimes.col.acknowledged"), provider.acknowledged),
      ...stats("ack", ack, provider.timeToAcknowledge),
      ...stats("restore", restore, provider.timeToRestore),
    );
  }
}
