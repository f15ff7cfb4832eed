import type { SampleKindName } from "../../../protocol/kinds/registry.js";
import type { SampleRole } from "../../../protocol/sample.js";
import { MAX_RAW_RANGE_MS, MAX_SERIES_RANGE_MS } from "./seriesPlan.js";
import { ROLLUP_WINDOW_MS } from "./sampleStore.js";

/**
 * The field that is a kind's main latency (ms), for path summaries: ICMP average rtt, HTTP total time, DNS answer
 * time, TCP connect time (as protocol/sample.ts' sampleLatencyMs).
 */
export const MAIN_LATENCY_FIELD = {
  icmp: "rtt_avg_ms",
  http: "total_ms",
  dns: "answer_ms",
  tcp: "connect_ms",
} as const satisfies Record<SampleKindName, string>;

/** Most paths one summary answers. */
export const MAX_PATH_SUMMARIES = 20_000;

/**
 * Which samples to summarize: one role's (`app`), with `from` ≤ ts < `to` (UTC ms), one site's or every site's.
 * `resolution` (default raw): `1h` reads the hourly rollups instead, for periods longer than raw samples are read
 * for (windows starting in [from, to), both on whole hours); there the latency is the mean over every sample that
 * measured one (the rollups do not keep it per outcome), where raw takes only the ok samples.
 */
export interface PathSummaryQuery {
  role: SampleRole;
  from: number;
  to: number;
  site?: string;
  resolution?: "raw" | "1h";
}

/**
 * How one probe fared through one link of one site over the query's period: samples (rounds), % ok, and the mean of
 * its kind's main latency over the ok samples that measured one (ms; null: none did).
 */
export interface PathSummary {
  site: string;
  probe: string;
  link: string | null;
  kind: SampleKindName;
  rounds: number;
  okPct: number;
  latencyAvgMs: number | null;
}

/**
 * Throws a RangeError when the query is not one a store answers: from raw samples at most 7 days (bounded like a raw
 * series), from the hourly rollups at most a series' longest range, on whole hours.
 */
export function checkPathSummaryQuery(query: PathSummaryQuery): void {
  const { from, to } = query;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new RangeError("summary from and to must be integers (ms)");
  if (to <= from) throw new RangeError(`summary to (${to}) must be after from (${from})`);
  if ((query.resolution ?? "raw") === "raw") {
    if (to - from > MAX_RAW_RANGE_MS) throw new RangeError(`a path summary covers at most ${MAX_RAW_RANGE_MS} ms (7 days) of raw samples, asked ${to - from} ms`);
    return;
  }
  if (to - from > MAX_SERIES_RANGE_MS) throw new RangeError(`a path summary from the rollups covers at most ${MAX_SERIES_RANGE_MS} ms, asked ${to - from} ms`);
  if (from % ROLLUP_WINDOW_MS["1h"] !== 0 || to % ROLLUP_WINDOW_MS["1h"] !== 0) throw new RangeError("a path summary from the hourly rollups needs from and to on whole hours (UTC)");
}

/** Sorted by site, probe, link (none first), kind: the order every backend answers in. */
export function sortPathSummaries(summaries: PathSummary[]): PathSummary[] {
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return summaries.sort((a, b) => text(a.site, b.site) || text(a.probe, b.probe) || text(a.link ?? "", b.link ?? "") || text(a.kind, b.kind)).slice(0, MAX_PATH_SUMMARIES);
}
