import { z } from "zod";
import { SERIES_METRICS, type SeriesMetric } from "../../protocol/api.js";
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
const CODES: Readonly<Record<string, string>> = { from: "bad_range", to: "bad_range", step: "bad_step", link: "bad_link", metric: "bad_metric", site: "bad_site" };

const METRIC_FORM = `metric must be given once, one of: ${SERIES_METRICS.join(", ")}`;

// `to` before `from`: a query wrong in both is answered about `to`, whose default `from` depends on.
const seriesQuerySchema = z.strictObject({
  to: timeParamSchema("to").optional(),
  from: timeParamSchema("from").optional(),
  step: stepParamSchema.optional(),
  link: onceParam("link must be given once", z.string()).optional(),
  metric: onceParam(METRIC_FORM, z.enum(SERIES_METRICS as [SeriesMetric, ...SeriesMetric[]], { error: METRIC_FORM })).optional(),
});

const appsQuerySchema = z.strictObject({
  to: timeParamSchema("to").optional(),
  from: timeParamSchema("from").optional(),
  site: onceParam("site must be given once", z.string()).optional(),
});

const eventsQuerySchema = z.strictObject({ from: timeParamSchema("from").optional() });

/** What a series request asks for: one link's metric over [from, to) in buckets of stepMs (UTC ms). */
export interface SeriesQuery {
  link: string;
  metric: SeriesMetric;
  from: number;
  to: number;
  stepMs: number;
}

/**
 * The query of GET /sites/:id/series: `link` (required, one of `links`), `metric` (default rtt_avg), `from`/`to`
 * (see timeQuery.ts; default the hour before now), `step` (ms; default about 300 buckets), at most
 * {@link MAX_SERIES_POINTS} points. Every parameter given once; an unknown one is refused (`unknown_param`).
 */
export function parseSeriesQuery(raw: unknown, now: number, links: readonly string[]): QueryCheck<SeriesQuery> {
  const parsed = seriesQuerySchema.safeParse(raw);
  if (!parsed.success) return firstQueryProblem(parsed.error, Object.keys(seriesQuerySchema.shape), CODES);
  const { link, metric = "rtt_avg", step } = parsed.data;
  if (link === undefined || !links.includes(link)) return { ok: false, error: "bad_link", message: `link must be one of: ${links.join(", ")}` };
  const window = resolveTimeWindow(parsed.data, now, DEFAULT_SERIES_RANGE_MS);
  if (!window.ok) return window;
  const { from, to } = window.value;
  const stepMs = step ?? defaultStepMs(to - from);
  if ((to - from) / stepMs > MAX_SERIES_POINTS) return { ok: false, error: "too_many_points", message: `(to - from) / step must be at most ${MAX_SERIES_POINTS}` };
  return { ok: true, value: { link, metric, from, to, stepMs } };
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
