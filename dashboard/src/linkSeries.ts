import type { MultiSeriesResponse, SeriesStatName } from "../../protocol/api.js";
import type { SampleKindName } from "../../protocol/kinds/registry.js";
import type { ChartData, ChartKind } from "./charts.js";

/** The sample kind a link card's charts read: the ICMP rounds towards the link's targets. */
export const LINK_CARD_KIND = "icmp" satisfies SampleKindName;

/**
 * What a link card asks the series API for, in one request: each entry is one stored field of {@link LINK_CARD_KIND}
 * (protocol/kinds/icmp.ts) with the statistic taken over a bucket, and the chart it is drawn on. The band around
 * the average latency is the lowest and highest round-trip time of the bucket (min of the rounds' minima, max of
 * their maxima), so a long range read from the rollups still shows the spread. The order within a chart is the
 * order of its series (charts.ts: latency avg, min, max; loss).
 */
export const LINK_CARD_METRICS = [
  { chart: "latency", field: "rtt_avg_ms", stat: "mean" },
  { chart: "latency", field: "rtt_min_ms", stat: "min" },
  { chart: "latency", field: "rtt_max_ms", stat: "max" },
  { chart: "loss", field: "loss_pct", stat: "mean" },
] as const satisfies ReadonlyArray<{ chart: ChartKind; field: string; stat: SeriesStatName }>;

/** `metrics=` of the link card's request: `rtt_avg_ms:mean,rtt_min_ms:min,…`. */
export function linkCardMetricList(): Array<{ field: string; stat: SeriesStatName }> {
  return LINK_CARD_METRICS.map(({ field, stat }) => ({ field, stat }));
}

/**
 * Splits one answer to the link card's request into the data of each chart, on the answer's time axis (bucket
 * starts, UTC ms). A null value (no sample had the field, or the rollup of that window is not computed yet) stays
 * null: the chart draws a gap, never a zero. The answer must list the metrics asked for, in order (api.ts checks).
 */
export function chartsFromSeries(answer: Pick<MultiSeriesResponse, "timestamps" | "values">): Record<ChartKind, ChartData> {
  const charts: Record<ChartKind, ChartData> = { latency: { times: answer.timestamps, values: [] }, loss: { times: answer.timestamps, values: [] } };
  LINK_CARD_METRICS.forEach(({ chart }, index) => {
    charts[chart].values.push(answer.values[index] ?? answer.timestamps.map(() => null));
  });
  return charts;
}
