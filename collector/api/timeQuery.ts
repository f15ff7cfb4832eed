import type { Request } from "express";
import { parseTimeParam } from "./responseTimesRoute.js";

/** Latest time a query may name: 2100-01-01T00:00:00Z, UTC ms (anything later is a typo, not a date). */
export const MAX_QUERY_TS = Date.UTC(2100, 0, 1);

/** Longest window a series or application query may cover: 366 days, ms. */
export const MAX_QUERY_RANGE_MS = 366 * 86_400_000;

/** Shortest and longest bucket of a series query, ms: 1 s and 1 day. */
export const MIN_STEP_MS = 1000;
export const MAX_STEP_MS = 86_400_000;

/** A query parameter read, or the API error (`error` code, `message` naming the parameter) to answer 400 with. */
export type QueryCheck<T> = { ok: true; value: T } | { ok: false; error: string; message: string };

const TIME_FORMS = "UTC milliseconds (1748736000000) or an ISO 8601 time with its zone (2025-05-31T17:00:00Z)";

/**
 * The time parameter `name` of `query` (see parseTimeParam: UTC ms or ISO 8601 with a zone), `fallback` when absent.
 * Refused with `error`: given twice, not a time, or outside [1970-01-01, {@link MAX_QUERY_TS}].
 */
export function readTimeParam(query: Request["query"], name: string, fallback: number, error: string): QueryCheck<number> {
  const raw = query[name];
  if (raw === undefined) return { ok: true, value: fallback };
  if (typeof raw !== "string") return { ok: false, error, message: `${name} must be given once, as text` };
  const ts = parseTimeParam(raw);
  if (ts === null) return { ok: false, error, message: `${name} must be ${TIME_FORMS}, not '${raw.slice(0, 64)}'` };
  if (ts < 0 || ts > MAX_QUERY_TS) return { ok: false, error, message: `${name} must be between 1970-01-01 and 2100-01-01 (0 to ${MAX_QUERY_TS} ms), not ${raw.slice(0, 64)}` };
  return { ok: true, value: ts };
}

/**
 * The window [from, to) of `query`: `to` defaulting to `now`, `from` to `defaultRangeMs` before `to`; each read with
 * {@link readTimeParam}. Every problem is `bad_range`, its message naming the parameter: from not before to, or a
 * window longer than {@link MAX_QUERY_RANGE_MS}.
 */
export function readTimeRange(query: Request["query"], now: number, defaultRangeMs: number): QueryCheck<{ from: number; to: number }> {
  const to = readTimeParam(query, "to", Math.min(now, MAX_QUERY_TS), "bad_range");
  if (!to.ok) return to;
  const from = readTimeParam(query, "from", Math.max(0, to.value - defaultRangeMs), "bad_range");
  if (!from.ok) return from;
  if (from.value >= to.value) return { ok: false, error: "bad_range", message: `from (${from.value}) must be before to (${to.value}), both UTC ms` };
  if (to.value - from.value > MAX_QUERY_RANGE_MS) return { ok: false, error: "bad_range", message: "to - from must be at most 366 days" };
  return { ok: true, value: { from: from.value, to: to.value } };
}

/**
 * The `step` parameter of a series query, ms: digits, between {@link MIN_STEP_MS} and {@link MAX_STEP_MS}; when
 * absent, the range cut into about 300 buckets. `bad_step` naming it otherwise.
 */
export function readStepParam(query: Request["query"], rangeMs: number): QueryCheck<number> {
  const raw = query.step;
  if (raw === undefined) return { ok: true, value: Math.min(MAX_STEP_MS, Math.max(MIN_STEP_MS, Math.ceil(rangeMs / 300))) };
  if (typeof raw !== "string" || !/^\d{1,9}$/.test(raw) || Number(raw) < MIN_STEP_MS || Number(raw) > MAX_STEP_MS) {
    return { ok: false, error: "bad_step", message: `step must be given once, in ms, from ${MIN_STEP_MS} to ${MAX_STEP_MS} (1 s to 1 day)` };
  }
  return { ok: true, value: Number(raw) };
}
