import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

/** The default metrics of prom-client that are gauges named *_total (without the registry's prefix). */
const PROM_CLIENT_TOTAL_GAUGES = ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"] as const;

/** The collector's Prometheus metrics, in a registry of their own (no global state). */
export class CollectorMetrics {
  readonly registry = new Registry();
  /** Batches answered, by result (accepted, replay, rejected). */
  readonly ingestBatches = new Counter({ name: "wardwatch_ingest_batches_total", help: "Ingest batches answered, by result.", labelNames: ["result"], registers: [this.registry] });
  /** Samples received, by result (inserted, duplicate, expired: past the raw retention, not stored). */
  readonly ingestSamples = new Counter({ name: "wardwatch_ingest_samples_total", help: "Samples received, by result.", labelNames: ["result"], registers: [this.registry] });
  /** Ingest requests refused, by reason (the API error code). */
  readonly ingestRejects = new Counter({ name: "wardwatch_ingest_rejects_total", help: "Ingest requests refused, by reason.", labelNames: ["reason"], registers: [this.registry] });
  /** Records of accepted batches the collector refused (set aside by the agent), by reason (protocol/ingest.ts REFUSED_RECORD_ERRORS). */
  readonly ingestRefusedRecords = new Counter({ name: "wardwatch_ingest_refused_records_total", help: "Records of accepted batches refused one by one, by reason.", labelNames: ["reason"], registers: [this.registry] });
  /** Ingest requests being handled now (the queue depth). */
  readonly ingestInFlight = new Gauge({ name: "wardwatch_ingest_in_flight", help: "Ingest requests being handled now.", registers: [this.registry] });
  /** Backlog batches being handled now (a count). */
  readonly ingestBackfillInFlight = new Gauge({ name: "wardwatch_ingest_backfill_in_flight", help: "Backlog batches (Wardwatch-Backlog > 0) being handled now.", registers: [this.registry] });
  /** Backlog batches let in at once now, as the backfill governor last judged it (set at every backlog push). */
  readonly ingestBackfillAllowed = new Gauge({
    name: "wardwatch_ingest_backfill_allowed",
    help: "Backlog batches the collector lets in at once now: grows while the event loop has time, halves when it is crowded (ingest.max_backfill_in_flight at most).",
    registers: [this.registry],
  });
  /** Sites by state, set at each scrape. */
  readonly sites = new Gauge({ name: "wardwatch_sites", help: "Configured sites by state.", labelNames: ["state"], registers: [this.registry] });
  /** Links by state, set at each scrape. */
  readonly links = new Gauge({ name: "wardwatch_links", help: "Configured links by state.", labelNames: ["state"], registers: [this.registry] });
  /** Link state changes judged. */
  readonly linkTransitions = new Counter({ name: "wardwatch_link_state_changes_total", help: "Link state changes judged, by new state.", labelNames: ["to"], registers: [this.registry] });
  /** 1 when the metadata store answers. */
  readonly storeReachable = new Gauge({ name: "wardwatch_store_reachable", help: "1 when the store answers, else 0.", registers: [this.registry] });
  /** 1 while the metadata store takes writes, 0 while it is failing and writes are refused (its breaker is open). */
  readonly storeUp = new Gauge({ name: "wardwatch_store_up", help: "1 while the store takes writes, 0 while it is failing (writes refused, probed).", registers: [this.registry] });
  /** Times the metadata store began failing (its breaker opened). */
  readonly storeFailures = new Counter({ name: "wardwatch_store_failures_total", help: "Times the store began failing (writes refused until a probe succeeds).", registers: [this.registry] });
  /** 1 while the sample store (`storage:`) takes writes, 0 while it is failing (its breaker is open). */
  readonly sampleStoreUp = new Gauge({ name: "wardwatch_sample_store_up", help: "1 while the sample store takes writes, 0 while it is failing (writes refused, probed).", registers: [this.registry] });
  /** Times the sample store began failing (its breaker opened). */
  readonly sampleStoreFailures = new Counter({ name: "wardwatch_sample_store_failures_total", help: "Times the sample store began failing (writes refused until a probe succeeds).", registers: [this.registry] });
  /** Browsers connected to /api/v1/ws. */
  readonly liveClients = new Gauge({ name: "wardwatch_live_clients", help: "WebSocket clients connected.", registers: [this.registry] });
  /** Sites whose agent clock is off by more than the tolerance. */
  readonly clockSkewedSites = new Gauge({ name: "wardwatch_clock_skewed_sites", help: "Sites whose agent clock is off by more than the tolerance.", registers: [this.registry] });

  /** Notification delivery attempts, by channel and result (delivered, retrying, failed). */
  readonly notifications = new Counter({ name: "wardwatch_notifications_total", help: "Notification delivery attempts, by channel and result.", labelNames: ["channel", "result"], registers: [this.registry] });
  /** Open incidents by kind, set at each scrape. */
  readonly openIncidents = new Gauge({ name: "wardwatch_incidents_open", help: "Open incidents by kind.", labelNames: ["kind"], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "wardwatch_process_" });
    // prom-client's default metrics include three gauges named *_total: a gauge is not a counter, and
    // `promtool check metrics` refuses the suffix. Each is the sum of its by-type gauge, which stays.
    for (const name of PROM_CLIENT_TOTAL_GAUGES) this.registry.removeSingleMetric(`wardwatch_process_${name}`);
  }
}
