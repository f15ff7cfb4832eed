import type { SampleKindName } from "./registry.js";

/** A chart of a probe's card on the site page: `latency` (ms: a line and a band) or `loss` (%, 0–100). */
export type ProbeChart = "latency" | "loss";

/**
 * One series a kind's card draws: a chartable stored field of the kind (protocol/kinds/<kind>.ts), the statistic
 * taken over a bucket, and the chart it is on. Within a chart the order is the order of its series: the main line,
 * then the band's low and high (charts.ts in the dashboard).
 */
export interface ChartSeries {
  chart: ProbeChart;
  field: string;
  stat: "mean" | "min" | "max";
}

/**
 * What each kind's card charts, one line per kind, next to the registry (registry.ts): plain data without zod, so the
 * dashboard reads it without bundling the wire schemas. The band around a mean latency is the lowest and highest of
 * the bucket (min of minima, max of maxima), so a long range read from the rollups still shows the spread. Every field
 * is checked against the kind's stored fields (tests/protocol/kinds/charts.test.ts).
 */
export const KIND_CHARTS = {
  icmp: [
    { chart: "latency", field: "rtt_avg_ms", stat: "mean" },
    { chart: "latency", field: "rtt_min_ms", stat: "min" },
    { chart: "latency", field: "rtt_max_ms", stat: "max" },
    { chart: "loss", field: "loss_pct", stat: "mean" },
  ],
  http: [
    { chart: "latency", field: "total_ms", stat: "mean" },
    { chart: "latency", field: "total_ms", stat: "min" },
    { chart: "latency", field: "total_ms", stat: "max" },
  ],
  dns: [
    { chart: "latency", field: "answer_ms", stat: "mean" },
    { chart: "latency", field: "answer_ms", stat: "min" },
    { chart: "latency", field: "answer_ms", stat: "max" },
  ],
  tcp: [
    { chart: "latency", field: "connect_ms", stat: "mean" },
    { chart: "latency", field: "connect_ms", stat: "min" },
    { chart: "latency", field: "connect_ms", stat: "max" },
  ],
} as const satisfies Record<SampleKindName, readonly ChartSeries[]>;
