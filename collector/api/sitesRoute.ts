import { Router, type Response } from "express";
import type { MultiSeriesResponse, SeriesResponse, SiteStatus } from "../../protocol/api.js";
import type { SampleStore } from "../store/samples/sampleStore.js";
import type { MetadataStore } from "../store/store.js";
import { requestScope } from "../auth/routeGuard.js";
import type { ScopeFilter } from "../auth/scope.js";
import type { SiteListCache } from "./siteListCache.js";
import { sendError } from "./httpErrors.js";
import { parseAppsQuery, parseEventsQuery, parseNoQuery, parseSeriesQuery } from "./sitesQuery.js";

/** What the site routes need: every site's status (a list cached per scope) and one's, the sample store (series, applications) and the metadata store (events). */
export interface SitesDeps {
  /** GET /sites answers from it: built at most once a second, filtered per scope (siteListCache.ts). */
  siteList: Pick<SiteListCache, "forScope">;
  status: (siteId: string) => SiteStatus | null;
  store: Pick<MetadataStore, "listEvents">;
  samples: Pick<SampleStore, "querySeries" | "pathSummaries">;
  now: () => number;
  /** What each request's scope may see (collector/auth/scope.ts): other sites are 404, other providers' links absent. */
  filter: ScopeFilter;
}

/**
 * GET /sites (at most a second old: siteListCache.ts), /sites/:id, /sites/:id/series, /sites/:id/events and /apps (see DESIGN's HTTP API). Every query parameter
 * is checked before the store is asked (see sitesQuery.ts): a bad, repeated or unknown one is a 400 whose message names
 * it, never a 500 and never ignored; a request the sample store finds out of its bounds (seriesPlan.ts: too many
 * metrics, a long range whose step rollups cannot answer) is a 400 `bad_series` with the store's message. A sample
 * store that cannot answer now is 503 (the error handler).
 */
export function sitesRouter(deps: SitesDeps): Router {
  const router = Router();
  /** The site's status as the request's scope sees it; null when it sees nothing of it (or there is no such site). */
  const visibleStatus = (res: Response, siteId: string): SiteStatus | null => {
    const status = deps.status(siteId);
    return status ? deps.filter.siteStatus(requestScope(res), status) : null;
  };
  router.get("/sites", (req, res) => {
    const query = parseNoQuery(req.query);
    if (!query.ok) return sendError(res, 400, query.error, query.message);
    // The cached bytes, and an ETag of its own: express would otherwise hash 3 MB per answer for one.
    const view = deps.siteList.forScope(requestScope(res));
    res.type("application/json").setHeader("ETag", view.etag);
    res.send(view.body);
  });
  router.get("/sites/:id", (req, res) => {
    const query = parseNoQuery(req.query);
    if (!query.ok) return sendError(res, 400, query.error, query.message);
    const status = visibleStatus(res, req.params.id);
    if (!status) return sendError(res, 404, "not_found", `no site '${req.params.id}'`);
    res.json(status);
  });
  router.get("/sites/:id/series", async (req, res) => {
    const status = visibleStatus(res, req.params.id);
    if (!status) return sendError(res, 404, "not_found", `no site '${req.params.id}'`);
    const query = parseSeriesQuery(req.query, deps.now(), status.links.map((l) => l.id));
    if (!query.ok) return sendError(res, 400, query.error, query.message);
    const { link, kind, metrics, legacyMetric, from, to, stepMs } = query.value;
    const answer = await outOfBounds(res, () => deps.samples.querySeries({ site: status.id, link, kind, role: "link", metrics, from, to, stepMs }));
    if (!answer) return;
    if (legacyMetric !== null) {
      const points = answer.timestamps.map((ts, i): [number, number | null] => [ts, answer.values[0]?.[i] ?? null]);
      const body: SeriesResponse = { site: status.id, link, metric: legacyMetric, from, to, stepMs, points };
      return res.json(body);
    }
    const body: MultiSeriesResponse = { site: status.id, link, kind, from, to, stepMs, resolution: answer.resolution, metrics, timestamps: answer.timestamps, values: answer.values };
    res.json(body);
  });
  // Applications through each link (TSLCD vs Internet), province-wide or for one site: the comparison the province
  // needs to choose between keeping applications on the dedicated network and opening them to the Internet.
  router.get("/apps", async (req, res) => {
    const query = parseAppsQuery(req.query, deps.now());
    if (!query.ok) return sendError(res, 400, query.error, query.message);
    const scope = requestScope(res);
    // A ward asks for its own site's applications, named or not; the province for any or all.
    const site = scope.role === "ward" ? (query.value.site ?? scope.site) : query.value.site;
    const { from, to } = query.value;
    if (site !== undefined && !visibleStatus(res, site)) return sendError(res, 404, "not_found", `no site '${site}'`);
    const summaries = await outOfBounds(res, () => deps.samples.pathSummaries({ role: "app", from, to, ...(site === undefined ? {} : { site }) }), "bad_range");
    if (!summaries) return;
    const paths = summaries.map(({ site: siteId, probe, link, rounds, okPct, latencyAvgMs }) => ({ site: siteId, app: probe, link, rounds, okPct, latencyAvgMs }));
    res.json({ from, to, paths });
  });

  router.get("/sites/:id/events", (req, res) => {
    const status = visibleStatus(res, req.params.id);
    if (!status) return sendError(res, 404, "not_found", `no site '${req.params.id}'`);
    const query = parseEventsQuery(req.query, deps.now());
    if (!query.ok) return sendError(res, 400, query.error, query.message);
    res.json(deps.store.listEvents(status.id, query.value.from, 1000).map(({ ts, event }) => ({ ...event, ts, agentTs: event.ts })));
  });
  return router;
}

/** Runs a sample store read; a RangeError (a request outside the store's bounds) is answered 400 `code` and gives null. */
async function outOfBounds<T>(res: Response, read: () => Promise<T>, code = "bad_series"): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    sendError(res, 400, code, err.message);
    return null;
  }
}
