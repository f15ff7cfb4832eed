import { z } from "zod";

/**
 * Time windows of API queries, for every route that takes them (series, applications, events, response times): how a
 * time parameter is written and read, the bounds of a window, a series' step, and how a query's first problem is
 * named. Each route keeps its own error codes (see {@link firstQueryProblem}).
 */

/** Latest time a query may name: 2100-01-01T00:00:00Z, UTC ms (anything later is a typo, not a date). */
export const MAX_QUERY_TS = Date.UTC(2100, 0, 1);

/** Longest window a query may cover: 366 days, ms (a year, leap years included; the stores read every row in it). */
export const MAX_QUERY_RANGE_MS = 366 * 86_400_000;

/** Shortest bucket of a series query, ms (1 s). */
export const MIN_STEP_MS = 1000;

/** Longest bucket of a series query, ms (1 day): the daily rollups are the coarsest a store keeps. */
export const MAX_STEP_MS = 86_400_000;

/** A query read, or the API error (`error` code, `message` naming the parameter) to answer 400 with. */
export type QueryCheck<T> = { ok: true; value: T } | { ok: false; error: string; message: string };

const TIME_FORMS = "UTC milliseconds (1748736000000) or an ISO 8601 time with its zone (2025-06-01T00:00:00+07:00, 2025-05-31T17:00:00Z)";
/** RFC 3339 date and time (its `T` and `Z` in either case, RFC 3339 §5.6), seconds and fractions optional. */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
/** An ISO time whose `+hh:mm` zone reached us as " hh:mm": a `+` not encoded as %2B in the URL is a space. */
const UNENCODED_PLUS = /^\d{4}-\d{2}-\d{2}[Tt][\d:.]+ \d{2}:\d{2}$/;

/**
 * A time parameter: UTC ms (digits only), or an ISO 8601 / RFC 3339 date and time with a zone (`Z` or `±hh:mm`;
 * seconds and fractions optional, fractions beyond ms dropped). A time without a zone is refused rather than read in
 * some zone. Null when it is neither, or names a date or time that does not exist (31/02, 24:00, 00:00:60).
 */
export function parseTimeParam(text: string): number | null {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const match = ISO_TIME.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const ms = Number((match[7] ?? "").padEnd(3, "0").slice(0, 3));
  const offsetSign = match[9] === "-" ? -1 : 1;
  const [offsetHour, offsetMinute] = [Number(match[10] ?? 0), Number(match[11] ?? 0)];
  // Date.UTC rolls 31/02 over into March and 24:00 into the next day: refuse the fields it would accept silently.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetSign * (offsetHour * 60 + offsetMinute) * 60_000;
}

/** A query parameter given once: express gives a repeated one as an array. `message` says what it must be. */
export function onceParam<T extends z.ZodType<unknown, string>>(message: string, inner: T) {
  return z.string({ error: message }).pipe(inner);
}

/** The time parameter `name` (see {@link parseTimeParam}), given once, in [1970-01-01, {@link MAX_QUERY_TS}], to UTC ms. */
export function timeParamSchema(name: string) {
  return onceParam(
    `${name} must be given once, as text`,
    z.string().transform((text, ctx) => {
      const ts = parseTimeParam(text);
      const shown = text.slice(0, 64);
      if (ts === null) {
        const hint = UNENCODED_PLUS.test(text) ? `; its zone's '+' arrived as a space: write + as %2B in a URL (${shown.replace(" ", "%2B")})` : "";
        ctx.addIssue({ code: "custom", message: `${name} must be ${TIME_FORMS}, not '${shown}'${hint}` });
        return z.NEVER;
      }
      if (ts < 0 || ts > MAX_QUERY_TS) {
        ctx.addIssue({ code: "custom", message: `${name} must be between 1970-01-01 and 2100-01-01 (0 to ${MAX_QUERY_TS} ms), not ${shown}` });
        return z.NEVER;
      }
      return ts;
    }),
  );
}

const STEP_FORM = `step must be given once, in ms, from ${MIN_STEP_MS} to ${MAX_STEP_MS} (1 s to 1 day)`;

/** The `step` parameter of a series query, ms: given once, digits, from {@link MIN_STEP_MS} to {@link MAX_STEP_MS}. */
export const stepParamSchema = onceParam(
  STEP_FORM,
  z
    .string()
    .regex(/^\d{1,9}$/, STEP_FORM)
    .transform(Number)
    .refine((ms) => ms >= MIN_STEP_MS && ms <= MAX_STEP_MS, STEP_FORM),
);

/** The step of a series over `rangeMs` when none is given: the range cut into about 300 buckets, within the bounds. */
export function defaultStepMs(rangeMs: number): number {
  return Math.min(MAX_STEP_MS, Math.max(MIN_STEP_MS, Math.ceil(rangeMs / 300)));
}

/**
 * The window [from, to) of a query from its parsed `from` and `to` (UTC ms, either absent): `to` defaulting to `now`
 * (at most {@link MAX_QUERY_TS}), `from` to `defaultRangeMs` before `to` (at least 0). `bad_range` when from is not
 * before to, or the window is longer than {@link MAX_QUERY_RANGE_MS}.
 */
export function resolveTimeWindow(given: { from?: number; to?: number }, now: number, defaultRangeMs: number): QueryCheck<{ from: number; to: number }> {
  const to = given.to ?? Math.min(now, MAX_QUERY_TS);
  const from = given.from ?? Math.max(0, to - defaultRangeMs);
  if (from >= to) return { ok: false, error: "bad_range", message: `from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})` };
  if (to - from > MAX_QUERY_RANGE_MS) return { ok: false, error: "bad_range", message: "the window from … to must be at most 366 days" };
  return { ok: true, value: { from, to } };
}

/**
 * The first problem of a query that `schema` (a strict object of its parameters) refused, as the API error: an unknown
 * parameter first (`unknown_param`, naming it and the known ones; `to[]` or `to[a]` is the parameter `to` not given
 * as text), else the first parameter's own message with the code `codes[param]`.
 */
export function firstQueryProblem(error: z.ZodError, known: readonly string[], codes: Readonly<Record<string, string>>): { ok: false; error: string; message: string } {
  const unknown = error.issues.find((issue) => issue.code === "unrecognized_keys");
  if (unknown && unknown.code === "unrecognized_keys") {
    const key = unknown.keys[0]!;
    const base = /^([^[]+)\[/.exec(key)?.[1];
    if (base !== undefined && known.includes(base)) return { ok: false, error: codes[base]!, message: `${base} must be given once, as text (not ${key.slice(0, 64)}=)` };
    return { ok: false, error: "unknown_param", message: `unknown parameter '${key.slice(0, 64)}' (known: ${known.join(", ")})` };
  }
  const issue = error.issues[0]!;
  const param = String(issue.path[0] ?? "");
  return { ok: false, error: codes[param] ?? "bad_query", message: issue.message };
}
