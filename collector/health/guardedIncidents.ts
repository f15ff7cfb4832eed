import type { DeliveryAttempt } from "../../protocol/incident.js";
import type { IncidentChanges, IncidentQuery, IncidentStore, IncidentTimes, IncidentWindow, NewIncident, StoredIncident } from "../incidents/incidentStore.js";
import type { StoreBreaker } from "./storeBreaker.js";

/**
 * The incident store with its writes behind the store breaker: while the store is failing they throw
 * `StoreUnavailableError` at once instead of waiting on a lock, and a store failure they meet opens the breaker.
 * Reads go straight through (under SQLite's WAL a locked database still answers them at once).
 *
 * It also remembers the highest incident id the store has given, which is the id the store gives next plus one
 * (SQLite AUTOINCREMENT, no incident is ever deleted): the collector's own incident, kept in memory while the store
 * is failing, takes that id, so its messages and its stored record carry the same number (heldIncidents.ts).
 */
export class GuardedIncidentStore implements IncidentStore {
  #highestId: number;

  constructor(
    private readonly inner: IncidentStore,
    private readonly breaker: StoreBreaker,
  ) {
    this.#highestId = inner.listIncidents({ limit: 1 })[0]?.id ?? 0;
  }

  /** The highest id the store has given so far (0 for none). */
  get highestId(): number {
    return this.#highestId;
  }

  openIncident(incident: NewIncident): StoredIncident {
    return this.#seen(this.breaker.write(() => this.inner.openIncident(incident)));
  }

  updateIncident(id: number, changes: IncidentChanges): StoredIncident | null {
    return this.breaker.write(() => this.inner.updateIncident(id, changes));
  }

  getIncident(id: number): StoredIncident | null {
    return this.inner.getIncident(id);
  }

  listIncidents(query: IncidentQuery): StoredIncident[] {
    return this.inner.listIncidents(query);
  }

  openIncidents(): StoredIncident[] {
    return this.inner.openIncidents();
  }

  providerIncidentTimes(window: IncidentWindow): IncidentTimes[] {
    return this.inner.providerIncidentTimes(window);
  }

  recordDelivery(incidentId: number, attempt: DeliveryAttempt): void {
    this.breaker.write(() => this.inner.recordDelivery(incidentId, attempt));
  }

  #seen(incident: StoredIncident): StoredIncident {
    this.#highestId = Math.max(this.#highestId, incident.id);
    return incident;
  }
}
