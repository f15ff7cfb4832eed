import { Router } from "express";
import { SERIES_METRICS, type SeriesMetric, type SeriesResponse, type SiteStatus } from "../../protocol/api.js";
import type { Store } from "../store/store.js";
import { sendError } from "./httpErrors.js";

const MAX_POINTS = 10_000;
const DEFAULT_RANGE_MS = 3_600_000;

/** What the site routes need: current status of every site (and of one), and the store for series. */
export interface SitesDeps {
  statuses: () => SiteStatus[];
  status: (siteId: string) => SiteStatus | null;
  store: Store;
  now: () => number;
}

function parseMs(text: unknown, fallback: number): number | null {
  if (text === undefined) return fallback;
  if (typeof text !== "string" || !/^\d{1,16}$/.test(text)) return null;
  return Number(text);
}

/** GET /sites, /sites/:id, /sites/:id/series and /sites/:id/events (see DESIGN's HTTP API). */
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
    const to = parseMs(req.query.to, deps.now());
    const from = to === null ? null : parseMs(req.query.from, to - DEFAULT_RANGE_MS);
    if (to === null || from === null || from >= to) return sendError(res, 400, "bad_range", "from and to must be UTC milliseconds with from < to");
    const step = parseMs(req.query.step, Math.max(1000, Math.ceil((to - from) / 300)));
    if (step === null || step < 1000) return sendError(res, 400, "bad_step", "step must be at least 1000 ms");
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
    const to = parseMs(req.query.to, deps.now());
    const from = to === null ? null : parseMs(req.query.from, to - 86_400_000);
    if (to === null || from === null || from >= to) return sendError(res, 400, "bad_range", "from and to must be UTC milliseconds with from < to");
    const site = typeof req.query.site === "string" ? req.query.site : undefined;
    if (site !== undefined && !deps.status(site)) return sendError(res, 404, "not_found", `no site '${site}'`);
    res.json({ from, to, paths: deps.store.appPathSummaries(from, to, site) });
  });

  router.get("/sites/:id/events", (req, res) => {
    const status = deps.status(req.params.id);
    if (!status) return sendError(res, 404, "not_found", `no site '${req.params.id}'`);
    const from = parseMs(req.query.from, deps.now() - 7 * 86_400_000);
    if (from === null) return sendError(res, 400, "bad_range", "from must be UTC milliseconds");
    res.json(deps.store.listEvents(status.id, from, 1000).map(({ ts, event }) => ({ ...event, ts, agentTs: event.ts })));
  });
  return router;
}
