import { Router } from "express";
import type { SeriesResponse, SiteStatus } from "../../protocol/api.js";
import type { Store } from "../store/store.js";
import { sendError } from "./httpErrors.js";
import { parseAppsQuery, parseEventsQuery, parseNoQuery, parseSeriesQuery } from "./sitesQuery.js";

/** What the site routes need: current status of every site (and of one), and the store for series. */
export interface SitesDeps {
  statuses: () => SiteStatus[];
  status: (siteId: string) => SiteStatus | null;
  store: Store;
  now: () => number;
}

/**
 * GET /sites, /sites/:id, /sites/:id/series, /sites/:id/events and /apps (see DESIGN's HTTP API). Every query parameter
 * is checked before the store is asked (see sitesQuery.ts): a bad, repeated or unknown one is a 400 whose message names
 * it, never a 500 and never ignored.
 */
export function sitesRouter(deps: SitesDeps): Router {
  const router = Router();
  router.get("/sites", (req, res) => {
    const query = parseNoQuery(req.query);
    if (!query.ok) return sendError(res, 400, query.error, query.message);
    res.json(deps.statuses());
  });
  router.get("/sites/:id", (req, res) => {
    const query = parseNoQuery(req.query);
    if (!query.ok) return sendError(res, 400, query.error, query.message);
    const status = deps.status(req.params.id);
    if (!status) return sendError(res, 404, "not_found", `no site '${req.params.id}'`);
    res.json(status);
  });
  router.get("/sites/:id/series", (req, res) => {
    const status = deps.status(req.params.id);
    if (!status) return sendError(res, 404, "not_found", `no site '${req.params.id}'`);
    const query = parseSeriesQuery(req.query, deps.now(), status.links.map((l) => l.id));
    if (!query.ok) return sendError(res, 400, query.error, query.message);
    const { link, metric, from, to, stepMs } = query.value;
    const body: SeriesResponse = {
      site: status.id,
      link,
      metric,
      from,
      to,
      stepMs,
      points: deps.store.querySeries({ site: status.id, link, metric, from, to, stepMs }),
    };
    res.json(body);
  });
  // Applications through each link (TSLCD vs Internet), province-wide or for one site: the comparison the province
  // needs to choose between keeping applications on the dedicated network and opening them to the Internet.
  router.get("/apps", (req, res) => {
    const query = parseAppsQuery(req.query, deps.now());
    if (!query.ok) return sendError(res, 400, query.error, query.message);
    const { from, to, site } = query.value;
    if (site !== undefined && !deps.status(site)) return sendError(res, 404, "not_found", `no site '${site}'`);
    res.json({ from, to, paths: deps.store.appPathSummaries(from, to, site) });
  });

  router.get("/sites/:id/events", (req, res) => {
    const status = deps.status(req.params.id);
    if (!status) return sendError(res, 404, "not_found", `no site '${req.params.id}'`);
    const query = parseEventsQuery(req.query, deps.now());
    if (!query.ok) return sendError(res, 400, query.error, query.message);
    res.json(deps.store.listEvents(status.id, query.value.from, 1000).map(({ ts, event }) => ({ ...event, ts, agentTs: event.ts })));
  });
  return router;
}
