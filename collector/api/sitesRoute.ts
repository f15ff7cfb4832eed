import { Router } from "express";
import { SERIES_METRICS, type SeriesMetric, type SeriesResponse, type SiteStatus } from "../../protocol/api.js";
import type { Store } from "../store/store.js";
import { sendError } from "./httpErrors.js";
import { readStepParam, readTimeParam, readTimeRange } from "./timeQuery.js";

const MAX_POINTS = 10_000;
const DEFAULT_RANGE_MS = 3_600_000;

/** What the site routes need: current status of every site (and of one), and the store for series. */
export interface SitesDeps {
  statuses: () => SiteStatus[];
  status: (siteId: string) => SiteStatus | null;
  store: Store;
  now: () => number;
}

/**
 * GET /sites, /sites/:id, /sites/:id/series, /sites/:id/events and /apps (see DESIGN's HTTP API). Every query parameter
 * is checked before the store is asked (see timeQuery.ts): a bad one is a 400 whose message names it, never a 500.
 */
export function sitesRouter(deps: SitesDeps): Router {
  const router = Router();
  router.get("/sites", (_req, res) => {
    res.json(deps.statuses());
  });
  router.get("/sites/:id", (req, res) => {
    const status = deps.status(req.params.id);
    if (!status) return sendError(res, 404, "not_found", `no site '${req.params.id}'`);
    res.json(status);
  });
  router.get("/sites/:id/series", (req, res) => {
    const status = deps.status(req.params.id);
    if (!status) return sendError(res, 404, "not_found", `no site '${req.params.id}'`);
    const link = req.query.link;
    if (typeof link !== "string" || !status.links.some((l) => l.id === link)) {
      return sendError(res, 400, "bad_link", `link must be one of: ${status.links.map((l) => l.id).join(", ")}`);
    }
    const metric = (req.query.metric ?? "rtt_avg") as SeriesMetric;
    if (!SERIES_METRICS.includes(metric)) return sendError(res, 400, "bad_metric", `metric must be one of: ${SERIES_METRICS.join(", ")}`);
    const range = readTimeRange(req.query, deps.now(), DEFAULT_RANGE_MS);
    if (!range.ok) return sendError(res, 400, range.error, range.message);
    const { from, to } = range.value;
    const stepCheck = readStepParam(req.query, to - from);
    if (!stepCheck.ok) return sendError(res, 400, stepCheck.error, stepCheck.message);
    const step = stepCheck.value;
    if ((to - from) / step > MAX_POINTS) return sendError(res, 400, "too_many_points", `(to - from) / step must be at most ${MAX_POINTS}`);
    const body: SeriesResponse = {
      site: status.id,
      link,
      metric,
      from,
      to,
      stepMs: step,
      points: deps.store.querySeries({ site: status.id, link, metric, from, to, stepMs: step }),
    };
    res.json(body);
  });
  // Applications through each link (TSLCD vs Internet), province-wide or for one site: the comparison the province
  // needs to choose between keeping applications on the dedicated network and opening them to the Internet.
  router.get("/apps", (req, res) => {
    const range = readTimeRange(req.query, deps.now(), 86_400_000);
    if (!range.ok) return sendError(res, 400, range.error, range.message);
    const { from, to } = range.value;
    if (req.query.site !== undefined && typeof req.query.site !== "string") return sendError(res, 400, "bad_site", "site must be given once");
    const site = req.query.site;
    if (site !== undefined && !deps.status(site)) return sendError(res, 404, "not_found", `no site '${site}'`);
    res.json({ from, to, paths: deps.store.appPathSummaries(from, to, site) });
  });

  router.get("/sites/:id/events", (req, res) => {
    const status = deps.status(req.params.id);
    if (!status) return sendError(res, 404, "not_found", `no site '${req.params.id}'`);
    const from = readTimeParam(req.query, "from", Math.max(0, deps.now() - 7 * 86_400_000), "bad_range");
    if (!from.ok) return sendError(res, 400, from.error, from.message);
    res.json(deps.store.listEvents(status.id, from.value, 1000).map(({ ts, event }) => ({ ...event, ts, agentTs: event.ts })));
  });
  return router;
}
