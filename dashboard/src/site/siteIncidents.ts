import type { Incident } from "../../../protocol/incident.js";
import type { PageContext } from "../page.js";
import { apiErrorText } from "../apiErrorText.js";
import { el } from "../dom.js";
import { incidentHref, incidentsHref } from "../incidentRoutes.js";

/** Closed incidents the site page lists (the newest). */
const RECENT_CLOSED = 10;

/**
 * The site page's incidents: those open now and the latest closed ones concerning the site (`li[data-incident]`,
 * `data-state`), each a link to its page; kept current by live `incident` messages (refetched when one concerns the site).
 */
export class SiteIncidentsSection {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly abort = new AbortController();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ctx: PageContext,
    private readonly siteId: string,
  ) {
    const { t } = ctx.translator;
    this.list = el("div", {}, el("p", { class: "muted" }, t("overview.loading")));
    this.element = el(
      "section",
      { class: "card site-incidents", "data-site-incidents": "" },
      el("h2", {}, t("site.incidents"), " ", el("a", { class: "muted small", href: incidentsHref({ state: "open", site: siteId, provider: null, kind: null }) }, t("banner.link"))),
      this.list,
    );
    this.unsubscribe = ctx.incidentBoard.subscribe((change) => {
      if (change.kind === "resync" || change.incident.sites.some((s) => s.site === siteId)) void this.load();
    });
    void this.load();
  }

  destroy(): void {
    this.abort.abort();
    this.unsubscribe();
  }

  private async load(): Promise<void> {
    const { t } = this.ctx.translator;
    try {
      const ask = (state: "open" | "closed", limit: number) => this.ctx.incidents.list({ state, site: this.siteId, provider: null, kind: null, limit }, this.abort.signal);
      const [open, closed] = await Promise.all([ask("open", 100), ask("closed", RECENT_CLOSED)]);
      const incidents = [...open, ...closed];
      this.element.dataset.loaded = "true";
      this.element.dataset.open = String(open.length);
      if (incidents.length === 0) {
        this.list.replaceChildren(el("p", { class: "muted" }, t("site.noIncidents")));
        return;
      }
      this.list.replaceChildren(el("ul", { class: "incident-list" }, ...incidents.map((incident) => this.item(incident))));
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.list.replaceChildren(el("p", { class: "notice" }, t("error.generic", { message: apiErrorText(this.ctx.translator, err) })));
    }
  }

  private item(incident: Incident): HTMLElement {
    const { t } = this.ctx.translator;
    const format = this.ctx.format;
    const opened = incident.timeline.startTs;
    return el(
      "li",
      { "data-incident": incident.id, "data-state": incident.state, class: `incident-item ${incident.state}` },
      el("a", { href: incidentHref(incident.id) }, incident.number),
      " ",
      el("span", {}, incident.summary),
      " ",
      el("span", { class: "muted" }, `${t(incident.state === "open" ? "site.incidentOpen" : "site.incidentClosed")} · ${format.dateTime(opened)}`),
    );
  }
}
