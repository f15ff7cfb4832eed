import type { Incident } from "../../protocol/incident.js";
import type { PageContext } from "./page.js";
import { apiErrorText } from "./apiErrorText.js";
import { el } from "./dom.js";
import { deliveryStatus } from "./incidentLabels.js";
import { incidentsHref } from "./incidentRoutes.js";
import { INCIDENT_LIST_LIMIT } from "./incidentsPage.js";

/**
 * The overview's line about open incidents, a link to the incidents page: `a[data-open-incidents="<n>"]`
 * ("3 sự cố đang mở · 1 nghiêm trọng · 2 chưa xác nhận tiếp nhận · 1 chưa gửi được thông báo"), or
 * "Không có sự cố nào đang mở". Kept current by live `incident` messages; `[data-open-incidents-error]`
 * when the list could not be loaded.
 */
export class OpenIncidentsBanner {
  readonly element: HTMLAnchorElement;
  private readonly open = new Map<number, Incident>();
  private readonly abort = new AbortController();
  private readonly unsubscribe: () => void;
  private loaded = false;

  /** `onOpenChange`, when given, hears the open incidents (by id) each time the set is loaded or changes. */
  constructor(
    private readonly ctx: PageContext,
    private readonly onOpenChange?: (open: ReadonlyMap<number, Incident>) => void,
  ) {
    this.element = el("a", { class: "incident-banner loading", href: incidentsHref(), "data-open-incidents": "" }, ctx.translator.t("overview.loading"));
    this.unsubscribe = ctx.incidentBoard.subscribe((change) => {
      if (change.kind === "resync") {
        void this.load();
        return;
      }
      if (!this.loaded) return;
      if (change.incident.state === "open") this.open.set(change.incident.id, change.incident);
      else this.open.delete(change.incident.id);
      this.render();
    });
    void this.load();
  }

  destroy(): void {
    this.abort.abort();
    this.unsubscribe();
  }

  private async load(): Promise<void> {
    const requestedAt = this.ctx.incidentBoard.mark();
    try {
      const list = await this.ctx.incidents.list({ state: "open", site: null, provider: null, kind: null, limit: INCIDENT_LIST_LIMIT }, this.abort.signal);
      this.open.clear();
      for (const fetched of list) {
        const incident = this.ctx.incidentBoard.apply(fetched, requestedAt);
        if (incident.state === "open") this.open.set(incident.id, incident);
      }
      this.loaded = true;
      this.render();
    } catch (err) {
      if (this.abort.signal.aborted) return;
      // Never silent: the team must know the count is unknown, not zero.
      this.element.className = "incident-banner error";
      this.element.setAttribute("data-open-incidents-error", "");
      this.element.textContent = this.ctx.translator.t("banner.error", { message: apiErrorText(this.ctx.translator, err) });
    }
  }

  private render(): void {
    this.onOpenChange?.(this.open);
    const { t } = this.ctx.translator;
    const format = this.ctx.format;
    const incidents = [...this.open.values()];
    const count = (predicate: (incident: Incident) => boolean) => incidents.filter(predicate).length;
    const critical = count((incident) => incident.severity === "critical");
    const waiting = count((incident) => incident.timeline.acknowledgedTs === null);
    const undelivered = count((incident) => deliveryStatus(incident.deliveries).undelivered.length > 0);
    this.element.removeAttribute("data-open-incidents-error");
    this.element.dataset.openIncidents = String(incidents.length);
    this.element.className = `incident-banner ${incidents.length > 0 ? "has-open" : "none-open"}`;
    if (incidents.length === 0) {
      this.element.replaceChildren(el("span", { class: "banner-main" }, `✓ ${t("banner.none")}`), el("span", { class: "banner-link" }, t("banner.link")));
      return;
    }
    const parts = [
      critical > 0 ? el("span", { class: "banner-part", "data-open-critical": critical }, t("banner.critical", { n: format.number(critical, 0) })) : null,
      waiting > 0 ? el("span", { class: "banner-part", "data-open-unacknowledged": waiting }, t("banner.notAcknowledged", { n: format.number(waiting, 0) })) : null,
      undelivered > 0 ? el("span", { class: "banner-part failed", "data-open-undelivered": undelivered }, `✗ ${t("banner.undelivered", { n: format.number(undelivered, 0) })}`) : null,
    ].filter((part): part is HTMLElement => part !== null);
    this.element.replaceChildren(
      el("span", { class: "banner-main" }, el("span", { "aria-hidden": "true" }, "⚠ "), t("banner.open", { n: format.number(incidents.length, 0) })),
      ...parts.flatMap((part) => [el("span", { class: "banner-sep", "aria-hidden": "true" }, "·"), part]),
      el("span", { class: "banner-link" }, t("banner.link")),
    );
  }
}
