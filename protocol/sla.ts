import type { LinkKind } from "./api.js";

/**
 * The time of one period split by the link's state over it, ms (UTC ms intervals, summed):
 * - `upMs`: the link answered (its state `up` or `degraded`: it carried traffic);
 * - `downMs`: the link was `down` (DESIGN: after `fail_after` failed rounds, dated from the first of them);
 * - `unknownMs`: no evidence: no rounds at all (the agent was off or silent and nothing was backfilled);
 * - `excludedMs`: not counted for or against the vendor: a maintenance window, or an outage the incident engine put
 *   down to the site (power cut / agent off).
 * `availabilityPct` = up / (up + down) × 100 (null when both are 0: nothing measured); `coveragePct` = (up + down) /
 * (up + down + unknown) × 100, the share of the counted time that was measured (null when that time is 0).
 */
export interface SlaTimeSplit {
  upMs: number;
  downMs: number;
  unknownMs: number;
  excludedMs: number;
  availabilityPct: number | null;
  coveragePct: number | null;
}

/** One outage of a circuit within the month: a stretch of `down`, clipped to the month (UTC ms). */
export interface SlaOutage {
  startTs: number;
  endTs: number;
}

/**
 * Response of the vendor to incidents that started in the month (from the incident timeline, as in
 * collector/incidents/responseTimes.ts): counted incidents, acknowledged ones, and the mean time to acknowledge (MTTA:
 * first notification delivered → acknowledged) and to restore (MTTR: first failed round → first good round), ms;
 * a mean is null when no incident has both times.
 */
export interface SlaResponse {
  incidents: number;
  acknowledged: number;
  mttaMs: number | null;
  mttrMs: number | null;
}

/** Figures shared by a circuit and a provider. `met`: availability (24/7) ≥ target; null when nothing, or too little (sla.min_coverage_pct), was measured. */
export interface SlaFigures {
  allHours: SlaTimeSplit;
  officeHours: SlaTimeSplit;
  outages: number;
  /** Total length of the outages within the month, ms. */
  outageMs: number;
  response: SlaResponse;
  targetPct: number;
  met: boolean | null;
}

/** One circuit (a site's link) over the month. */
export interface SlaCircuit extends SlaFigures {
  site: string;
  siteName: string;
  link: string;
  linkKind: LinkKind;
  circuit: string;
  provider: string;
  /** The first outages of the month, oldest first (at most {@link MAX_LISTED_OUTAGES}; `outages` counts them all). */
  outageList: SlaOutage[];
}

/** Most outages a circuit lists in a report (the count and the total cover all of them). */
export const MAX_LISTED_OUTAGES = 50;

/** One provider over the month: its circuits' times summed, its incidents counted once each. */
export interface SlaProvider extends SlaFigures {
  provider: string;
  providerName: string;
  circuits: number;
}

/**
 * GET /api/v1/sla?month=YYYY-MM: the month [fromTs, toTs) in the province's time zone (UTC ms), figures through
 * `throughTs` (the month's end, or how far the collector has computed in a month still running: later time is not
 * counted at all), per provider (in configuration order) and per circuit (by provider in that order, then site and link id).
 */
export interface SlaReport {
  month: string;
  timeZone: string;
  fromTs: number;
  toTs: number;
  throughTs: number;
  /** True while the month (or its computation) is not over: the figures still change. */
  partial: boolean;
  /** True while samples a backfill brought into the month wait to be counted (its days are replayed again shortly). */
  recomputing: boolean;
  /** Which part of the report this is: everything, one provider's circuits, or one site's. */
  scope: SlaScope;
  providers: SlaProvider[];
  circuits: SlaCircuit[];
}

/** What a report covers: all circuits, one provider's, or one site's. */
export type SlaScope = { kind: "all" } | { kind: "provider"; provider: string } | { kind: "site"; site: string };
