import type { Logger } from "../../config/logger.js";
import type { Store } from "../store/store.js";
import { classifyGap } from "./gapClassifier.js";
import { desiredIncidents, type DesiredIncident, type ProviderOutagePolicy } from "./incidentRules.js";
import type { IncidentStore, StoredIncident } from "./incidentStore.js";
import type { SiteView } from "./siteView.js";

/** Told about every incident that opens, changes or closes (the dispatcher, the live hub, metrics). */
export interface IncidentListener {
  opened(incident: StoredIncident): void;
  updated(incident: StoredIncident): void;
  closed(incident: StoredIncident): void;
}

/** Everything the engine works from. Time is passed in. */
export interface IncidentEngineDeps {
  store: IncidentStore;
  samples: Pick<Store, "linkSamplesBetween">;
  policy: ProviderOutagePolicy;
  timeZone: string;
  now: () => number;
  siteViews: () => SiteView[];
  listener: IncidentListener;
  logger: Logger;
}

function sameShape(incident: StoredIncident, desired: DesiredIncident): boolean {
  return (
    incident.cause === desired.cause &&
    incident.severity === desired.severity &&
    incident.summary === desired.summary &&
    JSON.stringify(incident.sites) === JSON.stringify(desired.sites)
  );
}

/**
 * Whether the incident as wanted now says more than the stored one: a site or link it did not list, or another
 * cause or severity. Those told of it are owed an update then; a scope that only shrinks (sites coming back one by
 * one) is left to the recovery notice.
 */
function scopeGrew(incident: StoredIncident, desired: DesiredIncident): boolean {
  const listed = new Set(incident.sites.flatMap((site) => site.links.map((link) => `${site.site}/${link}`)));
  const gained = desired.sites.some((site) => site.links.some((link) => !listed.has(`${site.site}/${link}`)));
  return gained || incident.cause !== desired.cause || incident.severity !== desired.severity;
}

/**
 * A silent site's incident keeps its shape until it closes and is classified from the backfill: an agent back from
 * silence reports its links as it last judged them (down, after a link outage, until `recover_after` good rounds),
 * which must not turn the outage into an `all_links_down` incident that then closes unclassified.
 */
function awaitingClassification(incident: StoredIncident): boolean {
  return incident.kind === "site" && incident.cause === "agent_silent";
}

/**
 * Keeps the open incidents equal to what the sites' state calls for (see {@link desiredIncidents}): opens what is
 * new, updates what grew, closes what ended. A link incident taken over by a site or provider incident is closed as
 * merged (its report, if still waiting, is never sent). A silent site's incident stays open until the agent's backlog
 * is in, then is classified from the samples measured during the silence (link outage, or power/agent outage).
 */
export class IncidentEngine {
  constructor(private readonly deps: IncidentEngineDeps) {}

  /** Compares the state now with the open incidents and acts on the difference. */
  evaluate(): void {
    const { store, listener, now } = this.deps;
    const nowMs = now();
    const views = this.deps.siteViews();
    const open = new Map(store.openIncidents().map((incident) => [incident.key, incident]));
    const openProviders = new Set([...open.values()].filter((i) => i.kind === "provider" && i.provider).map((i) => i.provider!));
    const desired = desiredIncidents(views, this.deps.policy, openProviders, this.deps.timeZone);
    const current = new Map<string, StoredIncident>();

    for (const wanted of desired) {
      const existing = open.get(wanted.key);
      if (!existing) {
        const opened = store.openIncident({ ...wanted, detectedTs: nowMs });
        this.deps.logger.info("incident opened", { id: opened.id, number: opened.number, key: opened.key, cause: opened.cause });
        listener.opened(opened);
        current.set(wanted.key, opened);
      } else if (!sameShape(existing, wanted) && !awaitingClassification(existing)) {
        const updated = store.updateIncident(existing.id, { cause: wanted.cause, severity: wanted.severity, sites: wanted.sites, summary: wanted.summary, evidence: wanted.evidence, ...(scopeGrew(existing, wanted) ? { scopeChangedTs: nowMs } : {}) })!;
        listener.updated(updated);
        current.set(wanted.key, updated);
      } else {
        current.set(wanted.key, existing);
      }
    }

    for (const [key, incident] of open) {
      if (current.has(key)) continue;
      const closed = this.close(incident, current, views, nowMs);
      if (closed) {
        this.deps.logger.info("incident closed", { id: closed.id, number: closed.number, cause: closed.cause, mergedInto: closed.mergedInto });
        listener.closed(closed);
      }
    }
  }

  private close(incident: StoredIncident, current: Map<string, StoredIncident>, views: SiteView[], nowMs: number): StoredIncident | null {
    const { store } = this.deps;
    const siteId = incident.sites[0]?.site;
    const view = views.find((v) => v.id === siteId);
    if (incident.kind === "link") {
      const wider = current.get(`site:${siteId}`) ?? (incident.provider ? current.get(`provider:${incident.provider}`) : undefined);
      if (wider) return store.updateIncident(incident.id, { endTs: nowMs, mergedInto: wider.id });
      const link = view?.links.find((l) => l.id === incident.link);
      const restoredTs = link && (link.state === "up" || link.state === "degraded") && link.sinceTs ? link.sinceTs : nowMs;
      return store.updateIncident(incident.id, { restoredTs, endTs: nowMs });
    }
    if (incident.kind === "site" && incident.cause === "agent_silent" && view) {
      if (view.backfillPending) return null; // classify once the agent's backlog is in
      const gap = classifyGap(this.deps.samples.linkSamplesBetween(view.id, incident.timeline.startTs, nowMs), incident.timeline.startTs, nowMs, this.deps.timeZone);
      const failed = view.links.filter((l) => gap.failedLinks.includes(l.id));
      const providers = [...new Set(failed.map((l) => l.provider))];
      const changes = {
        cause: gap.cause,
        evidence: [...incident.evidence, ...gap.evidence],
        restoredTs: gap.restoredTs,
        endTs: nowMs,
        ...(gap.cause === "links_down_while_silent" ? { sites: [{ ...incident.sites[0]!, links: gap.failedLinks }] } : {}),
        // The report to the vendor needs its provider: with every failed link from one provider, it is that one.
        ...(gap.cause === "links_down_while_silent" && providers.length === 1 ? { provider: providers[0]!, providerName: failed[0]!.providerName } : {}),
      };
      return store.updateIncident(incident.id, changes);
    }
    // Only the incident's own links say when it was restored: a provider incident's sites have other providers'
    // links, up all along, whose sinceTs would put the restoration before the outage began.
    const back = incident.sites.flatMap((entry) => {
      const affected = views.find((v) => v.id === entry.site)?.links.filter((l) => entry.links.includes(l.id)) ?? [];
      return affected.filter((l) => l.state === "up" || l.state === "degraded").map((l) => l.sinceTs);
    }).filter((ts) => ts > 0);
    return store.updateIncident(incident.id, { restoredTs: back.length > 0 ? Math.min(...back) : nowMs, endTs: nowMs });
  }
}
