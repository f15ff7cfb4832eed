import type { SampleKindName } from "../../../protocol/kinds/registry.js";
import type { Sample, SampleRole } from "../../../protocol/sample.js";
import type { PathSummary, PathSummaryQuery } from "./pathSummary.js";

/**
 * A sample as a sample store takes it: the agent's sample, its site, the provider of its link (from the collector's
 * configuration; null for LAN samples), and `ts` on the collector's time line.
 *
 * Identity: a stored sample is (site, link or none, probe, time). A resend of the same measurement, even under another
 * seq (an agent that lost its spool starts its seqs again), is a duplicate; a new measurement that reuses a seq is
 * stored. `sample.seq` is kept as a value (audits check contiguity with it). The time is the agent's own `agentTs` on
 * SQLite, so a resend whose correction moved meanwhile is still one sample; on InfluxDB a point's identity is its time,
 * which must be `ts` for queries, so such a resend is a second point (docs/storage.md, Identity).
 */
export interface SampleRecord {
  site: string;
  provider: string | null;
  /** Timestamp on the collector's time line, UTC ms (the agent's `ts` plus the correction applied at ingest). */
  ts: number;
  /** The timestamp the agent wrote, UTC ms by its own clock. */
  agentTs: number;
  sample: Sample;
}

/** What one write did. */
export interface SampleWriteResult {
  /**
   * Samples the store took: new ones; on a backend that cannot tell duplicates ({@link SampleStore.reportsDuplicates}
   * false), every sample not expired, new or a resend (a resend rewrites the same point with the same values).
   */
  written: number;
  /**
   * Resends of measurements already held (same identity), left unchanged; null when the backend cannot tell
   * (InfluxDB: a point written twice is simply overwritten). The ingest route answers its 409 `replay` only when
   * this is a number equal to the batch's sample count; with null it answers 200 with `duplicates: 0`, which the agent
   * takes as the same acknowledgement.
   */
  duplicates: number | null;
  /** Samples older than the raw retention (by the store's clock), not stored, and not counted in `written`. */
  expired: number;
}

/** Resolutions a series is read at: raw samples, or the 5-minute and 1-hour rollups. */
export type Resolution = "raw" | "5m" | "1h";

/** The length of a rollup window, ms. */
export const ROLLUP_WINDOW_MS = { "5m": 300_000, "1h": 3_600_000 } as const satisfies Record<Exclude<Resolution, "raw">, number>;

/** A rollup resolution. */
export type RollupResolution = keyof typeof ROLLUP_WINDOW_MS;

/** A statistic of one field over a bucket: mean, min, max of the values, or how many samples had the field. */
export type SeriesStat = "mean" | "min" | "max" | "count";

/** One metric of a series request: a stored field of the kind (protocol/kinds/) and a statistic (default mean). */
export interface SeriesMetricRequest {
  field: string;
  stat: SeriesStat;
}

/**
 * A series query: buckets of `stepMs` from `from` (inclusive) to `to` (exclusive), UTC ms on the collector's time
 * line, for one site's samples of one kind through one link (null: LAN samples), optionally one probe and one role.
 * Several metrics in one request. Bounds: see seriesPlan.ts (points, metrics, range); a request outside them is a
 * RangeError naming the bound, never a slow query.
 */
export interface SeriesRequest {
  site: string;
  link: string | null;
  kind: SampleKindName;
  probe?: string;
  role?: SampleRole;
  metrics: SeriesMetricRequest[];
  from: number;
  to: number;
  stepMs: number;
}

/**
 * A series answer: `timestamps[i]` is the start of bucket i (UTC ms); `values[m][i]` the value of metric m in it,
 * null when no sample of the bucket had the field. `resolution` says what it was read from.
 */
export interface SeriesAnswer {
  resolution: Resolution;
  timestamps: number[];
  values: Array<Array<number | null>>;
}

/** Count, sum, mean, min and max of one field's non-null values over a window (sum kept so windows combine exactly). */
export interface FieldRollup {
  count: number;
  sum: number;
  mean: number;
  min: number;
  max: number;
}

/** One rollup row: one (site, link, probe) over one window of one kind. Fields with no value in the window are absent. */
export interface RollupRow {
  site: string;
  link: string | null;
  probe: string;
  provider: string | null;
  role: SampleRole;
  /** Start of the window, UTC ms, a multiple of the window length. */
  windowTs: number;
  fields: Record<string, FieldRollup>;
}

/** Which rollups to read: one site's rows of one kind at one resolution whose window starts in [from, to). */
export interface RollupQuery {
  site: string;
  kind: SampleKindName;
  resolution: RollupResolution;
  from: number;
  to: number;
}

/** What one rollup pass did: windows recomputed, and windows still waiting (open, or beyond this pass's limit). */
export interface RollupPassResult {
  recomputed: number;
  pending: number;
}

/** What one retention pass removed: raw samples and rollup rows. */
export interface RetentionResult {
  rawDeleted: number;
  rollupsDeleted: number;
}

/** One link sample's outcome, for classifying a silent period (collector/incidents/gapClassifier.ts). */
export interface LinkOutcome {
  ts: number;
  link: string;
  /** The probe that measured it: with ts and link, the outcome's place in the order outcomes are listed in. */
  probe: string;
  ok: boolean;
}

