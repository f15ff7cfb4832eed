import type { Logger } from "../../config/logger.js";
import type { IncidentListener } from "../incidents/incidentEngine.js";
import type { NewIncident, StoredIncident } from "../incidents/incidentStore.js";
import { storeOutageText } from "../incidents/incidentText.js";
import type { HeldIncidentStore } from "./heldIncidents.js";
import type { StoreHealthEvent } from "./storeHealth.js";

/** The cause key of the collector's store incident (one open at a time). */
export const STORE_INCIDENT_KEY = "collector:store";

/** What {@link CollectorIncident} works from. */
export interface CollectorIncidentDeps {
  incidents: HeldIncidentStore;
  /** Alerting's listener: the dispatcher reports the incident, the live feed shows it. */
  listener: IncidentListener;
  /** `storage.kind`, named in the summary. */
  storeKind: string;
  timeZone: string;
  now(): number;
  logger: Logger;
}

/** The incident a store outage opens, from the breaker's `outage` event (pure). */
export function storeOutageIncident(event: Extract<StoreHealthEvent, { type: "outage" }>, storeKind: string, timeZone: string): NewIncident {
  const { summary, evidence } = storeOutageText(storeKind, event.sinceTs, event.error, timeZone);
  return {
    key: STORE_INCIDENT_KEY,
    kind: "collector",
    cause: "store_unreachable",
    severity: "critical",
    provider: null,
    providerName: null,
    link: null,
    linkKind: null,
    circuit: null,
    sites: [],
    summary,
    evidence,
    startTs: event.sinceTs,
    detectedTs: event.detectedTs,
  };
}

/**
 * The collector's own incident (kind `collector`, cause `store_unreachable`, critical), driven by the store breaker's
 * events. On `outage` it is opened in memory (the store takes no writes) and handed to alerting, which reports it
 * to the province receivers after the group wait like any incident. On `restored` it is closed (restored when the
 * probe succeeded) and written to the store with its timeline and delivery attempts; alerting then sends the
 * recovery notice to those who got the report. If the store fails again before it could be written, it stays held,
 * open, and is written at the next restoration.
 */
export class CollectorIncident {
  readonly #deps: CollectorIncidentDeps;
  #heldId: number | null = null;

  constructor(deps: CollectorIncidentDeps) {
    this.#deps = deps;
  }

  /** The incident held in memory now, or null. */
  held(): StoredIncident | null {
    return this.#heldId === null ? null : this.#deps.incidents.getIncident(this.#heldId);
  }

  /** Acts on one event of the store breaker. */
  onStoreHealth(event: StoreHealthEvent): void {
    if (event.type === "outage") this.#open(event);
    else if (event.type === "restored") this.#close(event);
  }

  #open(event: Extract<StoreHealthEvent, { type: "outage" }>): void {
    if (this.#heldId !== null) return; // the earlier outage's incident is still held: it covers this one
    const { incidents, listener, logger } = this.#deps;
    const opened = incidents.hold(storeOutageIncident(event, this.#deps.storeKind, this.#deps.timeZone));
    this.#heldId = opened.id;
    logger.info("incident opened", { id: opened.id, number: opened.number, key: opened.key, cause: opened.cause, held: true });
    listener.opened(opened);
  }

  #close(event: Extract<StoreHealthEvent, { type: "restored" }>): void {
    if (this.#heldId === null) return;
    const { incidents, listener, logger } = this.#deps;
    let released;
    try {
      released = incidents.release(this.#heldId, { restoredTs: event.restoredTs, endTs: this.#deps.now() });
    } catch (err) {
      logger.error("collector incident not stored yet; kept in memory", { id: this.#heldId, err });
      return;
    }
    this.#heldId = null;
    const { stored, held } = released;
    // Renumbered (see heldIncidents.ts): the dispatcher drops the held copy (merged) and follows the stored one.
    if (held.id !== stored.id) listener.closed(held);
    logger.info("incident closed", { id: stored.id, number: stored.number, cause: stored.cause, mergedInto: null });
    listener.closed(stored);
  }
}
