import { createServer, type Server } from "node:http";
import { existsSync } from "node:fs";
import { join } from "node:path";
import express from "express";
import type { CollectorConfig } from "../config/collectorSchema.js";
import type { Logger } from "../config/logger.js";
import type { SiteStatus } from "../protocol/api.js";
import { healthRouter } from "./api/healthRoute.js";
import { ingestRouter } from "./api/ingestRoute.js";
import { sitesRouter } from "./api/sitesRoute.js";
import { comparisonRouter } from "./api/comparisonRoute.js";
import { sitePathsRouter } from "./api/sitePathsRoute.js";
import { jsonErrorHandler, sendError } from "./api/httpErrors.js";
import { LiveHub } from "./live/liveHub.js";
import { LIVE_FRAME_MS, StatusPublisher } from "./live/statusPublisher.js";
import { SiteListCache } from "./api/siteListCache.js";
import { CollectorMetrics } from "./metrics.js";
import { StateEngine, type LinkChange } from "./state/stateEngine.js";
import { siteStatusOf } from "./state/statusView.js";
import type { MetadataStore } from "./store/store.js";
import type { SampleStore } from "./store/samples/sampleStore.js";
import { startSampleMaintenance, type SampleMaintenancePolicy } from "./store/sampleMaintenance.js";
import type { IncidentStore, StoredIncident } from "./incidents/incidentStore.js";
import { IncidentEngine } from "./incidents/incidentEngine.js";
import { startAlerting } from "./alerts/alerting.js";
import { IndexedIncidentStore } from "./incidents/openIncidentIndex.js";
import { providerNames, siteViewOf } from "./incidents/siteViews.js";
import { HELD_JOURNAL_FILE } from "./health/heldJournal.js";
import { STORE_PROBE_INTERVAL_MS, type StoreBreaker } from "./health/storeBreaker.js";
import { wireStoreHealth } from "./health/storeHealthWiring.js";
import { LISTEN_BACKLOG, collectorServerOptions } from "./ingest/bodyDeadline.js";
import type { AuthStore } from "./store/authStore.js";
import { wireAuth } from "./auth/authWiring.js";
import { SiteStateSaver } from "./state/siteStateSaver.js";
import { requestScope } from "./auth/routeGuard.js";
import { slaScopeOf } from "./auth/scope.js";
import { startSlaService } from "./sla/slaService.js";
import type { SlaIncidentSource } from "./sla/slaIncidents.js";

/** What a running collector offers its owner. */
export interface RunningCollector {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  engine: StateEngine;
  incidentEngine: IncidentEngine;
  /** The breaker in front of the metadata store's writes (its state: /healthz, /metrics). */
  storeBreaker: StoreBreaker;
  /** The breaker in front of the sample store's writes (its state: /healthz, /metrics). */
  sampleBreaker: StoreBreaker;
  /** The express application (its router lists every route: tests/collector/auth/routeTable.test.ts). */
  app: express.Express;
  /** Stops accepting requests, finishes those under way, persists state and closes both stores. */
  close(): Promise<void>;
}

/** Everything the collector service is built from. `dashboardDir`: the built dashboard, served at / when it exists. */
export interface CollectorDeps {
  config: CollectorConfig;
  /** The metadata store (wardwatch.db): events, tokens, link states, contacts. */
  store: MetadataStore;
  /** Users, sessions, API tokens and the audit log (in wardwatch.db: `SqliteMetadataStore.auth`). */
  auth: AuthStore;
  incidents: IncidentStore;
  /** The sample store (`storage:`), closed with the collector. */
  samples: SampleStore;
  /** How often rollups and retention run (default: {@link DEFAULT_SAMPLE_MAINTENANCE}). */
  sampleMaintenance?: SampleMaintenancePolicy;
  /** The configuration file's name, for errors about missing secrets. */
  configFile?: string;
  logger: Logger;
  now: () => number;
  dashboardDir: string | null;
  /** How often silent sites are looked for, ms. */
  tickMs?: number;
  /** Where SLA reports read incidents (the metadata store's incidents); default `incidents` when it can (SQLite). */
  slaIncidents?: SlaIncidentSource;
}

/**
 * Builds and starts the collector: HTTP API, live updates, state engine, periodic silent-site checks, the sample
 * store's rollup and retention timers, and the store breakers with the collector's own incident (collector/health/):
 * every write goes through its store's breaker (metadata, samples); while either store is failing, ingest is refused
 * at once, incidents are not evaluated (nothing could be written, or nothing new arrives), and a long failure is
 * reported as a `collector` incident held in memory (and journaled in data_dir) until both stores take writes again.
 */
