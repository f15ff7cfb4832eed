import type { Logger } from "../../config/logger.js";
import type { IncidentListener } from "../incidents/incidentEngine.js";
import type { IncidentStore } from "../incidents/incidentStore.js";
import type { SampleStore } from "../store/samples/sampleStore.js";
import type { MetadataStore } from "../store/store.js";
import { CollectorIncident } from "./collectorIncident.js";
import { GuardedIncidentStore } from "./guardedIncidents.js";
import { HeldIncidentJournal } from "./heldJournal.js";
import { HeldIncidentStore } from "./heldIncidents.js";
import { StoreBreaker } from "./storeBreaker.js";
import type { StoreHealthPolicy } from "./storeHealth.js";

/** What the store's health is wired from. Times UTC ms. */
export interface StoreHealthDeps {
  store: Pick<MetadataStore, "probeWrite" | "isUnavailableError" | "withShortLockWait" | "atomically">;
  /** The sample store: its writes go through a breaker of their own ({@link StoreHealth.sampleBreaker}). */
  sampleStore: Pick<SampleStore, "probe" | "isUnavailableError"> & Partial<Pick<SampleStore, "withShortLockWait">>;
  /** The store's incidents; every write to them goes through the breaker. */
  incidents: IncidentStore;
  policy: StoreHealthPolicy;
  /** The held-incident journal (`<data_dir>/held-incidents.json`, heldJournal.ts); null: held incidents live in memory only. */
  journalFile: string | null;
  /** `storage.kind` (the sample store's backend), named in the collector incident's summary when it is the one failing. */
  storeKind: string;
  timeZone: string;
  now(): number;
  /** Monotonic ms for probe scheduling (default performance.now). */
  monotonicNow?(): number;
  logger: Logger;
}

/** The store breaker and the incident stores behind it; the collector's own incident once alerting exists. */
export interface StoreHealth {
  /** Every metadata store write goes through it (wardwatch.db); subscribe to its events for metrics. */
  breaker: StoreBreaker;
  /** Every sample store write goes through it (asynchronously, {@link StoreBreaker.writeAsync}). */
  sampleBreaker: StoreBreaker;
  /** Whether both stores take writes now (both breakers up or half-open). */
  writable(): boolean;
  /** The incidents as the incident engine opens and changes them: through the breaker. */
  engineIncidents: GuardedIncidentStore;
  /** The incidents as alerting and the API see them: the store's, and the held ones (reloaded from the journal). */
  incidents: HeldIncidentStore;
  /**
   * Starts the collector's own incident, told to `listener` (alerting's, built over {@link incidents}), subscribed to
   * both breakers (an outage of either store is the collector's incident; it is released once both take writes). A held incident reloaded from the journal is released into the store right away if the store takes
   * it, before anything else can take its number. Call once.
   */
  startCollectorIncident(listener: IncidentListener): CollectorIncident;
}

/**
 * Wires the collector's store health (collector/health/): the breaker in front of the store's writes, the incident
 * store the engine writes through, the held-incident store alerting reads (with its journal), and — in a second step,
 * because alerting is built from that store — the collector's own incident, which the breaker's events drive.
 */
export function wireStoreHealth(deps: StoreHealthDeps): StoreHealth {
  const { store, logger, now } = deps;
  const breaker = new StoreBreaker({
    probe: (nowMs) => store.probeWrite(nowMs),
    isUnavailable: (err) => store.isUnavailableError(err),
    cautiously: (write) => store.withShortLockWait(write),
    policy: deps.policy,
    now,
    ...(deps.monotonicNow ? { monotonicNow: deps.monotonicNow } : {}),
    logger,
  });
  const sampleBreaker = new StoreBreaker({
    probe: (nowMs) => deps.sampleStore.probe(nowMs),
    isUnavailable: (err) => deps.sampleStore.isUnavailableError(err),
    // SQLite waits for a lock on the event loop: the writes let through after a good probe wait only briefly.
    ...(deps.sampleStore.withShortLockWait ? { cautiouslyAsync: (write) => deps.sampleStore.withShortLockWait!(write) } : {}),
    policy: deps.policy,
    now,
    ...(deps.monotonicNow ? { monotonicNow: deps.monotonicNow } : {}),
    logger: logger.child({ store: "samples" }),
  });
  const writable = (): boolean => breaker.writable && sampleBreaker.writable;
  const engineIncidents = new GuardedIncidentStore(deps.incidents, breaker);
  const incidents = new HeldIncidentStore({
    store: engineIncidents,
    atomically: (work) => breaker.write(() => store.atomically(work)),
    logger,
    ...(deps.journalFile ? { journal: new HeldIncidentJournal(deps.journalFile, logger) } : {}),
  });
  return {
    breaker,
    sampleBreaker,
    writable,
    engineIncidents,
    incidents,
    startCollectorIncident(listener) {
      const incident = new CollectorIncident({ incidents, listener, writable, storeKind: "sqlite", timeZone: deps.timeZone, now, logger });
      breaker.subscribe((event) => incident.onStoreHealth(event));
      sampleBreaker.subscribe((event) => incident.onStoreHealth(event, deps.storeKind));
      incident.tick();
      return incident;
    },
  };
}
