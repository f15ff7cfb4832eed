import { createServer, type Server } from "node:http";
import { existsSync } from "node:fs";
import express from "express";
import type { CollectorConfig } from "../config/collectorSchema.js";
import type { Logger } from "../config/logger.js";
import type { SiteStatus } from "../protocol/api.js";
import { ingestRouter } from "./api/ingestRoute.js";
import { sitesRouter } from "./api/sitesRoute.js";
import { jsonErrorHandler, sendError } from "./api/httpErrors.js";
import { LiveHub } from "./live/liveHub.js";
import { StatusPublisher } from "./live/statusPublisher.js";
import { CollectorMetrics } from "./metrics.js";
import { StateEngine, type LinkChange } from "./state/stateEngine.js";
import { siteStatusOf } from "./state/statusView.js";
import type { Store } from "./store/store.js";
import type { IncidentStore, StoredIncident } from "./incidents/incidentStore.js";
import { IncidentEngine } from "./incidents/incidentEngine.js";
import { startAlerting } from "./alerts/alerting.js";
import { buildSiteViews } from "./incidents/siteViews.js";

/** What a running collector offers its owner. */
export interface RunningCollector {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  engine: StateEngine;
  incidentEngine: IncidentEngine;
  /** Stops accepting requests, finishes those under way, persists state and closes the store. */
  close(): Promise<void>;
}

/** Everything the collector service is built from. `dashboardDir`: the built dashboard, served at / when it exists. */
export interface CollectorDeps {
  config: CollectorConfig;
  store: Store;
  incidents: IncidentStore;
  /** The configuration file's name, for errors about missing secrets. */
  configFile?: string;
  logger: Logger;
  now: () => number;
  dashboardDir: string | null;
  /** How often silent sites are looked for, ms. */
  tickMs?: number;
}

/** Builds and starts the collector: HTTP API, live updates, state engine, periodic silent-site checks. */
export async function startCollector(deps: CollectorDeps): Promise<RunningCollector> {
  const { config, store, logger, now } = deps;
  const metrics = new CollectorMetrics();
  const engine = new StateEngine(config.sites, config.linkPolicy, config.silentAfterPushes, {
    links: store.loadLinkStates(),
    contacts: store.loadSiteContacts(),
  });
  const statusOf = (siteId: string): SiteStatus | null => {
    const site = config.sites.find((s) => s.id === siteId);
    return site ? siteStatusOf(site, engine, config.providers, now(), config.ingest.clockSkewToleranceMs) : null;
  };
  const allStatuses = (): SiteStatus[] =>
    config.sites.map((site) => siteStatusOf(site, engine, config.providers, now(), config.ingest.clockSkewToleranceMs));

  const app = express();
  app.disable("x-powered-by");
  const server: Server = createServer(app);
  const hub = new LiveHub(server, allStatuses, (count) => metrics.liveClients.set(count));
  const publisher = new StatusPublisher((status) => hub.publishSite(status));
  const publishIncident = (incident: StoredIncident): void => {
    const { key: _key, ...shown } = incident;
    hub.publishIncident(shown);
  };
  const alerting = startAlerting({
    config,
    configFile: deps.configFile ?? "collector.yaml",
    incidents: deps.incidents,
    metrics,
    logger,
    now,
    onIncident: publishIncident,
  });
  const incidentEngine = new IncidentEngine({
    store: deps.incidents,
    samples: store,
    policy: config.alerting.providerOutage,
    timeZone: config.province.timezone,
    now,
    siteViews: () => buildSiteViews(config, engine, now()),
    listener: alerting.listener,
    logger,
  });
  const evaluateIncidents = (): void => {
    try {
      incidentEngine.evaluate();
    } catch (err) {
      logger.error("incident evaluation failed", { err });
    }
  };

  const onSiteUpdated = (siteId: string, changes: LinkChange[]): void => {
    for (const change of changes) {
      if (change.event.type === "state") {
        metrics.linkTransitions.inc({ to: change.event.to });
        logger.info("link state changed", { site: change.site, link: change.link, from: change.event.from, to: change.event.to });
      }
    }
    store.saveLinkStates(engine.takeDirty());
    const contact = engine.contact(siteId);
    if (contact) store.saveSiteContact(contact);
    const status = statusOf(siteId);
    if (status) publisher.offer(status, now());
    evaluateIncidents();
  };

  app.use("/api/v1", ingestRouter({ config, store, engine, metrics, logger, now, onSiteUpdated }));
  app.use("/api/v1", sitesRouter({ statuses: allStatuses, status: statusOf, store, now }));
  app.use("/api/v1", alerting.apiRouter);
  app.use(alerting.ackRouter);
  app.get("/healthz", (_req, res) => {
    const reachable = store.isReachable();
    res.status(reachable ? 200 : 503).json({ status: reachable ? "ok" : "store_unreachable", store: config.storage.kind });
  });
  app.get("/metrics", async (_req, res) => {
    refreshGauges(metrics, allStatuses(), store);
    metrics.openIncidents.reset();
    for (const incident of deps.incidents.openIncidents()) metrics.openIncidents.inc({ kind: incident.kind });
    res.setHeader("Content-Type", metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  app.use("/api", (_req, res) => sendError(res, 404, "not_found", "no such API endpoint"));
  if (deps.dashboardDir && existsSync(deps.dashboardDir)) {
    // Assets have content-hashed names and may be cached; index.html must be revalidated so upgrades show at once.
    app.use(
      express.static(deps.dashboardDir, {
        index: "index.html",
        maxAge: "1h",
        setHeaders: (res, path) => {
          if (path.endsWith(".html")) res.setHeader("Cache-Control", "no-cache");
        },
      }),
    );
  }
  app.use(jsonErrorHandler((err) => logger.error("request failed", { err })));

  const tick = setInterval(() => {
    for (const status of allStatuses()) publisher.offer(status, now());
    evaluateIncidents();
  }, deps.tickMs ?? 1000);
  tick.unref();
  // Notifications are due at exact times (the end of the group wait): look four times a second, so a report leaves
  // at most 250 ms after it is due.
  const alertTick = setInterval(() => alerting.tick(), Math.min(250, deps.tickMs ?? 250));
  alertTick.unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.listen.port, config.listen.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.listen.port;
  const host = config.listen.host.includes(":") ? `[${config.listen.host}]` : config.listen.host;
  logger.info("collector listening", { url: `http://${host}:${port}`, sites: config.sites.length });

  return {
    url: `http://${host}:${port}`,
    port,
    engine,
    incidentEngine,
    async close() {
      clearInterval(tick);
      clearInterval(alertTick);
      await alerting.close();
      await hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      store.saveLinkStates(engine.takeDirty());
      for (const contact of engine.allContacts()) store.saveSiteContact(contact);
      store.close();
    },
  };
}

function refreshGauges(metrics: CollectorMetrics, statuses: SiteStatus[], store: Store): void {
  metrics.sites.reset();
  metrics.links.reset();
  for (const status of statuses) {
    metrics.sites.inc({ state: status.state });
    for (const link of status.links) metrics.links.inc({ state: link.state });
  }
  metrics.clockSkewedSites.set(statuses.filter((s) => s.clockSkewed).length);
  metrics.storeReachable.set(store.isReachable() ? 1 : 0);
}
