import type { Incident } from "./incident.js";
import type { LinkStateName } from "./linkState.js";

/** Kinds of WAN link: the government's dedicated data network (TSLCD) or a commercial Internet link. */
export type LinkKind = "dedicated" | "internet";

/** A site's overall state: the links' states folded, or `silent` when its agent has stopped reporting. */
export type SiteStateName = "up" | "degraded" | "down" | "unknown" | "silent";

/** One link as GET /api/v1/sites shows it. Times are UTC ms; rtt in ms; loss in %. */
export interface LinkStatus {
  id: string;
  kind: LinkKind;
  provider: string;
  providerName: string;
  circuit: string;
  bandwidthMbps: number;
  state: LinkStateName;
  sinceTs: number | null;
  flapping: boolean;
  lastSampleTs: number | null;
  rttAvgMs: number | null;
  lossPct: number | null;
}

/** One site as GET /api/v1/sites and /sites/:id show it. */
export interface SiteStatus {
  id: string;
  name: string;
  address: string | null;
  /** The site's grouping above the commune from the configuration (former district, cluster); null or absent when none. */
  area?: string | null;
  state: SiteStateName;
  /** When the collector last received a push from the site's agent (collector clock, UTC ms). */
  lastSeenTs: number | null;
  /** Collector clock minus agent clock at the last push, ms. */
  clockOffsetMs: number | null;
  /** True when |clockOffsetMs| exceeds the collector's tolerance: sample times are then corrected by the offset. */
  clockSkewed: boolean;
  /**
   * The agent's spool at the last push: records it still had to send, had dropped (its spool was full or a segment
   * corrupt), and had set aside because the collector refused them (null: an agent of protocol version 1 does not say).
   */
  spool: { pendingRecords: number; droppedRecords: number; refusedRecords: number | null } | null;
  /** Records of the site's batches the collector refused (bad schema, unknown link, timestamp out of bounds), counted at the collector. */
  refusedRecords: number;
  /** The link that carried the agent's last push (null: unknown, or its routing table chose). */
  lastPushVia: string | null;
  links: LinkStatus[];
}

/** Metrics GET /sites/:id/series can return. */
export type SeriesMetric = "rtt_avg" | "rtt_min" | "rtt_max" | "rtt_median" | "rtt_p90" | "jitter" | "mos" | "loss";

/** Every {@link SeriesMetric}, for validating queries. */
export const SERIES_METRICS: readonly SeriesMetric[] = ["rtt_avg", "rtt_min", "rtt_max", "rtt_median", "rtt_p90", "jitter", "mos", "loss"];

/** GET /api/v1/sites/:id/series answer: points [bucket start UTC ms, value or null when no data]. */
export interface SeriesResponse {
  site: string;
  link: string;
  metric: SeriesMetric;
  from: number;
  to: number;
  stepMs: number;
  points: Array<[number, number | null]>;
}

/** A statistic of a stored field over one bucket of a series. */
export type SeriesStatName = "mean" | "min" | "max" | "count";

/**
 * GET /api/v1/sites/:id/series?metrics=… answer: several metrics of one link's samples of one kind at once.
 * `timestamps[i]` starts bucket i (UTC ms); `values[m][i]` is metric m there (null: no sample had the field);
 * `resolution` says what the collector read (raw samples, or the 5-minute or hourly rollups for long ranges).
 */
export interface MultiSeriesResponse {
  site: string;
  link: string;
  kind: string;
  from: number;
  to: number;
  stepMs: number;
  resolution: "raw" | "5m" | "1h";
  metrics: Array<{ field: string; stat: SeriesStatName }>;
  timestamps: number[];
  values: Array<Array<number | null>>;
}

/** Messages the collector pushes over /api/v1/ws. */
export type LiveMessage = { type: "hello"; sites: SiteStatus[] } | { type: "site"; site: SiteStatus } | { type: "incident"; incident: Incident };
