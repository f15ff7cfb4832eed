import type { MaintenanceWindow, SiteLinkConfig } from "../../config/collectorSchema.js";
import type { SlaResponse } from "../../protocol/sla.js";
import type { StoredIncident } from "../incidents/incidentStore.js";
import { countsForProvider } from "../incidents/responseTimes.js";

/** What the SLA reads of an incident: its classification, vendor, sites and links, and timeline (UTC ms). */
export type SlaIncident = Pick<StoredIncident, "id" | "kind" | "cause" | "state" | "provider" | "providerName" | "mergedInto" | "sites" | "timeline">;

/** Where the SLA reads incidents from: those whose startTs is in [fromTs, toTs) (UTC ms), at most `limit`. */
export interface SlaIncidentSource {
  incidentsStartedIn(window: { fromTs: number; toTs: number; limit: number }): SlaIncident[];
}

/** How long before a month an outage put down to the site may have begun and still reach into it, ms (31 days). */
export const POWER_LOOKBACK_MS = 31 * 86_400_000;

/**
 * The stretches of the site's time the incident engine put down to the site itself, [start, end) UTC ms: site
 * incidents classified `power_or_agent` (after the backfill, no samples at all: a power cut, or the agent stopped),
 * from the silence's start to when measuring resumed (`restoredTs`; while still open, to `nowMs`).
 */
export function siteOutages(site: string, incidents: readonly SlaIncident[], nowMs: number): Array<[number, number]> {
  return incidents
    .filter((incident) => incident.kind === "site" && incident.cause === "power_or_agent" && incident.sites.some((s) => s.site === site))
    .map((incident) => [incident.timeline.startTs, incident.timeline.restoredTs ?? incident.timeline.endTs ?? nowMs] as [number, number]);
}

/**
 * The maintenance windows that cover a link, [start, end) UTC ms: those naming no provider or the link's, and no
 * sites or the link's site (the same reading as muting, collector/alerts/maintenance.ts).
 */
export function maintenanceOf(site: string, link: SiteLinkConfig, windows: readonly MaintenanceWindow[]): Array<[number, number]> {
  return windows
    .filter((w) => (w.provider === null || w.provider === link.provider) && (w.sites === null || w.sites.includes(site)))
    .map((w) => [w.startTs, w.endTs] as [number, number]);
}

/**
 * Whether the incident counts for the circuit (site, link): it counts for its vendor (responseTimes.ts: a link,
 * provider or link-outage-while-silent incident, not merged into another) and lists that link at that site.
 */
export function incidentConcerns(incident: SlaIncident, site: string, link: string): boolean {
  return countsForProvider(incident) && incident.sites.some((entry) => entry.site === site && entry.links.includes(link));
}

/**
 * Response figures over `incidents` (each counted once): how many, how many acknowledged, mean time to acknowledge
 * (acknowledgedTs − notifiedTs, over those with both; one acknowledged before its first notification counts 0) and to
 * restore (restoredTs − startTs, over those restored), ms rounded.
 */
export function responseOf(incidents: readonly SlaIncident[]): SlaResponse {
  const toAck: number[] = [];
  const toRestore: number[] = [];
  let acknowledged = 0;
  for (const { timeline } of incidents) {
    if (timeline.acknowledgedTs !== null) {
      acknowledged += 1;
      if (timeline.notifiedTs !== null) toAck.push(Math.max(0, timeline.acknowledgedTs - timeline.notifiedTs));
    }
    if (timeline.restoredTs !== null) toRestore.push(Math.max(0, timeline.restoredTs - timeline.startTs));
  }
  return { incidents: incidents.length, acknowledged, mttaMs: mean(toAck), mttrMs: mean(toRestore) };
}

function mean(values: readonly number[]): number | null {
  return values.length > 0 ? Math.round(values.reduce((a, b) => a + b, 0) / values.length) : null;
}
