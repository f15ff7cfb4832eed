import type { IncidentKind } from "../../protocol/incident.js";
import type { Translator } from "./i18n.js";
import type { IncidentFilter } from "./incidentRoutes.js";
import { el } from "./dom.js";
import { kindLabel } from "./incidentLabels.js";
import { INCIDENT_KINDS } from "./incidentRoutes.js";

/** One choice of a filter list: the value sent to the API and the name shown. */
export interface FilterOption {
  value: string;
  label: string;
}

/**
 * The incidents page's controls: the Open/Closed tabs (`[data-tab="open|closed"]`, `aria-pressed`) and the
 * kind, site and provider lists (`[data-filter-kind]`, `[data-filter-site]`, `[data-filter-provider]`, value ""
 * for any). Every change calls `onChange` with the whole new filter.
 */
export class IncidentFilterBar {
  readonly element: HTMLElement;
  private readonly tabs: HTMLElement;
  private readonly kind: HTMLSelectElement;
  private readonly site: HTMLSelectElement;
  private readonly provider: HTMLSelectElement;
  private readonly clear: HTMLButtonElement;
  private filter: IncidentFilter;
  private optionsKey = "";

  constructor(
    private readonly translator: Translator,
    initial: IncidentFilter,
    private readonly onChange: (filter: IncidentFilter) => void,
  ) {
    const { t } = translator;
    this.filter = initial;
    this.tabs = el("div", { class: "tabs", role: "group", "aria-label": t("incidents.tabs") });
    this.kind = el("select", { class: "select", "data-filter-kind": "" });
    this.site = el("select", { class: "select", "data-filter-site": "" });
    this.provider = el("select", { class: "select", "data-filter-provider": "" });
    this.clear = el("button", { type: "button", class: "button link-button", "data-filter-clear": "" }, t("incidents.filter.clear"));
    const field = (label: string, select: HTMLSelectElement) => el("label", { class: "field" }, el("span", { class: "field-label" }, label), select);
    this.element = el(
      "div",
      { class: "incident-controls" },
      this.tabs,
      el(
        "div",
        { class: "filters", role: "group", "aria-label": t("incidents.filters") },
        field(t("incidents.filter.kind"), this.kind),
        field(t("incidents.filter.site"), this.site),
        field(t("incidents.filter.provider"), this.provider),
        this.clear,
      ),
    );
    this.kind.addEventListener("change", () => this.change({ kind: INCIDENT_KINDS.find((kind) => kind === this.kind.value) ?? null }));
    this.site.addEventListener("change", () => this.change({ site: this.site.value || null }));
    this.provider.addEventListener("change", () => this.change({ provider: this.provider.value || null }));
    this.clear.addEventListener("click", () => this.change({ kind: null, site: null, provider: null }));
    this.fillSelect(this.kind, INCIDENT_KINDS.map((kind: IncidentKind) => ({ value: kind, label: kindLabel(translator, kind) })), initial.kind);
    this.setOptions([], []);
    this.renderTabs();
  }

  /** Refills the site and provider lists (sorted by the caller); the current choice stays even when not in them. */
  setOptions(sites: FilterOption[], providers: FilterOption[]): void {
    // Refilling an open list would close it under the user's pointer: only when something changed.
    const key = JSON.stringify([sites, providers, this.filter.site, this.filter.provider]);
    if (key === this.optionsKey) return;
    this.optionsKey = key;
    this.fillSelect(this.site, withCurrent(sites, this.filter.site), this.filter.site);
    this.fillSelect(this.provider, withCurrent(providers, this.filter.provider), this.filter.provider);
  }

  private change(patch: Partial<IncidentFilter>): void {
    this.filter = { ...this.filter, ...patch };
    this.kind.value = this.filter.kind ?? "";
    this.site.value = this.filter.site ?? "";
    this.provider.value = this.filter.provider ?? "";
    this.renderTabs();
    this.onChange(this.filter);
  }

  private renderTabs(): void {
    const { t } = this.translator;
    this.tabs.replaceChildren(
      ...(["open", "closed"] as const).map((state) => {
        const tab = el("button", { type: "button", class: "button tab", "data-tab": state, "aria-pressed": String(this.filter.state === state) }, t(`incidents.tab.${state}`));
        tab.addEventListener("click", () => {
          if (this.filter.state !== state) this.change({ state });
        });
        return tab;
      }),
    );
    this.clear.hidden = this.filter.kind === null && this.filter.site === null && this.filter.provider === null;
  }

  private fillSelect(select: HTMLSelectElement, options: FilterOption[], current: string | null): void {
    const any = el("option", { value: "" }, this.translator.t("incidents.filter.any"));
    select.replaceChildren(any, ...options.map((option) => el("option", { value: option.value }, option.label)));
    select.value = current ?? "";
  }
}

/** The options plus the current value when it is not among them (a filter from a shared link). */
function withCurrent(options: FilterOption[], current: string | null): FilterOption[] {
  if (current === null || options.some((option) => option.value === current)) return options;
  return [{ value: current, label: current }, ...options];
}
