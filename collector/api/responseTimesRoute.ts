import { Router, type Request } from "express";
import type { ResponseTimesReport } from "../../protocol/incident.js";
import type { IncidentStore } from "../incidents/incidentStore.js";
import { providerResponseTimes } from "../incidents/responseTimes.js";
import { sendError } from "./httpErrors.js";

/** The window measured when `from` is not given: the 30 days before `to`, ms. */
export const DEFAULT_RESPONSE_TIMES_WINDOW_MS = 30 * 86_400_000;

/**
 * Most incidents one answer measures (the latest started first): bounds the memory and time of a request whatever the
 * window; beyond it the answer says `truncated`. A province of about a hundred sites has far fewer in 30 days.
 */
export const MAX_RESPONSE_TIME_INCIDENTS = 5000;

/** What the response times route needs: the incident store and the collector's clock (UTC ms). */
export interface ResponseTimesDeps {
  incidents: IncidentStore;
  now: () => number;
  /** Most incidents one answer measures; default {@link MAX_RESPONSE_TIME_INCIDENTS}. */
  maxIncidents?: number;
}

/** A window [fromTs, toTs) in UTC ms. */
export interface TimeWindow {
  fromTs: number;
  toTs: number;
}

type WindowCheck = { ok: true; window: TimeWindow } | { ok: false; error: string; message: string };

const WINDOW_PARAMS = ["from", "to"] as const;
const TIME_FORMS = "UTC milliseconds (1748736000000) or an ISO 8601 time with its zone (2025-06-01T00:00:00+07:00, 2025-05-31T17:00:00Z)";
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * A time parameter: UTC ms (digits only), or an ISO 8601 date and time with a zone (`Z` or `±hh:mm`; seconds and
 * milliseconds optional). A time without a zone is refused rather than read in some zone. Null when it is neither,
 * or names a date that does not exist (31/02).
 */
export function parseTimeParam(text: string): number | null {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const match = ISO_TIME.exec(text);
  if (!match) return null;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offsetHour = 0, offsetMinute = 0] = match.slice(1).map((part) => Number(part ?? 0));
  // Date.parse rolls 31/02 over into March and reads 24:00 as the next day: check the fields it would accept silently.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59) return null;
  const ts = Date.parse(text);
  return Number.isFinite(ts) ? ts : null;
}

/** The longest window a request may ask for: 366 days. */
export const MAX_RESPONSE_TIMES_WINDOW_MS = 366 * 86_400_000;

/**
 * The window of a response times request: `from` and `to` (see {@link parseTimeParam}), `to` defaulting to `now`
 * and `from` to 30 days before `to`. Each problem names its parameter (`bad_from`, `bad_to`); `from` not before `to`
 * is `bad_range`, and so is a window longer than {@link MAX_RESPONSE_TIMES_WINDOW_MS} (a year: the query reads every
 * incident in the window); a repeated parameter is refused, and so is an unknown one (`unknown_param`).
 */
export function parseResponseTimesQuery(raw: Request["query"], now: number): WindowCheck {
  const given: { from?: number; to?: number } = {};
  for (const [param, value] of Object.entries(raw)) {
    if (!(WINDOW_PARAMS as readonly string[]).includes(param)) return { ok: false, error: "unknown_param", message: `unknown parameter '${param.slice(0, 64)}' (known: ${WINDOW_PARAMS.join(", ")})` };
    if (typeof value !== "string") return { ok: false, error: `bad_${param}`, message: `${param} must be given once, as text` };
    const ts = parseTimeParam(value);
    if (ts === null) return { ok: false, error: `bad_${param}`, message: `${param} must be ${TIME_FORMS}` };
    given[param as (typeof WINDOW_PARAMS)[number]] = ts;
  }
  const toTs = given.to ?? now;
  const fromTs = given.from ?? toTs - DEFAULT_RESPONSE_TIMES_WINDOW_MS;
  if (fromTs >= toTs) {
    return { ok: false, error: "bad_range", message: `from (${new Date(fromTs).toISOString()}) must be before to (${new Date(toTs).toISOString()})` };
  }
  if (toTs - fromTs > MAX_RESPONSE_TIMES_WINDOW_MS) {
    return { ok: false, error: "bad_range", message: "the window from … to must be at most 366 days" };
  }
  return { ok: true, window: { fromTs, toTs } };
}

/**
 * GET /incidents/response-times?from=&to=: time to acknowledge and time to restore per vendor, over the incidents
 * whose startTs is in [from, to) (default: the last 30 days), as a {@link ResponseTimesReport}. Mounted before
 * GET /incidents/:id, which would otherwise take "response-times" for an id.
 */
export function responseTimesRouter(deps: ResponseTimesDeps): Router {
  const router = Router();
  const maxIncidents = deps.maxIncidents ?? MAX_RESPONSE_TIME_INCIDENTS;
  router.get("/incidents/response-times", (req, res) => {
    const parsed = parseResponseTimesQuery(req.query, deps.now());
    if (!parsed.ok) return sendError(res, 400, parsed.error, parsed.message);
    const { fromTs, toTs } = parsed.window;
    // One more than measured, to tell whether any were left out.
    const incidents = deps.incidents.providerIncidentTimes({ fromTs, toTs, limit: maxIncidents + 1 });
    const truncated = incidents.length > maxIncidents;
    const report: ResponseTimesReport = {
      fromTs,
      toTs,
      truncated,
      maxIncidents,
      providers: providerResponseTimes(truncated ? incidents.slice(0, maxIncidents) : incidents),
    };
    res.json(report);
  });
  return router;
}
