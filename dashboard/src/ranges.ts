/** Chart time ranges the site page offers (7 days and longer are read from the collector's hourly rollups). */
export type RangeName = "1h" | "6h" | "24h" | "7d" | "30d" | "1y";

const DAY_MS = 24 * 3_600_000;

/** The ranges in the order the selector shows them, with their length in ms. */
export const RANGES: ReadonlyArray<{ name: RangeName; lengthMs: number }> = [
  { name: "1h", lengthMs: 3_600_000 },
  { name: "6h", lengthMs: 6 * 3_600_000 },
  { name: "24h", lengthMs: 24 * 3_600_000 },
  { name: "7d", lengthMs: 7 * DAY_MS },
  { name: "30d", lengthMs: 30 * DAY_MS },
  { name: "1y", lengthMs: 365 * DAY_MS },
];

/** The range shown when none is chosen. */
export const DEFAULT_RANGE: RangeName = "6h";

/** Most buckets a chart asks for (the brief: about 300). */
export const MAX_POINTS = 300;

/**
 * Bucket sizes the collector is asked for, ms: round numbers so buckets line up with clock time. From 5 minutes up
 * each is a whole number of 5-minute windows and from 1 hour up of hours, so a range longer than the collector reads
 * raw (6 h) is answered from its 5-minute or hourly rollups (seriesPlan.ts needs step and `from` on that grid).
 * The last is the longest step the series API takes (1 day, collector/api/timeQuery.ts).
 */
const STEPS_MS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

/** Parses a range from the URL; anything else is the default. */
export function parseRange(value: string | null | undefined): RangeName {
  return RANGES.some((range) => range.name === value) ? (value as RangeName) : DEFAULT_RANGE;
}

/** A query window: [fromMs, toMs) in UTC ms, cut into buckets of stepMs. */
export interface SeriesWindow {
  fromMs: number;
  toMs: number;
  stepMs: number;
}

/**
 * The window for `range` ending at `nowMs`: the smallest round step giving at most MAX_POINTS
 * buckets (a year, longer than 300 days, gets the longest step, 1 day: 365 buckets), and both
 * ends on a step boundary (the last bucket, still filling, included) so that consecutive refreshes
 * ask for the same buckets. 1h → 15 s, 6h → 2 min, 24h → 5 min, 7d → 1 h, 30d → 3 h, 1y → 1 day.
 */
export function seriesWindow(range: RangeName, nowMs: number): SeriesWindow {
  const lengthMs = RANGES.find((r) => r.name === range)?.lengthMs ?? 6 * 3_600_000;
  const stepMs = STEPS_MS.find((step) => lengthMs / step <= MAX_POINTS) ?? STEPS_MS[STEPS_MS.length - 1]!;
  const toMs = Math.ceil(nowMs / stepMs) * stepMs;
  return { fromMs: toMs - lengthMs, toMs, stepMs };
}
