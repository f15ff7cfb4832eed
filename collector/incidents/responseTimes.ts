import type { DurationStats, ProviderResponseTimes } from "../../protocol/incident.js";
import type { IncidentTimes } from "./incidentStore.js";

/**
 * Time to acknowledge and time to restore per telecom vendor (Thời gian tiếp nhận / Thời gian khắc phục theo nhà
 * mạng), from a list of incidents. Pure: the caller chooses the incidents (the API: those whose startTs is in a
 * window) and this only counts them.
 *
 * Which incidents count for a vendor ({@link countsForProvider}): those that name a provider and are
 * - kind `link` (one of its links down or degraded at one site),
 * - kind `provider` (its provider-wide outage),
 * - kind `site` classified `links_down_while_silent` (after backfill: every link of the site was failing, a link
 *   outage the vendor answers for, not a power cut);
 * and not merged into another incident (`mergedInto` null): a merged incident's outage is counted in the provider
 * incident that took it over, so counting it too would count the same outage twice.
 *
 * The figures of one vendor, all from the incident's timeline (UTC ms):
 * - `incidents`: how many of its incidents count; `open`: how many of them are not closed (`state` open);
 * - `acknowledged`: how many have an `acknowledgedTs` (someone took them in charge, by the API, the dashboard or the
 *   signed link in a notification);
 * - `timeToAcknowledge`: `acknowledgedTs − notifiedTs` (from the first notification delivered to the acknowledgement),
 *   over the incidents that have both times. One acknowledged before any notification was delivered (e.g. seen on
 *   the dashboard while the webhook was still being retried) counts as 0 ms; one acknowledged but never notified
 *   (e.g. muted by maintenance) counts in `acknowledged` only;
 * - `timeToRestore`: `restoredTs − startTs` (from the first failed round to the first good round; an incident closed by
 *   hand is restored at the time it was closed, unless it was restored before), over the incidents that have a
 *   `restoredTs`. Incidents not restored yet have no time to restore: they show in `open`, so a long outage still
 *   running is visible there rather than pulling the figures.
 *
 * Percentiles are nearest-rank: of n durations sorted ascending, the p-th percentile is the one at rank ⌈p/100 × n⌉
 * (1-based), always a measured value, never interpolated. The median is the 50th percentile this way (for an even n,
 * the lower of the two middle values); the 90th percentile of fewer than 10 durations is their maximum.
 */

/** Whether `incident` counts in its vendor's response times (see the module comment). */
export function countsForProvider(incident: IncidentTimes): boolean {
  if (incident.provider === null || incident.mergedInto !== null) return false;
  return incident.kind === "link" || incident.kind === "provider" || (incident.kind === "site" && incident.cause === "links_down_while_silent");
}

/**
 * The nearest-rank `percent`-th percentile (0 < percent ≤ 100) of `sortedAscending`: the value at rank
 * ⌈percent/100 × n⌉; null for an empty list.
 */
export function nearestRank(sortedAscending: readonly number[], percent: number): number | null {
  if (sortedAscending.length === 0) return null;
  const rank = Math.max(1, Math.ceil((percent / 100) * sortedAscending.length));
  return sortedAscending[Math.min(rank, sortedAscending.length) - 1] ?? null;
}

/** Count, nearest-rank median and 90th percentile, and maximum of `durationsMs` (any order). */
export function durationStats(durationsMs: readonly number[]): DurationStats {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  return { count: sorted.length, medianMs: nearestRank(sorted, 50), p90Ms: nearestRank(sorted, 90), maxMs: sorted.at(-1) ?? null };
}

/**
 * One entry per vendor with at least one counted incident in `incidents`, ordered by provider id. A vendor's name is
 * the first `providerName` found in the list's order (the store lists the latest start first), else its id.
 */
export function providerResponseTimes(incidents: readonly IncidentTimes[]): ProviderResponseTimes[] {
  const tallies = new Map<string, Tally>();
  for (const incident of incidents) {
    if (!countsForProvider(incident) || incident.provider === null) continue;
    let tally = tallies.get(incident.provider);
    if (!tally) {
      tally = { name: null, incidents: 0, acknowledged: 0, open: 0, toAcknowledgeMs: [], toRestoreMs: [] };
      tallies.set(incident.provider, tally);
    }
    tally.name ??= incident.providerName;
    tally.incidents += 1;
    if (incident.state === "open") tally.open += 1;
    const { startTs, notifiedTs, acknowledgedTs, restoredTs } = incident.timeline;
    if (acknowledgedTs !== null) {
      tally.acknowledged += 1;
      if (notifiedTs !== null) tally.toAcknowledgeMs.push(Math.max(0, acknowledgedTs - notifiedTs));
    }
    if (restoredTs !== null) tally.toRestoreMs.push(Math.max(0, restoredTs - startTs));
  }
  return [...tallies.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([provider, tally]) => ({
      provider,
      providerName: tally.name ?? provider,
      incidents: tally.incidents,
      acknowledged: tally.acknowledged,
      open: tally.open,
      timeToAcknowledge: durationStats(tally.toAcknowledgeMs),
      timeToRestore: durationStats(tally.toRestoreMs),
    }));
}

/** One vendor's counts while the list is read. */
interface Tally {
  name: string | null;
  incidents: number;
  acknowledged: number;
  open: number;
  toAcknowledgeMs: number[];
  toRestoreMs: number[];
}
