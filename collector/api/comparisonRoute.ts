import { Router } from "express";
import { requestScope } from "../auth/routeGuard.js";
import type { ScopeFilter } from "../auth/scope.js";
import { z } from "zod";
import type { ComparisonResponse, SiteStatus } from "../../protocol/api.js";
import type { SampleStore } from "../store/samples/sampleStore.js";
import { MAX_RAW_RANGE_MS } from "../store/samples/seriesPlan.js";
import { compareApplications } from "./comparison.js";
import { sendError } from "./httpErrors.js";
import { firstQueryProblem, onceParam, resolveTimeWindow, timeParamSchema, type QueryCheck } from "./timeQuery.js";

/** The period of a comparison when `from` is not given: the 7 days before `to`, ms. */
export const DEFAULT_COMPARISON_RANGE_MS = 7 * 86_400_000;

const HOUR_MS = 3_600_000;

/** What the comparison route needs: every site's status (names, links and their kinds), the sample store, the clock. */
export interface ComparisonDeps {
  statuses: () => SiteStatus[];
  /** What each caller may see (collector/auth/scope.ts): a ward its own site only. */
  filter: Pick<ScopeFilter, "siteStatuses">;
  samples: Pick<SampleStore, "pathSummaries">;
  now: () => number;
}

const CODES: Readonly<Record<string, string>> = { from: "bad_range", to: "bad_range", site: "bad_site" };

// `to` before `from`: a query wrong in both is answered about `to`, whose default `from` depends on.
const comparisonQuerySchema = z.strictObject({
  to: timeParamSchema("to").optional(),
  from: timeParamSchema("from").optional(),
  site: onceParam("site must be given once", z.string().max(64, "site must be a site id")).optional(),
});

/** A comparison asked for: the window [from, to) (UTC ms), read raw or from the hourly rollups, one site or all. */
export interface ComparisonQuery {
  from: number;
  to: number;
  resolution: "raw" | "1h";
  site: string | undefined;
}

/**
 * The query of GET /comparison: `from`/`to` (UTC ms or ISO 8601 with a zone; default the 7 days before now; at most 366
 * days, timeQuery.ts) and `site` (an id, optional), each given once; any other parameter is refused. Up to 7 days are
 * read from raw samples; a longer period from the hourly rollups, widened to whole hours (the answer says which).
 */
export function parseComparisonQuery(raw: unknown, now: number): QueryCheck<ComparisonQuery> {
  const parsed = comparisonQuerySchema.safeParse(raw);
  if (!parsed.success) return firstQueryProblem(parsed.error, Object.keys(comparisonQuerySchema.shape), CODES);
  const window = resolveTimeWindow(parsed.data, now, DEFAULT_COMPARISON_RANGE_MS);
  if (!window.ok) return window;
  return { ok: true, value: { ...summaryWindow(window.value.from, window.value.to), site: parsed.data.site } };
}

/**
 * Where path summaries over [from, to) (UTC ms) are read: raw samples up to 7 days, else the hourly rollups over the
 * window widened to whole hours.
 */
export function summaryWindow(from: number, to: number): { from: number; to: number; resolution: "raw" | "1h" } {
  if (to - from <= MAX_RAW_RANGE_MS) return { from, to, resolution: "raw" };
  return { from: Math.floor(from / HOUR_MS) * HOUR_MS, to: Math.ceil(to / HOUR_MS) * HOUR_MS, resolution: "1h" };
}

/**
 * GET /comparison (the link comparison page): for each government application the agents probe over each link,
 * availability and latency over the TSLCD links against over the Internet links, per site and in total
 * (comparison.ts). A bad, repeated or unknown parameter is a 400 naming it; an unknown site 404.
 */
export function comparisonRouter(deps: ComparisonDeps): Router {
  const router = Router();
  const collator = new Intl.Collator("vi", { numeric: true, sensitivity: "base" });
  router.get("/comparison", async (req, res) => {
    const query = parseComparisonQuery(req.query, deps.now());
    if (!query.ok) return sendError(res, 400, query.error, query.message);
    const scope = requestScope(res);
    const { from, to, resolution } = query.value;
    const site = query.value.site ?? (scope.role === "ward" ? scope.site : undefined);
    const statuses = deps.filter.siteStatuses(scope, deps.statuses());
    if (site !== undefined && !statuses.some((status) => status.id === site)) return sendError(res, 404, "not_found", `no site '${site}'`);
    let paths;
    try {
      paths = await deps.samples.pathSummaries({ role: "app", from, to, resolution, ...(site === undefined ? {} : { site }) });
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      return sendError(res, 400, "bad_range", err.message);
    }
    const body: ComparisonResponse = { from, to, resolution, apps: compareApplications(paths, statuses, collator) };
    res.json(body);
  });
  return router;
}
