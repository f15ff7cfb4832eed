import "./sla.css";
import type { SlaCircuit, SlaFigures, SlaProvider, SlaReport } from "../../../protocol/sla.js";
import { apiErrorText } from "../apiErrorText.js";
import { el } from "../dom.js";
import type { Page, PageContext } from "../page.js";
import { fetchSlaReport, slaCsvUrl } from "./slaApi.js";
import { currentMonth, slaHref } from "./slaRoute.js";

/** "03/2026" from "2026-03". */
function monthLabel(month: string): string {
  const [year, m] = month.split("-");
  return `${m}/${year}`;
}

/**
 * The SLA report of one month (`#/sla?month=YYYY-MM`): a table per provider (its totals against its target), then
 * its circuits; a month picker, the CSV download and a print button. Printable: the print stylesheet (sla.css)
 * hides the navigation and controls and keeps each table's header on every page.
 */
export class SlaPage implements Page {
  readonly element: HTMLElement;
  readonly #context: PageContext;
  readonly #month: string;
  readonly #body = el("div", { class: "sla-body" });
  readonly #abort = new AbortController();

  constructor(context: PageContext, month: string | null) {
    this.#context = context;
    this.#month = month ?? currentMonth(context.now());
    const { t } = context.translator;
    const picker = el("input", { type: "month", id: "sla-month", value: this.#month, max: currentMonth(context.now()) });
    const form = el("form", { class: "sla-controls no-print" }, el("label", { for: "sla-month" }, t("sla.month")), picker, el("button", { type: "submit", class: "button" }, t("sla.show")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (/^\d{4}-\d{2}$/.test(picker.value)) location.hash = slaHref(picker.value);
    });
    const print = el("button", { type: "button", class: "button no-print" }, t("sla.print"));
    print.addEventListener("click", () => window.print());
    const csv = el("a", { class: "button no-print", href: slaCsvUrl(this.#month), download: `sla-${this.#month}.csv` }, t("sla.csv"));
    this.element = el(
      "section",
      { class: "page sla-page" },
      el("h1", {}, t("sla.heading", { month: monthLabel(this.#month) })),
      el("div", { class: "sla-toolbar" }, form, csv, print),
      this.#body,
    );
    document.title = `${t("sla.heading", { month: monthLabel(this.#month) })} — ${t("app.brand")}`;
    void this.#load();
  }

  destroy(): void {
    this.#abort.abort();
  }

  async #load(): Promise<void> {
    const { t } = this.#context.translator;
    this.#body.replaceChildren(el("p", { class: "muted", role: "status" }, t("sla.loading")));
    try {
      const report = await fetchSlaReport(this.#month, this.#abort.signal);
      this.#body.replaceChildren(...this.#render(report));
    } catch (err) {
      if (this.#abort.signal.aborted) return;
      this.#body.replaceChildren(el("p", { class: "error", role: "alert" }, apiErrorText(this.#context.translator, err)));
    }
  }

  #render(report: SlaReport): HTMLElement[] {
    const { t } = this.#context.translator;
    const out: HTMLElement[] = [];
    if (report.partial) out.push(el("p", { class: "sla-partial" }, t("sla.partial", { time: this.#context.format.dateTime(report.throughTs) })));
    if (report.circuits.length === 0) return [...out, el("p", { class: "muted" }, t("sla.empty"))];
    out.push(el("h2", {}, t("sla.providers")), this.#providerTable(report.providers));
    out.push(el("h2", {}, t("sla.circuits")));
    for (const provider of report.providers) out.push(this.#circuitTable(provider, report.circuits.filter((c) => c.provider === provider.provider)));
    out.push(el("p", { class: "sla-note muted" }, t("sla.note")));
    return out;
  }

  #providerTable(providers: readonly SlaProvider[]): HTMLElement {
    const { t } = this.#context.translator;
    const head = [t("sla.col.provider"), t("sla.col.circuits"), ...this.#figureHeads()];
    return table(head, providers.map((p) => [p.providerName, this.#context.format.number(p.circuits, 0), ...this.#figureCells(p)]), "sla-providers");
  }

  #circuitTable(provider: SlaProvider, circuits: readonly SlaCircuit[]): HTMLElement {
    const { t } = this.#context.translator;
    const head = [t("sla.col.site"), t("sla.col.circuit"), ...this.#figureHeads()];
    return el("div", { class: "sla-provider-block" }, el("h3", {}, provider.providerName), table(head, circuits.map((c) => [c.siteName, c.circuit, ...this.#figureCells(c)]), "sla-circuits"));
  }

  #figureHeads(): string[] {
    const { t } = this.#context.translator;
    return [t("sla.col.target"), t("sla.col.availability"), t("sla.col.office"), t("sla.col.coverage"), t("sla.col.outages"), t("sla.col.outageTime"), t("sla.col.mtta"), t("sla.col.mttr"), t("sla.col.met")];
  }

  #figureCells(f: SlaFigures): Array<string | HTMLElement> {
    const { format, translator } = this.#context;
    const pct = (value: number | null) => (value === null ? "—" : `${format.number(value, 3)} %`);
    const span = (ms: number | null) => (ms === null ? "—" : ms === 0 ? "0" : format.span(ms));
    const met = f.met === null ? translator.t("sla.met.none") : f.met ? translator.t("sla.met.yes") : translator.t("sla.met.no");
    return [pct(f.targetPct), pct(f.allHours.availabilityPct), pct(f.officeHours.availabilityPct), pct(f.allHours.coveragePct), format.number(f.outages, 0), span(f.outageMs), span(f.response.mttaMs), span(f.response.mttrMs), el("span", { class: `sla-met sla-met-${f.met === null ? "none" : f.met ? "yes" : "no"}` }, met)];
  }
}

function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | HTMLElement>>, className: string): HTMLElement {
  return el(
    "table",
    { class: `table ${className}` },
    el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((cell) => el("td", {}, cell))))),
  );
}
