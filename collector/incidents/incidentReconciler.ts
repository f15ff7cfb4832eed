import type { Logger } from "../../config/logger.js";
import type { LoadedGap } from "./gapOutcomes.js";
import type { DesiredIncident } from "./incidentRules.js";
import type { IncidentStore, StoredIncident } from "./incidentStore.js";
import type { OpenIncidents } from "./openIncidentIndex.js";
import type { SiteView } from "./siteView.js";

/** Told about every incident that opens, changes or closes (the dispatcher, the live hub, metrics). */
export interface IncidentListener {
  opened(incident: StoredIncident): void;
  updated(incident: StoredIncident): void;
  closed(incident: StoredIncident): void;
}

/**
 * What one evaluation decided: the cause keys it looked at, and among them the incidents the state calls for now
 * (site incidents first, then provider, then link ones: the order they are opened in). A key looked at and not
 * wanted is closed if open; a key not looked at is left as it is, and still called for if open.
 */
export interface Judgement {
  keys: ReadonlySet<string>;
  desired: readonly DesiredIncident[];
}

/** What the reconciler works from. */
export interface ReconcilerDeps {
  /** Where incidents are written (through the store breaker in the collector). */
  store: IncidentStore;
  /** The open incidents by key, kept up to date by the writes to `store`. */
  open: Pick<OpenIncidents, "byKey">;
  /**
   * A silent site's link outcomes from the silence's start (GapOutcomeLoader.take): null while they are being read
   * (the incident then stays open and the site is judged again once they are in).
   */
  gapOutcomes(siteId: string, fromTs: number, nowMs: number): LoadedGap | null;
  timeZone: string;
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
 * Makes the open incidents among a judgement's keys equal to what it calls for: opens what is new, updates what grew,
 * closes what ended. A link incident taken over by a site or provider incident that lists its link is closed as
 * merged (its report, if still waiting, is never sent); one whose site or link is no longer configured just ends. A
 * silent site's incident stays open until the agent's backlog is in, then is classified from the samples measured
 * during the silence (link outage, or power/agent outage). `view` gives the sites as the judgement saw them. Work is
 * proportional to the judgement, not to the open incidents.
 */
export function reconcile(deps: ReconcilerDeps, judgement: Judgement, view: (siteId: string) => SiteView | undefined, nowMs: number): void {
  const { store, listener, open } = deps;
  const current = new Map<string, StoredIncident>();
  for (const wanted of judgement.desired) {
    const existing = open.byKey(wanted.key);
    if (!existing) {
      const opened = store.openIncident({ ...wanted, detectedTs: nowMs });
      deps.logger.info("incident opened", { id: opened.id, number: opened.number, key: opened.key, cause: opened.cause });
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
  // A key not looked at is called for exactly when it is open (the last evaluation that looked at it made it so).
  const calledFor = (key: string): StoredIncident | undefined => current.get(key) ?? (judgement.keys.has(key) ? undefined : open.byKey(key));
  for (const key of judgement.keys) {
    if (current.has(key)) continue;
    const incident = open.byKey(key);
    if (!incident) continue;
    const closed = close(deps, incident, calledFor, view, nowMs);
    if (closed) {
      deps.logger.info("incident closed", { id: closed.id, number: closed.number, cause: closed.cause, mergedInto: closed.mergedInto });
      listener.closed(closed);
    }
  }
}

/** Whether the (wider) incident lists the site's link: only then can it take over that link's incident. */
function covers(incident: StoredIncident, siteId: string, linkId: string): boolean {
  return incident.sites.some((entry) => entry.site === siteId && entry.links.includes(linkId));
}

function close(deps: ReconcilerDeps, incident: StoredIncident, calledFor: (key: string) => StoredIncident | undefined, view: (siteId: string) => SiteView | undefined, nowMs: number): StoredIncident | null {
  const { store } = deps;
  const siteId = incident.sites[0]?.site;
  const site = siteId === undefined ? undefined : view(siteId);
  if (incident.kind === "link") {
    const link = site?.links.find((l) => l.id === incident.link);
    if (!link) {
      // The site or link is gone from the configuration: the incident ends here; nothing wider can be about it.
      return store.updateIncident(incident.id, { restoredTs: nowMs, endTs: nowMs, evidence: [...incident.evidence, `Đường truyền ${incident.link ?? ""} tại ${incident.sites[0]?.siteName ?? siteId ?? ""} không còn trong cấu hình giám sát`] });
    }
    const wider = [calledFor(`site:${siteId}`), incident.provider ? calledFor(`provider:${incident.provider}`) : undefined].find((candidate) => candidate && covers(candidate, siteId!, link.id));
    if (wider) return store.updateIncident(incident.id, { endTs: nowMs, mergedInto: wider.id });
    const restoredTs = (link.state === "up" || link.state === "degraded") && link.sinceTs ? link.sinceTs : nowMs;
    return store.updateIncident(incident.id, { restoredTs, endTs: nowMs });
  }
  if (incident.kind === "site" && incident.cause === "agent_silent" && site) {
    if (site.backfillPending) return null; // classify once the agent's backlog is in
    const loaded = deps.gapOutcomes(site.id, incident.timeline.startTs, nowMs);
    if (!loaded) return null; // being read from the sample store: classified at the evaluation after
    const gap = loaded.tally.classify(deps.timeZone);
    const failed = site.links.filter((l) => gap.failedLinks.includes(l.id));
    const providers = [...new Set(failed.map((l) => l.provider))];
    const changes = {
      cause: gap.cause,
      evidence: [...incident.evidence, ...gap.evidence],
      restoredTs: gap.restoredTs,
      endTs: nowMs,
      // In the site's configured order (the outcomes come ordered by time and link name).
      ...(gap.cause === "links_down_while_silent" ? { sites: [{ ...incident.sites[0]!, links: failed.map((l) => l.id) }] } : {}),
      // The report to the vendor needs its provider: with every failed link from one provider, it is that one.
      ...(gap.cause === "links_down_while_silent" && providers.length === 1 ? { provider: providers[0]!, providerName: failed[0]!.providerName } : {}),
    };
    return store.updateIncident(incident.id, changes);
  }
  // Only the incident's own links say when it was restored: a provider incident's sites have other providers'
  // links, up all along, whose sinceTs would put the restoration before the outage began.
  const back = incident.sites.flatMap((entry) => {
    const affected = view(entry.site)?.links.filter((l) => entry.links.includes(l.id)) ?? [];
    return affected.filter((l) => l.state === "up" || l.state === "degraded").map((l) => l.sinceTs);
  }).filter((ts) => ts > 0);
  return store.updateIncident(incident.id, { restoredTs: back.length > 0 ? Math.min(...back) : nowMs, endTs: nowMs });
}
