import { Router, type Response } from "express";
import type { Scope } from "../auth/scope.js";
import { z } from "zod";
import type { ResponseTimesReport } from "../../protocol/incident.js";
import type { IncidentStore } from "../incidents/incidentStore.js";
import { providerResponseTimes } from "../incidents/responseTimes.js";
import { sendError } from "./httpErrors.js";
import { firstQueryProblem, resolveTimeWindow, timeParamSchema, type QueryCheck } from "./timeQuery.js";

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
  /** The request's scope (collector/auth/routeGuard.ts): a vendor sees only its own provider's entry. */
  scopeOf(res: Response): Scope;
}

/** A window [fromTs, toTs) in UTC ms. */
export interface TimeWindow {
  fromTs: number;
  toTs: number;
}

const responseTimesQuerySchema = z.strictObject({ to: timeParamSchema("to").optional(), from: timeParamSchema("from").optional() });
const CODES: Readonly<Record<string, string>> = { from: "bad_from", to: "bad_to" };

/**
 * The window of a response times request: `from` and `to` (see timeQuery.ts), `to` defaulting to `now` and `from` to
 * 30 days before `to`. Each problem names its parameter (`bad_from`, `bad_to`: not a time, outside 1970–2100, given
 * twice); `from` not before `to` is `bad_range`, and so is a window longer than 366 days (the query reads every
 * incident in the window); an unknown parameter is `unknown_param`.
 */
export function parseResponseTimesQuery(raw: unknown, now: number): QueryCheck<TimeWindow> {
  const parsed = responseTimesQuerySchema.safeParse(raw);
  if (!parsed.success) return firstQueryProblem(parsed.error, ["from", "to"], CODES);
  const window = resolveTimeWindow(parsed.data, now, DEFAULT_RESPONSE_TIMES_WINDOW_MS);
  return window.ok ? { ok: true, value: { fromTs: window.value.from, toTs: window.value.to } } : window;
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
    const { fromTs, toTs } = parsed.value;
    // One more than measured, to tell whether any were left out.
    const incidents = deps.incidents.providerIncidentTimes({ fromTs, toTs, limit: maxIncidents + 1 });
    const truncated = incidents.length > maxIncidents;
    const scope = deps.scopeOf(res);
    const providers = providerResponseTimes(truncated ? incidents.slice(0, maxIncidents) : incidents);
    const report: ResponseTimesReport = {
      fromTs,
      toTs,
      truncated,
      maxIncidents,
      providers: scope.role === "vendor" ? providers.filter((entry) => entry.provider === scope.provider) : providers,
    };
    res.json(report);
  });
  return router;
}
