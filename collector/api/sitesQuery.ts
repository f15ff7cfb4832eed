import { z } from "zod";
import { SERIES_METRICS, type SeriesMetric, type SeriesStatName } from "../../protocol/api.js";
import { SAMPLE_KIND_NAMES, isSampleKindName, storedFieldsOf, type SampleKindName } from "../../protocol/kinds/registry.js";
import { defaultStepMs, firstQueryProblem, onceParam, resolveTimeWindow, stepParamSchema, timeParamSchema, type QueryCheck } from "./timeQuery.js";

/** Most points one series answer may have: (to - from) / step. */
export const MAX_SERIES_POINTS = 10_000;

/** The window of a series when `from` is not given: the hour before `to`, ms. */
export const DEFAULT_SERIES_RANGE_MS = 3_600_000;

/** The window of an applications summary when `from` is not given: the day before `to`, ms. */
export const DEFAULT_APPS_RANGE_MS = 86_400_000;

/** The window of a site's events when `from` is not given: the 7 days before now, ms. */
export const DEFAULT_EVENTS_RANGE_MS = 7 * 86_400_000;

/** The error code of each parameter of the site routes (times share `bad_range`, as the dashboard has always read). */
const CODES: Readonly<Record<string, string>> = { from: "bad_range", to: "bad_range", step: "bad_step", link: "bad_link", metric: "bad_metric", metrics: "bad_metric", kind: "bad_kind", site: "bad_site" };

/** The stored field and statistic each old metric name reads (the form before `metrics=`, kept for compatibility). */
export const LEGACY_METRIC_FIELDS = {
  rtt_avg: "rtt_avg_ms",
  rtt_min: "rtt_min_ms",
  rtt_max: "rtt_max_ms",
  rtt_median: "rtt_median_ms",
  rtt_p90: "rtt_p90_ms",
  jitter: "jitter_ms",
  mos: "mos",
  loss: "loss_pct",
} as const satisfies Record<SeriesMetric, string>;

const STATS: readonly SeriesStatName[] = ["mean", "min", "max", "count"];
const METRICS_FORM = "metrics must be given once, as field:stat pairs separated by commas (stat one of mean, min, max, count; default mean)";
const KIND_FORM = `kind must be given once, one of: ${SAMPLE_KIND_NAMES.join(", ")}`;

const METRIC_FORM = `metric must be given once, one of: ${SERIES_METRICS.join(", ")}`;

// `to` before `from`: a query wrong in both is answered about `to`, whose default `from` depends on.
const seriesQuerySchema = z.strictObject({
  to: timeParamSchema("to").optional(),
  from: timeParamSchema("from").optional(),
  step: stepParamSchema.optional(),
  link: onceParam("link must be given once", z.string()).optional(),
  metric: onceParam(METRIC_FORM, z.enum(SERIES_METRICS as [SeriesMetric, ...SeriesMetric[]], { error: METRIC_FORM })).optional(),
  metrics: onceParam(METRICS_FORM, z.string().max(1000, METRICS_FORM)).optional(),
  kind: onceParam(KIND_FORM, z.string().refine(isSampleKindName, KIND_FORM)).optional(),
});

const appsQuerySchema = z.strictObject({
  to: timeParamSchema("to").optional(),
  from: timeParamSchema("from").optional(),
  site: onceParam("site must be given once", z.string()).optional(),
});

const eventsQuerySchema = z.strictObject({ from: timeParamSchema("from").optional() });

/**
 * What a series request asks for: one link's samples of `kind` over [from, to) in buckets of stepMs (UTC ms), the
 * `metrics` listed; `legacyMetric` when it was asked in the single-metric form (`metric=rtt_avg`), answered as before.
 */
export interface SeriesQuery {
  link: string;
  kind: SampleKindName;
  metrics: Array<{ field: string; stat: SeriesStatName }>;
  legacyMetric: SeriesMetric | null;
  from: number;
  to: number;
  stepMs: number;
}

/** `rtt_avg_ms:mean,loss_pct:max` as metrics of `kind`, or a message naming the first thing wrong. */
export function parseMetricList(text: string, kind: SampleKindName): { metrics: SeriesQuery["metrics"] } | { problem: string } {
  const fields = storedFieldsOf(kind);
  const metrics: SeriesQuery["metrics"] = [];
  for (const item of text.split(",")) {
    const [field = "", stat = "mean", extra] = item.split(":");
    if (extra !== undefined || field === "") return { problem: `${METRICS_FORM}; '${item.slice(0, 60)}' is not one` };
    if (!Object.hasOwn(fields, field)) return { problem: `'${field.slice(0, 60)}' is not a stored field of ${kind} (known: ${Object.keys(fields).join(", ")})` };
    if (!(STATS as readonly string[]).includes(stat)) return { problem: `'${stat.slice(0, 20)}' is not a statistic (known: ${STATS.join(", ")})` };
    metrics.push({ field, stat: stat as SeriesStatName });
  }
  return { metrics };
}

