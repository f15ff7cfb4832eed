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
  /**
   * Whether the store breakers let writes through now (StoreBreaker.writable: up, or half-open after a good probe):
   * every one the incident is told of ({@link CollectorIncident.onStoreHealth}).
   */
  writable(): boolean;
  /** The store named in the summary when an event does not say which (the metadata store's backend). */
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
 * events and ticks. On `outage` it is opened in memory (the store takes no writes) and handed to alerting, which
 * reports it to the province receivers after the group wait like any incident. On every {@link tick} while it is held
 * and the breaker lets writes through, it is closed and written to the store with its timeline and delivery attempts
 * (the release: after a good probe it is the real write that shows whether the store is back); alerting then sends
 * the recovery notice to those who got the report. A release that fails leaves it held and open, and is tried again
 * at the next tick the store takes writes.
 *
 * A held incident reloaded from the journal after a restart (heldIncidents.ts) is taken over at construction and
 * released at the first tick the store takes writes. Until it is, {@link mayOpenIncidents} keeps the incident engine
 * from opening anything that would take its number.
 */
export class CollectorIncident {
  readonly #deps: CollectorIncidentDeps;
  #heldId: number | null;
  /** When a write succeeded again after the outage (the breaker's `restored`), UTC ms; null: not yet. */
  #restoredTs: number | null = null;
  /** The last release failed for a reason that is not the store's (a bug, a constraint): its text, logged once. */
  #releaseFault: string | null = null;

  constructor(deps: CollectorIncidentDeps) {
    this.#deps = deps;
    this.#heldId = deps.incidents.heldIncidents().find((incident) => incident.key === STORE_INCIDENT_KEY)?.id ?? null;
  }

  /** The incident held in memory now, or null. */
  held(): StoredIncident | null {
    return this.#heldId === null ? null : this.#deps.incidents.getIncident(this.#heldId);
  }

  /**
   * Whether the incident engine may open incidents now: the store takes writes and no held incident waits for the
   * id the store gives next. If its release failed for a reason that is not the store's, the engine is not held up
   * for it: the held incident is then stored under another number when its release succeeds.
   */
  mayOpenIncidents(): boolean {
    return this.#deps.writable() && (this.#heldId === null || this.#releaseFault !== null);
  }

  /**
   * Acts on one event of a store breaker; `storeKind` names the store in the summary (default: the deps'). With two
   * breakers, a `restored` counts only once both take writes (told after the breaker's state changed).
   */
  onStoreHealth(event: StoreHealthEvent, storeKind = this.#deps.storeKind): void {
    if (event.type === "outage") this.#open(event, storeKind);
    else if (event.type === "restored") {
      if (this.#deps.writable()) this.#restoredTs ??= event.restoredTs;
    }
    else if (event.type === "failing" || event.type === "relapsed") this.#restoredTs = null; // restored is the next success
  }

  /** Releases the held incident when the store takes writes (see the class comment); call it on every tick. */
  tick(): void {
    if (this.#heldId !== null && this.#deps.writable()) this.#release(this.#heldId);
  }

  #open(event: Extract<StoreHealthEvent, { type: "outage" }>, storeKind: string): void {
    if (this.#heldId !== null) return; // the earlier outage's incident is still held: it covers this one
    const { incidents, listener, logger } = this.#deps;
    const opened = incidents.hold(storeOutageIncident(event, storeKind, this.#deps.timeZone));
    this.#heldId = opened.id;
    this.#restoredTs = null;
    this.#releaseFault = null;
    logger.info("incident opened", { id: opened.id, number: opened.number, key: opened.key, cause: opened.cause, held: true });
    listener.opened(opened);
  }

  #release(id: number): void {
    const { incidents, listener, logger } = this.#deps;
    const nowMs = this.#deps.now();
    let released;
    try {
      // Closed by hand meanwhile (the resolve API): its times are kept as given.
      const closedByHand = incidents.getIncident(id)?.state === "closed";
      released = incidents.release(id, closedByHand ? {} : { restoredTs: this.#restoredTs ?? nowMs, endTs: nowMs });
    } catch (err) {
      if (!this.#deps.writable()) {
        logger.warn("collector incident not stored yet: the store failed again; kept held", { id });
        return;
      }
      // The breaker stayed closed, so not the store's doing: tried again every tick, logged once per distinct error.
      const fault = err instanceof Error ? err.message : String(err);
      if (fault !== this.#releaseFault) logger.error("collector incident cannot be stored; kept held, retried every tick", { id, err });
      this.#releaseFault = fault;
      return;
    }
    this.#heldId = null;
    this.#restoredTs = null;
    this.#releaseFault = null;
    const { stored, held } = released;
    // Renumbered (see heldIncidents.ts): the dispatcher drops the held copy (merged) and follows the stored one.
    if (held.id !== stored.id) listener.closed(held);
    logger.info("incident closed", { id: stored.id, number: stored.number, cause: stored.cause, mergedInto: null });
    listener.closed(stored);
  }
}
