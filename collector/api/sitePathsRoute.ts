import { Router } from "express";
import { requestScope } from "../auth/routeGuard.js";
import type { ScopeFilter } from "../auth/scope.js";
import { z } from "zod";
import type { SitePath, SitePathsResponse, SiteStatus } from "../../protocol/api.js";
import type { PathSummary } from "../store/samples/pathSummary.js";
import type { SampleStore } from "../store/samples/sampleStore.js";
import { summaryWindow } from "./comparisonRoute.js";
import { sendError } from "./httpErrors.js";
import { firstQueryProblem, resolveTimeWindow, timeParamSchema } from "./timeQuery.js";

/** The period of a site's paths when `from` is not given: the day before `to`, ms. */
export const DEFAULT_PATHS_RANGE_MS = 86_400_000;

/** What the route needs: one site's status, the sample store, the clock. */
export interface SitePathsDeps {
  status: (siteId: string) => SiteStatus | null;
  /** What each caller may see (collector/auth/scope.ts): a ward its own site only. */
  filter: Pick<ScopeFilter, "siteStatus">;
  samples: Pick<SampleStore, "pathSummaries">;
  now: () => number;
}

const pathsQuerySchema = z.strictObject({ to: timeParamSchema("to").optional(), from: timeParamSchema("from").optional() });

/**
 * GET /sites/:id/paths?from&to (the site page): each application the site's agent probes through each link, and each
 * LAN device, with its rounds, % ok and mean latency over [from, to) (UTC ms or ISO; default the day before now; at
 * most 366 days: raw samples up to 7 days, the hourly rollups beyond, on whole hours). 404 for an unknown site; a bad,
 * repeated or unknown parameter is a 400 naming it.
 */
export function sitePathsRouter(deps: SitePathsDeps): Router {
  const router = Router();
  router.get("/sites/:id/paths", async (req, res) => {
    const found = deps.status(req.params.id);
    const status = found ? deps.filter.siteStatus(requestScope(res), found) : null;
    if (!status) return sendError(res, 404, "not_found", `no site '${req.params.id}'`);
    const parsed = pathsQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      const problem = firstQueryProblem(parsed.error, Object.keys(pathsQuerySchema.shape), { from: "bad_range", to: "bad_range" });
      return sendError(res, 400, problem.error, problem.message);
    }
    const window = resolveTimeWindow(parsed.data, deps.now(), DEFAULT_PATHS_RANGE_MS);
    if (!window.ok) return sendError(res, 400, window.error, window.message);
    const { from, to, resolution } = summaryWindow(window.value.from, window.value.to);
    const read = (role: "app" | "lan") => deps.samples.pathSummaries({ role, from, to, resolution, site: status.id });
    const [apps, lan] = await Promise.all([read("app"), read("lan")]);
    const body: SitePathsResponse = { site: status.id, from, to, resolution, apps: apps.map(shown), lan: lan.map(shown) };
    res.json(body);
  });
  return router;
}

function shown({ probe, link, kind, rounds, okPct, latencyAvgMs }: PathSummary): SitePath {
  return { probe, link, kind, rounds, okPct, latencyAvgMs };
}
