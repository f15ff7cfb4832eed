import type { Incident } from "../../protocol/incident.js";
import type { Page, PageContext } from "./page.js";
import { ApiError } from "./api.js";
import { apiErrorText } from "./apiErrorText.js";
import { linkKindName } from "./badges.js";
import { el, present } from "./dom.js";
import { IncidentActions } from "./incidentActions.js";
import { incidentDeliveries } from "./incidentDeliveries.js";
import { causeLabel, incidentStateBadge, kindLabel, severityBadge } from "./incidentLabels.js";
import { incidentsHref } from "./incidentRoutes.js";
import { incidentDuration, refreshDurations } from "./incidentRow.js";
import { incidentTimeline } from "./incidentTimeline.js";
import { siteHref } from "./siteRow.js";

/** The page is redrawn this often while the incident is open, so durations "so far" move, ms. */
const OPEN_REFRESH_MS = 30_000;

/**
 * One incident (route `#/incidents/<id>`): the header (number, summary, state, severity, kind, cause, provider,
 * link, circuit, start, duration, vendor ticket), the timeline with the times to acknowledge and restore, the
 * acknowledge and close actions, the affected sites, the evidence and every delivery attempt. A live `incident`
 * message for it redraws everything but the actions' inputs.
 */
export class IncidentPage implements Page {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly body: HTMLElement;
  private readonly message: HTMLElement;
  private readonly actions: IncidentActions;
  private readonly abort = new AbortController();
  private readonly unsubscribe: () => void;
  private readonly ticker: ReturnType<typeof setInterval>;
  private incident: Incident | null = null;

  constructor(
    private readonly ctx: PageContext,
    private readonly incidentId: string,
  ) {
    const { t } = ctx.translator;
    this.header = el("header", { class: "site-head incident-head" });
    this.body = el("div", { class: "incident-body" });
    this.message = el("p", { class: "table-message", role: "status" }, t("overview.loading"));
    this.actions = new IncidentActions(ctx.translator, ctx.incidents, incidentId, this.abort.signal, () => this.load(), ctx.access);
    this.actions.element.hidden = true;
    this.element = el(
      "section",
      { class: "page incident-page", "data-page": "incident", "data-incident-id": incidentId },
      el("p", { class: "back" }, el("a", { href: incidentsHref() }, t("incident.back"))),
      this.header,
      this.message,
      this.actions.element,
      this.body,
    );
    this.unsubscribe = ctx.incidentBoard.subscribe((change) => {
      if (change.kind === "resync") void this.load();
      else if (this.isThis(change.incident)) this.show(change.incident);
    });
    this.ticker = setInterval(() => {
      if (this.incident?.state === "open") this.show(this.incident);
      else refreshDurations(this.element, ctx.format, ctx.now());
    }, OPEN_REFRESH_MS);
    const known = /^\d+$/.test(incidentId) ? ctx.incidentBoard.get(Number(incidentId)) : undefined;
    if (known) this.show(known);
    void this.load();
  }

  destroy(): void {
    this.abort.abort();
    this.unsubscribe();
    clearInterval(this.ticker);
  }

  private async load(): Promise<void> {
    const requestedAt = this.ctx.incidentBoard.mark();
    try {
      const incident = await this.ctx.incidents.get(this.incidentId, this.abort.signal);
      this.show(this.ctx.incidentBoard.apply(incident, requestedAt));
    } catch (err) {
      if (this.abort.signal.aborted || this.incident) return;
      const { t } = this.ctx.translator;
      this.message.setAttribute("data-error", "");
      this.message.classList.add("error");
      this.message.textContent =
        err instanceof ApiError && err.status === 404 ? t("incident.notFound", { id: this.incidentId }) : t("error.generic", { message: apiErrorText(this.ctx.translator, err) });
    }
  }