/**
 * The query of GET /sites/:id/series: `link` (required, one of `links`); either `metrics` (fields of `kind`, default
 * icmp, with a statistic each: `rtt_avg_ms:mean,loss_pct:max`) or the older single `metric` (default rtt_avg, read as
 * its field's mean); `from`/`to` (see timeQuery.ts; default the hour before now), `step` (ms; default about 300
 * buckets), at most {@link MAX_SERIES_POINTS} points. Every parameter given once; an unknown one is refused
 * (`unknown_param`). The sample store's own bounds (seriesPlan.ts: metrics, long ranges) are checked when it is asked.
 */
export function parseSeriesQuery(raw: unknown, now: number, links: readonly string[]): QueryCheck<SeriesQuery> {
  const parsed = seriesQuerySchema.safeParse(raw);
  if (!parsed.success) return firstQueryProblem(parsed.error, Object.keys(seriesQuerySchema.shape), CODES);
  const { link, metric, metrics: metricList, kind: kindText, step } = parsed.data;
  if (link === undefined || !links.includes(link)) return { ok: false, error: "bad_link", message: `link must be one of: ${links.join(", ")}` };
  if (metric !== undefined && (metricList !== undefined || kindText !== undefined)) {
    return { ok: false, error: "bad_metric", message: "give either metric (one, of ICMP samples) or metrics (with kind), not both" };
  }
  const kind: SampleKindName = kindText !== undefined && isSampleKindName(kindText) ? kindText : "icmp";
  let metrics: SeriesQuery["metrics"];
  if (metricList !== undefined) {
    const listed = parseMetricList(metricList, kind);
    if ("problem" in listed) return { ok: false, error: "bad_metric", message: listed.problem };
    metrics = listed.metrics;
  } else {
    metrics = [{ field: LEGACY_METRIC_FIELDS[metric ?? "rtt_avg"], stat: "mean" }];
  }
  const window = resolveTimeWindow(parsed.data, now, DEFAULT_SERIES_RANGE_MS);
  if (!window.ok) return window;
  const { from, to } = window.value;
  const stepMs = step ?? defaultStepMs(to - from);
  if ((to - from) / stepMs > MAX_SERIES_POINTS) return { ok: false, error: "too_many_points", message: `(to - from) / step must be at most ${MAX_SERIES_POINTS}` };
  return { ok: true, value: { link, kind, metrics, legacyMetric: metricList === undefined ? (metric ?? "rtt_avg") : null, from, to, stepMs } };
}

/** The query of GET /apps: `from`/`to` (default the day before now) and `site` (an id, optional), each given once. */
export function parseAppsQuery(raw: unknown, now: number): QueryCheck<{ from: number; to: number; site: string | undefined }> {
  const parsed = appsQuerySchema.safeParse(raw);
  if (!parsed.success) return firstQueryProblem(parsed.error, Object.keys(appsQuerySchema.shape), CODES);
  const window = resolveTimeWindow(parsed.data, now, DEFAULT_APPS_RANGE_MS);
  return window.ok ? { ok: true, value: { ...window.value, site: parsed.data.site } } : window;
}

/** The query of GET /sites/:id/events: `from` (UTC ms or ISO; default 7 days before now), given once. */
export function parseEventsQuery(raw: unknown, now: number): QueryCheck<{ from: number }> {
  const parsed = eventsQuerySchema.safeParse(raw);
  if (!parsed.success) return firstQueryProblem(parsed.error, Object.keys(eventsQuerySchema.shape), CODES);
  return { ok: true, value: { from: parsed.data.from ?? Math.max(0, now - DEFAULT_EVENTS_RANGE_MS) } };
}

/** The query of GET /sites and GET /sites/:id: none; any parameter is refused (`unknown_param`). */
export function parseNoQuery(raw: unknown): QueryCheck<null> {
  const parsed = z.strictObject({}).safeParse(raw);
  return parsed.success ? { ok: true, value: null } : firstQueryProblem(parsed.error, [], CODES);
}