/**
 * Which page of a site's link outcomes {@link SampleStore.linkOutcomes} returns: those after `after` (an outcome of
 * the previous page, its last) in the order ts, link, probe; at most `limit` (capped at {@link MAX_LINK_OUTCOMES}).
 */
export interface LinkOutcomePage {
  after: Pick<LinkOutcome, "ts" | "link" | "probe"> | null;
  limit: number;
}

/**
 * Time-series storage for every kind of measurement: append idempotently, query series and rollups, retain. Async,
 * so a backend may be a remote engine. Each backend is one file with its config schema and constructor, listed in
 * collector/store/samples/registry.ts.
 *
 * Rollups are computed by the collector itself, on every backend: a write marks the 5-minute windows it touched,
 * {@link rollUp} recomputes closed marked windows from raw samples (and their hours from the 5-minute rows), so late
 * data (a backfill after an outage) gives the same rollups as the same samples arriving live.
 *
 * Failure: a method that fails because the backend cannot take requests now (unreachable, slow past its timeout,
 * locked, disk full) rejects with an error for which {@link isUnavailableError} is true; the ingest path maps that
 * to 503 + Retry-After (the agent keeps the batch). Nothing is retried inside: the caller retries, and writes being
 * idempotent, a retry of a write that did reach the backend stores nothing twice.
 */
export interface SampleStore {
  /** The registry name of the backend ("sqlite", "influxdb"). */
  readonly backend: string;
  /** True when {@link SampleWriteResult.duplicates} is a count; false when always null. */
  readonly reportsDuplicates: boolean;
  /** Stores samples idempotently (see {@link SampleRecord} for identity). Durable when it resolves. */
  write(records: readonly SampleRecord[]): Promise<SampleWriteResult>;
  /** See {@link SeriesRequest}. Rejects with a RangeError for a request outside the bounds or naming an unknown field. */
  querySeries(request: SeriesRequest): Promise<SeriesAnswer>;
  /**
   * A site's link samples (role `link`) with `from` ≤ ts ≤ `to` (UTC ms), ordered by ts, link, probe; at most
   * {@link MAX_LINK_OUTCOMES}, or the given page of them (read page after page, nothing is cut or listed twice).
   */
  linkOutcomes(site: string, from: number, to: number, page?: LinkOutcomePage): Promise<LinkOutcome[]>;
  /**
   * Per (site, probe, link, kind) of the query's role: samples, % ok, mean main latency of ok samples (pathSummary.ts),
   * from raw samples (at most 7 days, a RangeError beyond) or the hourly rollups (`resolution: "1h"`, whole hours, as
   * long as a series); at most {@link MAX_PATH_SUMMARIES} paths.
   */
  pathSummaries(query: PathSummaryQuery): Promise<PathSummary[]>;
  /** Recomputes up to `maxWindows` marked windows that closed by `nowMs` (UTC ms); see the interface comment. */
  rollUp(nowMs: number, maxWindows?: number): Promise<RollupPassResult>;
  /** Rollup rows (audits, tests), ordered by link, probe, window. At most {@link MAX_ROLLUP_ROWS}. */
  readRollups(query: RollupQuery): Promise<RollupRow[]>;
  /** Removes what is past retention by `nowMs`, in small chunks that let writes in between (a no-op where the engine retains). */
  enforceRetention(nowMs: number): Promise<RetentionResult>;
  /** The seqs of a site's samples with `from` ≤ ts < `to`, ascending (audits of contiguity, tests). */
  listSeqs(site: string, from: number, to: number): Promise<number[]>;
  /** A cheap real request that fails when the backend cannot take writes (the store breaker's probe). */
  probe(nowMs: number): Promise<void>;
  /**
   * Runs `work` (calls to this store) with the probe's short wait for a lock, for the writes the breaker lets through
   * after a good probe: where a wait holds the event loop (SQLite), each of them must not wait the ordinary time while
   * the store may still be locked. A backend with no lock to wait for (InfluxDB: its request timeout bounds a call)
   * just runs it.
   */
  withShortLockWait<T>(work: () => Promise<T>): Promise<T>;
  /** Whether `err`, from one of this store's methods, means the backend cannot take requests now. */
  isUnavailableError(err: unknown): boolean;
  /** Releases connections and files. Safe to call twice. */
  close(): Promise<void>;
}

/** Most outcomes {@link SampleStore.linkOutcomes} returns (a week of 4 links every 10 s is about 240,000). */
export const MAX_LINK_OUTCOMES = 500_000;

/** Most rows {@link SampleStore.readRollups} returns. */
export const MAX_ROLLUP_ROWS = 100_000;

/** Default most windows one {@link SampleStore.rollUp} pass recomputes. */
export const DEFAULT_ROLLUP_BATCH = 500;

/** Thrown (rejected) by a store that cannot take requests now; {@link SampleStore.isUnavailableError} is true for it. */
export class SampleStoreUnavailableError extends Error {
  constructor(
    message: string,
    /** The backend's own error, when there was one. */
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = "SampleStoreUnavailableError";
  }
}
