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
  /** A simulated site (wardwatch demo), not a real one. */
  simulated: boolean;
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

/**
 * Messages the collector pushes over /api/v1/ws: `hello` (every site the client sees, first), `sites` (a frame: the
 * sites that changed, each once, every ~250 ms when any did), `incident` (one incident opened, changed or closed).
 * `site` (one site) is what collectors before the batched feed sent; the dashboard still reads it.
 */
export type LiveMessage =
  | { type: "hello"; sites: SiteStatus[] }
  | { type: "sites"; sites: SiteStatus[] }
  | { type: "site"; site: SiteStatus }
  | { type: "incident"; incident: Incident };

/** How one application fared over one kind of link: rounds probed, % of them ok, mean main latency of the ok ones (ms). */
export interface ComparisonFigures {
  rounds: number;
  /** % of rounds ok (0–100); null when there were none. */
  availabilityPct: number | null;
  /** Mean of the kind's main latency (HTTP: total time) over the ok rounds, ms; null when none measured one. */
  latencyMeanMs: number | null;
}

/** The province's total for one application over one kind of link: every site's rounds together. */
export interface ComparisonTotal extends ComparisonFigures {
  /** Sites with rounds of the application over this kind of link. */
  sites: number;
  /** The median site's mean latency, ms (half the sites reach the application faster); null when no site measured one. */
  siteLatencyP50Ms: number | null;
}

/** One site's figures for one application, over its TSLCD and its Internet links (null: not probed over that kind). */
export interface ComparisonSite {
  site: string;
  siteName: string;
  dedicated: ComparisonFigures | null;
  internet: ComparisonFigures | null;
}

/** One application (an agent's app probe id, e.g. `motcua`) compared over the dedicated network and the Internet. */
export interface ComparisonApp {
  app: string;
  /** Its sample kind (protocol/kinds/), e.g. `http`. */
  kind: string;
  total: { dedicated: ComparisonTotal | null; internet: ComparisonTotal | null };
  /** By site name. */
  sites: ComparisonSite[];
}

/**
 * GET /api/v1/comparison?from&to[&site] answer: each government application's availability and latency over the TSLCD
 * links against over the Internet links, per site and in total, over [from, to) (UTC ms). `resolution`: raw samples
 * (periods up to 7 days) or the hourly rollups (longer periods, from and to widened to whole hours).
 */
export interface ComparisonResponse {
  from: number;
  to: number;
  resolution: "raw" | "1h";
  apps: ComparisonApp[];
}

/** How one application (through one link) or one LAN device (link null) of a site fared over a period. */
export interface SitePath {
  /** The agent's probe id of the application or device, e.g. `motcua`, `camera-1`. */
  probe: string;
  link: string | null;
  /** Its sample kind (protocol/kinds/), e.g. `http`, `tcp`. */
  kind: string;
  rounds: number;
  /** % of rounds ok, 0–100. */
  okPct: number;
  /** Mean of the kind's main latency over the ok rounds, ms; null when none measured one. */
  latencyAvgMs: number | null;
}

/** GET /api/v1/sites/:id/paths?from&to answer: the site's applications over each link and its LAN devices over [from, to). */
export interface SitePathsResponse {
  site: string;
  from: number;
  to: number;
  resolution: "raw" | "1h";
  apps: SitePath[];
  lan: SitePath[];
}
