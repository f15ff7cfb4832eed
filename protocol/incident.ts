/** What an incident is about: one link, a whole site, one provider at many sites, or the collector itself. */
export type IncidentKind = "link" | "site" | "provider" | "collector";

/**
 * Why it was opened (and, for a site, what the backfill later showed):
 * - `link_down` / `link_degraded`: one link, while the site is otherwise reachable;
 * - `all_links_down`: the agent reports every link down; `agent_silent`: no push for 3 push intervals;
 * - `links_down_while_silent`: after backfill, the agent kept measuring and every link was failing (a link outage);
 * - `power_or_agent`: after backfill, a gap with no samples at all (power cut at the site, or the agent stopped);
 * - `provider_outage`: the same provider's links down at many sites within a short window;
 * - `store_unreachable`: the collector cannot reach its store.
 */
export type IncidentCause =
  | "link_down"
  | "link_degraded"
  | "all_links_down"
  | "agent_silent"
  | "links_down_while_silent"
  | "power_or_agent"
  | "provider_outage"
  | "store_unreachable";

/** How bad: critical (a site or provider outage), major (a link down), minor (a link degraded). */
export type IncidentSeverity = "critical" | "major" | "minor";

/** A site an incident concerns, and its links that are affected. */
export interface IncidentSite {
  site: string;
  siteName: string;
  links: string[];
}

/**
 * The measured times of an incident, UTC ms (null until it happened): when the fault began (the first failed round),
 * when the collector detected it, when the first notification was delivered, when someone acknowledged it, when
 * the link/site was restored (the first good round), when the incident was closed.
 */
export interface IncidentTimeline {
  startTs: number;
  detectedTs: number;
  notifiedTs: number | null;
  acknowledgedTs: number | null;
  restoredTs: number | null;
  endTs: number | null;
}

/** One attempt to deliver one notification to one receiver. */
export interface DeliveryAttempt {
  receiver: string;
  channel: "webhook" | "email";
  /** Which message: the first report, the recovery notice, a reminder, an escalation, an update (the scope changed). */
  message: "report" | "recovery" | "repeat" | "escalation" | "update";
  attempt: number;
  ts: number;
  ok: boolean;
  /** e.g. "HTTP 500", "250 OK", "ECONNREFUSED". */
  detail: string;
  /** When not ok: whether it will be (or was) tried again. */
  retryable: boolean;
}

/** An incident as the API shows it. */
export interface Incident {
  id: number;
  /** Human reference quoted in reports, e.g. "SC-000123". */
  number: string;
  kind: IncidentKind;
  cause: IncidentCause;
  severity: IncidentSeverity;
  state: "open" | "closed";
  provider: string | null;
  providerName: string | null;
  link: string | null;
  linkKind: "dedicated" | "internet" | null;
  circuit: string | null;
  sites: IncidentSite[];
  /** One line in Vietnamese, e.g. "Mất kết nối TSLCD tại Phường Tân Phong". */
  summary: string;
  timeline: IncidentTimeline;
  vendorTicket: string | null;
  acknowledgedBy: string | null;
  /** Measured symptoms and proof, e.g. loss, latency, "the Internet link carried the site's reports meanwhile". */
  evidence: string[];
  deliveries: DeliveryAttempt[];
}

/**
 * Nearest-rank figures of a set of durations, ms: how many there were, their median (the 50th percentile), 90th
 * percentile and maximum; the three figures are null when `count` is 0.
 */
export interface DurationStats {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
  maxMs: number | null;
}

/**
 * How one telecom vendor (Nhà mạng) answered its incidents in a window: how many there were, how many were
 * acknowledged, how many are still open, and its times to acknowledge and restore (Thời gian tiếp nhận / Thời gian
 * khắc phục). Which incidents count and which timestamps define each figure: collector/incidents/responseTimes.ts.
 */
export interface ProviderResponseTimes {
  provider: string;
  /** The vendor's display name (its id when no incident carried one). */
  providerName: string;
  incidents: number;
  acknowledged: number;
  /** Incidents not closed yet. */
  open: number;
  /** notifiedTs → acknowledgedTs, over the incidents that have both. */
  timeToAcknowledge: DurationStats;
  /** startTs → restoredTs, over the incidents that have been restored. */
  timeToRestore: DurationStats;
}

/** GET /api/v1/incidents/response-times: per vendor, over the incidents whose startTs is in [fromTs, toTs) (UTC ms). */
export interface ResponseTimesReport {
  fromTs: number;
  toTs: number;
  /**
   * True when more incidents started in the window than the collector measures in one answer (`maxIncidents`): the
   * figures then cover only the `maxIncidents` that started last.
   */
  truncated: boolean;
  maxIncidents: number;
  /** One entry per vendor with at least one counted incident, ordered by provider id. */
  providers: ProviderResponseTimes[];
}
