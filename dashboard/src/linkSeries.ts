import type { MultiSeriesResponse, SeriesStatName } from "../../protocol/api.js";
import { KIND_CHARTS, type ChartSeries } from "../../protocol/kinds/charts.js";
import type { SampleKindName } from "../../protocol/kinds/registry.js";
import type { ChartData, ChartKind } from "./charts.js";

/** The sample kind a link card's charts read: the ICMP rounds towards the link's targets. */
export const LINK_CARD_KIND = "icmp" satisfies SampleKindName;

/**
 * What a card of `kind` asks the series API for, in one request: the series the kind declares (protocol/kinds/
 * charts.ts), each a stored field with the statistic taken over a bucket and the chart it is drawn on, in the order
 * of each chart's series (charts.ts: latency main line, band low, band high; loss). ICMP: rtt avg/min/max and loss;
 * HTTP (an application): total time mean/min/max, no loss chart.
 */
export function cardSeries(kind: SampleKindName): readonly ChartSeries[] {
  return KIND_CHARTS[kind];
}

/** `metrics=` of a card's request for `kind`: `rtt_avg_ms:mean,rtt_min_ms:min,…` for ICMP. */
export function cardMetricList(kind: SampleKindName): Array<{ field: string; stat: SeriesStatName }> {
  return cardSeries(kind).map(({ field, stat }) => ({ field, stat }));
}

/** The charts a card of `kind` draws: those its declared series are on (ICMP latency and loss; HTTP latency). */
export function cardCharts(kind: SampleKindName): ChartKind[] {
  return [...new Set(cardSeries(kind).map((series) => series.chart))];
}

/**
 * Splits one answer to a card's request for `kind` into the data of each chart it draws, on the answer's time axis
 * (bucket starts, UTC ms). A null value (no sample had the field, or the rollup of that window is not computed yet)
 * stays null: the chart draws a gap, never a zero. The answer must list the metrics asked for, in order (api.ts
 * checks). A chart the kind declares nothing for is absent.
 */
export function chartsFromSeries(answer: Pick<MultiSeriesResponse, "timestamps" | "values">, kind: SampleKindName): Partial<Record<ChartKind, ChartData>> {
  const charts: Partial<Record<ChartKind, ChartData>> = {};
  cardSeries(kind).forEach(({ chart }, index) => {
    const data = (charts[chart] ??= { times: answer.timestamps, values: [] });
    data.values.push(answer.values[index] ?? answer.timestamps.map(() => null));
  });
  return charts;
}
