import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Formatter } from "./format.js";
import type { Translator } from "./i18n.js";
import { DISPLAY_TIME_ZONE } from "./format.js";

/** Which chart: latency (avg line in a min–max band, ms) or packet loss (%). */
export type ChartKind = "latency" | "loss";

/** Chart data: bucket start times (UTC ms) and, per series, one value or null (a gap) per bucket. */
export interface ChartData {
  times: number[];
  /** latency: [avg, min, max]; loss: [loss]. */
  values: Array<Array<number | null>>;
}

/** Plot-area height in CSS pixels; the legend sits below it. */
const CHART_HEIGHT_PX = 190;
const LATENCY_COLOUR = "#1d4ed8";
const LATENCY_BAND = "rgba(29, 78, 216, 0.14)";
const LOSS_COLOUR = "#b91c1c";
const LOSS_FILL = "rgba(185, 28, 28, 0.14)";
const AXIS_COLOUR = "#4b5563";
const GRID_COLOUR = "#e5e7eb";

/**
 * A uPlot time chart inside `container`, sized to its width (it follows resizes). The x axis is
 * always the requested window, in Asia/Ho_Chi_Minh time; null values are drawn as gaps.
 */
export class TimeChart {
  private readonly plot: uPlot;
  private readonly resizeObserver: ResizeObserver;
  private windowMs: [number, number] = [0, 1];

  constructor(
    private readonly container: HTMLElement,
    readonly kind: ChartKind,
    translator: Translator,
    format: Formatter,
  ) {
    const options = chartOptions(kind, translator, format, () => this.windowMs, this.width());
    this.plot = new uPlot(options, emptyData(kind), container);
    this.resizeObserver = new ResizeObserver(() => {
      const width = this.width();
      if (width !== this.plot.width) this.plot.setSize({ width, height: CHART_HEIGHT_PX });
    });
    this.resizeObserver.observe(container);
  }

  /** Shows `data` over the window [fromMs, toMs] (UTC ms). */
  setData(data: ChartData, fromMs: number, toMs: number): void {
    this.windowMs = [fromMs, toMs];
    this.plot.setData([data.times, ...data.values] as uPlot.AlignedData);
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    this.plot.destroy();
  }

  private width(): number {
    // The container may not be laid out yet (hidden tab): fall back to a sensible width.
    return Math.max(240, Math.floor(this.container.clientWidth) || 600);
  }
}

function emptyData(kind: ChartKind): uPlot.AlignedData {
  return kind === "latency" ? [[], [], [], []] : [[], []];
}

function chartOptions(
  kind: ChartKind,
  translator: Translator,
  format: Formatter,
  windowMs: () => [number, number],
  width: number,
): uPlot.Options {
  const { t } = translator;
  const valueText = kind === "latency" ? (v: number | null) => format.rtt(v) : (v: number | null) => format.loss(v);
  const legendValue = (_u: uPlot, v: number | null): string => valueText(v ?? null);
  const timeSeries: uPlot.Series = {
    label: t("chart.time"),
    value: (_u, v: number | null) => (v === null || v === undefined ? "—" : format.dateTime(v)),
  };
  const series: uPlot.Series[] =
    kind === "latency"
      ? [
          timeSeries,
          { label: t("chart.avg"), stroke: LATENCY_COLOUR, width: 2, value: legendValue, points: { filter: isolatedPoints } },
          { label: t("chart.min"), stroke: LATENCY_BAND, width: 1, value: legendValue, points: { show: false } },
          { label: t("chart.max"), stroke: LATENCY_BAND, width: 1, value: legendValue, points: { show: false } },
        ]
      : [
          timeSeries,
          { label: t("chart.loss"), stroke: LOSS_COLOUR, fill: LOSS_FILL, width: 2, value: legendValue, points: { filter: isolatedPoints } },
        ];
  return {
    width,
    height: CHART_HEIGHT_PX,
    ms: 1,
    tzDate: (ts) => uPlot.tzDate(new Date(ts), DISPLAY_TIME_ZONE),
    series,
    // The band between max (series 3) and min (series 2) shows the spread around the average.
    bands: kind === "latency" ? [{ series: [3, 2], fill: LATENCY_BAND }] : [],
    scales: {
      x: { time: true, range: () => windowMs() },
      y: {
        range: (_u, _min, max) => {
          if (kind === "loss") return [0, Math.min(100, Math.max(5, niceCeil(max * 1.1)))];
          return [0, Math.max(1, niceCeil(max * 1.1))];
        },
      },
    },
    axes: [
      {
        stroke: AXIS_COLOUR,
        grid: { stroke: GRID_COLOUR, width: 1 },
        ticks: { stroke: GRID_COLOUR, width: 1 },
        values: (_u, splits) => {
          const [from, to] = windowMs();
          const multiDay = to - from > 36 * 3_600_000;
          return splits.map((ts) => (multiDay ? format.dayMonth(ts) : format.time(ts)));
        },
      },
      {
        stroke: AXIS_COLOUR,
        grid: { stroke: GRID_COLOUR, width: 1 },
        ticks: { stroke: GRID_COLOUR, width: 1 },
        size: 56,
        // As many decimals as the tick spacing needs (0.05 ms steps on a LAN, 20 ms on a long link).
        values: (_u, splits, _axis, _space, incr) => splits.map((v) => format.number(v, decimalsOf(incr))),
      },
    ],
    cursor: { drag: { x: false, y: false, setScale: false } },
    legend: { live: true },
  };
}

/** Decimals needed to write `step` exactly (0.25 → 2, 20 → 0), at most 3. */
function decimalsOf(step: number): number {
  const fraction = String(Number(step.toFixed(6))).split(".")[1] ?? "";
  return Math.min(3, fraction.length);
}

/** A round upper bound for the y axis (1, 2, 5 × 10^n). */
function niceCeil(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

/** Indices of values with a gap on both sides: a line cannot show them, so they get a dot. */
function isolatedPoints(u: uPlot, seriesIdx: number, show: boolean): number[] | null {
  if (show) return null;
  const values = u.data[seriesIdx] as Array<number | null | undefined> | undefined;
  if (!values) return null;
  const indices: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] == null) continue;
    if (values[i - 1] == null && values[i + 1] == null) indices.push(i);
  }
  return indices.length > 0 ? indices : null;
}