  /** The route names an incident by its id (123) or its number ("SC-000123"); the API takes both. */
  private isThis(incident: Incident): boolean {
    if (this.incident) return incident.id === this.incident.id;
    return String(incident.id) === this.incidentId || incident.number.toUpperCase() === this.incidentId.toUpperCase();
  }

  private show(incident: Incident): void {
    this.incident = incident;
    this.element.dataset.incidentId = String(incident.id);
    this.message.hidden = true;
    this.message.removeAttribute("data-error");
    document.title = `${incident.number} — ${this.ctx.translator.t("app.brand")}`;
    const now = this.ctx.now();
    this.renderHeader(incident, now);
    this.actions.update(incident);
    const { translator, format } = this.ctx;
    this.body.replaceChildren(
      el("section", { class: "card" }, el("h2", {}, translator.t("incident.timeline")), incidentTimeline(translator, format, incident, now)),
      el("div", { class: "incident-grid" }, this.sitesCard(incident), this.evidenceCard(incident)),
      incidentDeliveries(translator, format, incident),
    );
  }

  private renderHeader(incident: Incident, now: number): void {
    const { translator, format } = this.ctx;
    const { t } = translator;
    this.header.dataset.incidentState = incident.state;
    const fact = (label: string, value: Node | string | null, attributes: Record<string, string> = {}) =>
      value === null ? [] : [el("dt", {}, label), el("dd", attributes, value)];
    const linkText = incident.link === null ? null : incident.linkKind ? `${linkKindName(translator, { kind: incident.linkKind })} — ${incident.link}` : incident.link;
    const ended = incident.timeline.restoredTs ?? incident.timeline.endTs;
    this.header.replaceChildren(
      el(
        "div",
        { class: "site-title" },
        el("h1", {}, el("span", { class: "incident-no", "data-incident-number": "" }, incident.number), " ", incident.summary),
        incidentStateBadge(translator, incident.state),
        severityBadge(translator, incident.severity),
      ),
      el(
        "dl",
        { class: "facts inline" },
        ...fact(t("incident.kind"), kindLabel(translator, incident.kind)),
        ...fact(t("incident.cause"), causeLabel(translator, incident.cause), { "data-cause": incident.cause }),
        ...fact(t("incident.provider"), incident.providerName ?? incident.provider),
        ...fact(t("incident.link"), linkText),
        ...fact(t("incident.circuit"), incident.circuit),
        ...fact(t("incident.startedAt"), format.dateTime(incident.timeline.startTs)),
        ...fact(t(ended === null ? "incident.lasting" : "incident.duration"), incidentDuration(translator, format, incident, now)),
        ...fact(t("incident.vendorTicket"), incident.vendorTicket ?? el("span", { class: "muted" }, t("incident.noTicket")), { "data-vendor-ticket": incident.vendorTicket ?? "" }),
        ...fact(t("incident.acknowledgedBy"), incident.acknowledgedBy),
      ),
    );
  }

  private sitesCard(incident: Incident): HTMLElement {
    const { t } = this.ctx.translator;
    return el(
      "section",
      { class: "card" },
      el("h2", {}, t("incident.sites")),
      el(
        "ul",
        { class: "affected-sites" },
        ...incident.sites.map((site) =>
          el(
            "li",
            { "data-affected-site": site.site },
            el("a", { href: siteHref(site.site) }, site.siteName),
            ...present(site.links.length > 0 ? el("span", { class: "sub" }, t("incident.siteLinks", { links: site.links.join(", ") })) : null),
          ),
        ),
      ),
    );
  }

  private evidenceCard(incident: Incident): HTMLElement {
    const { t } = this.ctx.translator;
    return el(
      "section",
      { class: "card" },
      el("h2", {}, t("incident.evidence")),
      incident.evidence.length > 0
        ? el("ul", { class: "evidence", "data-evidence": "" }, ...incident.evidence.map((line) => el("li", {}, line)))
        : el("p", { class: "muted" }, t("incident.noEvidence")),
    );
  }
}
