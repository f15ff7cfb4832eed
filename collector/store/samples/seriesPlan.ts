import { sampleKinds } from "../../../protocol/kinds/registry.js";
import { ROLLUP_WINDOW_MS, type Resolution, type SeriesAnswer, type SeriesRequest, type SeriesStat } from "./sampleStore.js";

/** Most buckets one series request may ask for. */
export const MAX_SERIES_POINTS = 10_000;
/** Most metrics in one series request. */
export const MAX_SERIES_METRICS = 8;
/** Longest range a series request may cover, ms (the rollups' default retention). */
export const MAX_SERIES_RANGE_MS = 400 * 86_400_000;
/** Longest range read from raw samples, ms; longer ranges must use a step the rollups can answer. */
export const MAX_RAW_RANGE_MS = 7 * 86_400_000;
/** Ranges up to this long are read from raw samples (exact up to now; rollups lag by a window), ms. */
export const RAW_PREFERRED_RANGE_MS = 6 * 3_600_000;
/** Shortest step, ms. */
export const MIN_STEP_MS = 1000;

const STATS: readonly SeriesStat[] = ["mean", "min", "max", "count"];

/** A checked request and what to read it from. */
export interface SeriesPlan {
  resolution: Resolution;
  bucketCount: number;
}

/**
 * Pure: checks `request` against the bounds and chooses its resolution. Ranges up to {@link RAW_PREFERRED_RANGE_MS}
 * read raw samples; longer ones the coarsest rollup whose window divides the step and `from` (UTC-aligned), else raw
 * up to {@link MAX_RAW_RANGE_MS}. Throws a RangeError naming what is wrong.
 */
export function planSeries(request: SeriesRequest): SeriesPlan {
  const { from, to, stepMs, metrics, kind } = request;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || !Number.isSafeInteger(stepMs)) throw new RangeError("series from, to and stepMs must be integers (ms)");
  if (stepMs < MIN_STEP_MS) throw new RangeError(`series stepMs must be at least ${MIN_STEP_MS} ms, got ${stepMs}`);
  if (to <= from) throw new RangeError(`series to (${to}) must be after from (${from})`);
  if (to - from > MAX_SERIES_RANGE_MS) throw new RangeError(`series range ${to - from} ms is longer than the ${MAX_SERIES_RANGE_MS} ms allowed`);
  const bucketCount = Math.ceil((to - from) / stepMs);
  if (bucketCount > MAX_SERIES_POINTS) throw new RangeError(`series asks for ${bucketCount} points, at most ${MAX_SERIES_POINTS} allowed`);
  if (!Object.hasOwn(sampleKinds, kind)) throw new RangeError(`unknown sample kind '${String(kind)}'`);
  if (metrics.length === 0 || metrics.length > MAX_SERIES_METRICS) throw new RangeError(`series asks for ${metrics.length} metrics, 1 to ${MAX_SERIES_METRICS} allowed`);
  const fields = sampleKinds[kind].fields;
  for (const { field, stat } of metrics) {
    if (!Object.hasOwn(fields, field)) throw new RangeError(`'${field}' is not a stored field of ${kind} (known: ${Object.keys(fields).join(", ")})`);
    if (!STATS.includes(stat)) throw new RangeError(`unknown statistic '${String(stat)}' (known: ${STATS.join(", ")})`);
  }
  if (to - from > RAW_PREFERRED_RANGE_MS) {
    for (const resolution of ["1h", "5m"] as const) {
      const windowMs = ROLLUP_WINDOW_MS[resolution];
      if (stepMs % windowMs === 0 && from % windowMs === 0) return { resolution, bucketCount };
    }
    if (to - from > MAX_RAW_RANGE_MS) {
      throw new RangeError(`a range over ${MAX_RAW_RANGE_MS} ms needs a step and a from that are multiples of 5 minutes (300000 ms)`);
    }
  }
  return { resolution: "raw", bucketCount };
}

/**
 * Pure: the answer's arrays from bucketed rows (`bucket` = index of the bucket, `values` one per metric). Buckets
 * without a row are null; a `count` of 0 is null too (no sample had the field), the same on every backend.
 */
export function bucketsToAnswer(request: SeriesRequest, plan: SeriesPlan, rows: Iterable<{ bucket: number; values: Array<number | null> }>): SeriesAnswer {
  const timestamps = Array.from({ length: plan.bucketCount }, (_, i) => request.from + i * request.stepMs);
  const values = request.metrics.map(() => new Array<number | null>(plan.bucketCount).fill(null));
  for (const row of rows) {
    if (row.bucket < 0 || row.bucket >= plan.bucketCount) continue;
    request.metrics.forEach((metric, m) => {
      const value = row.values[m] ?? null;
      (values[m] as Array<number | null>)[row.bucket] = metric.stat === "count" && value === 0 ? null : value;
    });
  }
  return { resolution: plan.resolution, timestamps, values };
}