export async function startCollector(deps: CollectorDeps): Promise<RunningCollector> {
  const { config, store, samples, logger, now } = deps;
  const metrics = new CollectorMetrics();
  // Under the breaker and the held incidents, so every incident write in the collector keeps it up to date.
  const indexedIncidents = new IndexedIncidentStore(deps.incidents);
  const health = wireStoreHealth({
    store,
    sampleStore: samples,
    incidents: indexedIncidents,
    policy: { probeIntervalMs: STORE_PROBE_INTERVAL_MS, outageAfterMs: config.alerting.storeUnreachableAfterMs },
    journalFile: join(config.dataDir, HELD_JOURNAL_FILE),
    storeKind: config.storage.kind,
    timeZone: config.province.timezone,
    now,
    logger,
  });
  const { breaker, sampleBreaker, incidents } = health;
  breaker.subscribe((event) => {
    if (event.type === "failing") metrics.storeFailures.inc();
    metrics.storeUp.set(event.type === "restored" ? 1 : 0);
  });
  sampleBreaker.subscribe((event) => {
    if (event.type === "failing") metrics.sampleStoreFailures.inc();
    metrics.sampleStoreUp.set(event.type === "restored" ? 1 : 0);
  });
  metrics.storeUp.set(1);
  metrics.sampleStoreUp.set(1);
  const engine = new StateEngine(config.sites, config.linkPolicy, config.silentAfterPushes, {
    links: store.loadLinkStates(),
    contacts: store.loadSiteContacts(),
  });
  const sitesById = new Map(config.sites.map((site) => [site.id, site]));
  const names = providerNames(config.providers);
  const statusOf = (siteId: string): SiteStatus | null => {
    const site = sitesById.get(siteId);
    return site ? siteStatusOf(site, engine, config.providers, now(), config.ingest.clockSkewToleranceMs) : null;
  };
  const allStatuses = (): SiteStatus[] =>
    config.sites.map((site) => siteStatusOf(site, engine, config.providers, now(), config.ingest.clockSkewToleranceMs));

  const { auth } = deps;
  const access = wireAuth({ config, configFile: deps.configFile ?? "collector.yaml", auth, store, breaker, now, logger });
  const { bestEffortWrite } = access;
  const { filter } = access;

  const app = express();
  app.disable("x-powered-by");
  const server: Server = createServer(collectorServerOptions(config.ingest), app);
  // GET /sites and the live hello: the province's list built at most once a second, filtered per scope.
  const siteList = new SiteListCache({ build: allStatuses, filter, now });
  const hub = new LiveHub(server, {
    siteList: (scope) => siteList.forScope(scope),
    identify: access.identify,
    stillValid: access.stillValid,
    origins: access.origins,
    filter,
    maxClients: config.http.maxLiveClients,
    onClientCount: (count) => metrics.liveClients.set(count),
  });
  const publisher = new StatusPublisher();
  const publishIncident = (incident: StoredIncident): void => {
    const { key: _key, ...shown } = incident;
    hub.publishIncident(shown);
  };
  const alerting = startAlerting({
    config,
    configFile: deps.configFile ?? "collector.yaml",
    incidents,
    metrics,
    logger,
    now,
    onIncident: publishIncident,
    filter,
    auth: { audit: (entry) => bestEffortWrite(() => auth.audit(entry)) },
    // The engine is built after alerting (it reports to alerting's listener); resolutions come only once both are.
    causeStillPresent: (incident) => incidentEngine.causeStillPresent(incident),
  });
  // Releases a held incident reloaded from the journal now if the store takes it: before the engine can open anything.
  const collectorIncident = health.startCollectorIncident(alerting.listener);
  const incidentEngine = new IncidentEngine({
    store: health.engineIncidents,
    open: indexedIncidents,
    samples,
    policy: config.alerting.providerOutage,
    timeZone: config.province.timezone,
    now,
    sites: config.sites.map((site) => site.id),
    siteView: (siteId, nowMs) => {
      const site = sitesById.get(siteId);
      return site ? siteViewOf(site, names, engine, nowMs) : null;
    },
    listener: alerting.listener,
    logger,
  });
  /**
   * Hands the sites that changed since the last call (pushes, silence deadlines passed) to the incident engine and
   * the live feed: the work of a batch or a tick is those sites, not every site.
   */
  const takeChangedSites = (): void => {
    const nowMs = now();
    for (const siteId of engine.takeChangedSites(nowMs)) {
      incidentEngine.siteChanged(siteId);
      publisher.offer(siteId);
    }
  };
  const evaluateIncidents = (): void => {
    // Nothing it would open or close could be written while the store fails (sites are judged again once it is
    // back), and while an incident is held, what it opens would take the held one's number.
    if (!collectorIncident.mayOpenIncidents()) return;
    try {
      incidentEngine.evaluate();
    } catch (err) {
      logger.error("incident evaluation failed", { err });
    }
  };

  const saver = new SiteStateSaver(engine, store, breaker, logger);
  const onSiteUpdated = (siteId: string, changes: LinkChange[]): void => {
    for (const change of changes) {
      if (change.event.type === "state") {
        metrics.linkTransitions.inc({ to: change.event.to });
        logger.info("link state changed", { site: change.site, link: change.link, from: change.event.from, to: change.event.to });
      }
    }
    saver.afterPush(siteId);
    takeChangedSites();
    evaluateIncidents();
  };

  const slaIncidents = deps.slaIncidents ?? ("incidentsStartedIn" in deps.incidents ? (deps.incidents as unknown as SlaIncidentSource) : null);
  const sla = startSlaService({ config, configFile: deps.configFile ?? "collector.yaml", samples, incidents: slaIncidents, logger, now, allowedScope: (req) => slaScopeOf(requestScope(req.res!)) });
  // Before every route: each request is checked against its rule (collector/auth/routeRules.ts).
  app.use(access.guard);
  app.use("/api/v1", access.routes);
  app.use("/api/v1", ingestRouter({ config, store, breaker, sampleStore: sla.observedWrites(samples), sampleBreaker, engine, metrics, logger, now, onSiteUpdated }));
  app.use("/api/v1", sitesRouter({ siteList, status: statusOf, store, samples, now, filter }));
  app.use("/api/v1", comparisonRouter({ statuses: allStatuses, samples, now, filter }));
  app.use("/api/v1", sitePathsRouter({ status: statusOf, samples, now, filter }));
  app.use("/api/v1", alerting.apiRouter);
  app.use("/api/v1", sla.router);
  app.use(alerting.ackRouter);
  app.use(
    healthRouter({
      storeKind: "sqlite",
      sampleStoreKind: samples.backend,
      store,
      breaker,
      sampleBreaker,
      metrics,
      statuses: allStatuses,
      openIncidents: () => incidents.openIncidents(),
    }),
  );
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
  app.use(
    jsonErrorHandler(
      (err) => logger.error("request failed", { err }),
      (err) => store.isUnavailableError(err) || samples.isUnavailableError(err),
    ),
  );

  const tick = setInterval(() => {
    takeChangedSites();
    evaluateIncidents();
  }, deps.tickMs ?? 1000);
  tick.unref();
  // The live feed's frames: the sites that changed since the last, each once, one message per client.
  const liveFrameTick = setInterval(() => {
    const nowMs = now();
    hub.publishSites(publisher.frame(nowMs, statusOf), nowMs);
  }, LIVE_FRAME_MS);
  liveFrameTick.unref();
  // Notifications are due at exact times (the end of the group wait): look four times a second, so a report leaves
  // at most 250 ms after it is due.
  // The store breaker probes on the same beat, before the dispatcher: an outage it declares is reported this tick.
  // A held incident is released (or tried again) right after, so its recovery can go out on the same tick.
  const alertTick = setInterval(() => {
    breaker.tick();
    sampleBreaker.tick();
    collectorIncident.tick();
    alerting.tick();
  }, Math.min(250, deps.tickMs ?? 250));
  alertTick.unref();
  const stopSessionChecks = access.startSessionChecks(hub);

  sla.start();
  const maintenance = startSampleMaintenance({ samples, breaker: sampleBreaker, policy: deps.sampleMaintenance, now, logger });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: config.listen.port, host: config.listen.host, backlog: LISTEN_BACKLOG }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.listen.port;
  const host = config.listen.host.includes(":") ? `[${config.listen.host}]` : config.listen.host;
  logger.info("collector listening", { url: `http://${host}:${port}`, sites: config.sites.length });

  return {
    url: `http://${host}:${port}`,
    port,
    app,
    engine,
    incidentEngine,
    storeBreaker: breaker,
    sampleBreaker,
    async close() {
      clearInterval(tick);
      clearInterval(liveFrameTick);
      clearInterval(alertTick);
      stopSessionChecks();
      await maintenance.stop();
      await sla.close();
      await alerting.close();
      await hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      const held = collectorIncident.held();
      if (held) logger.warn("collector incident not stored yet: kept in the journal for the next start", { number: held.number });
      saver.atShutdown();
      store.close();
      await samples.close();
    },
  };
}
