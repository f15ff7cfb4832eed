import { Router } from "express";
import type { SiteStatus } from "../../protocol/api.js";
import type { StoreBreaker } from "../health/storeBreaker.js";
import type { StoredIncident } from "../incidents/incidentStore.js";
import type { CollectorMetrics } from "../metrics.js";
import type { MetadataStore } from "../store/store.js";

/** What /healthz and /metrics read. */
export interface HealthRouteDeps {
  /** The metadata store's backend ("sqlite"), named in /healthz. */
  storeKind: string;
  /** The sample store's backend (`storage.kind`), named in /healthz. */
  sampleStoreKind: string;
  store: Pick<MetadataStore, "isReachable">;
  breaker: Pick<StoreBreaker, "state">;
  sampleBreaker: Pick<StoreBreaker, "state">;
  metrics: CollectorMetrics;
  /** Every site's status now (the site and link gauges). */
  statuses(): SiteStatus[];
  /** Every open incident, held ones included (`wardwatch_incidents_open`). */
  openIncidents(): StoredIncident[];
}

/**
 * GET /healthz: 200 `{"status":"ok","store":"sqlite","sampleStore":…}` when both stores take writes; 503
 * `store_failing` while a store's breaker is open or half-open, the metadata store's first: `role` says which
 * (`metadata`: wardwatch.db, `samples`: the `storage:` backend), `store` its backend, `since`, `error`, `incident`
 * (whether the outage incident is open), `recovering` (a probe succeeded and writes are being tried again); 503
 * `store_unreachable` when the metadata store does not answer.
 * GET /metrics: the Prometheus registry, with the gauges that are read at scrape time refreshed first.
 */
export function healthRouter(deps: HealthRouteDeps): Router {
  const { storeKind, sampleStoreKind, store, breaker, sampleBreaker, metrics } = deps;
  const router = Router();
  router.get("/healthz", (_req, res) => {
    for (const [role, kind, health] of [["metadata", storeKind, breaker.state], ["samples", sampleStoreKind, sampleBreaker.state]] as const) {
      if (health.status === "up") continue;
      const failing = { since: new Date(health.sinceTs).toISOString(), error: health.lastError, incident: health.outage, recovering: health.status === "halfOpen" };
      res.status(503).json({ status: "store_failing", role, store: kind, ...failing });
      return;
    }
    const reachable = store.isReachable();
    res.status(reachable ? 200 : 503).json({ status: reachable ? "ok" : "store_unreachable", store: storeKind, sampleStore: sampleStoreKind });
  });
  router.get("/metrics", async (_req, res) => {
    refreshGauges(deps);
    res.setHeader("Content-Type", metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}

function refreshGauges({ metrics, store, breaker, sampleBreaker, statuses, openIncidents }: HealthRouteDeps): void {
  metrics.sites.reset();
  metrics.links.reset();
  const all = statuses();
  for (const status of all) {
    metrics.sites.inc({ state: status.state });
    for (const link of status.links) metrics.links.inc({ state: link.state });
  }
  metrics.clockSkewedSites.set(all.filter((s) => s.clockSkewed).length);
  metrics.storeReachable.set(store.isReachable() ? 1 : 0);
  metrics.storeUp.set(breaker.state.status === "up" ? 1 : 0);
  metrics.sampleStoreUp.set(sampleBreaker.state.status === "up" ? 1 : 0);
  metrics.openIncidents.reset();
  for (const incident of openIncidents()) metrics.openIncidents.inc({ kind: incident.kind });
}
