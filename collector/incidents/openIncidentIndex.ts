import type { DeliveryAttempt } from "../../protocol/incident.js";
import type { IncidentChanges, IncidentQuery, IncidentStore, IncidentTimes, IncidentWindow, NewIncident, StoredIncident } from "./incidentStore.js";

/** What the open set went through: an incident opened or closed, or the whole set was read again from the store. */
export type OpenIncidentChange = { type: "opened" | "closed"; incident: StoredIncident } | { type: "reloaded" };

/** The open incidents by cause key, kept in memory. */
export interface OpenIncidents {
  /** The open incident with this cause key, if any. */
  byKey(key: string): StoredIncident | undefined;
  /** Every open incident, by id. */
  all(): StoredIncident[];
  /** Tells `listener` of every change of the open set from now on, whoever made it (the engine, a resolve by hand). */
  subscribe(listener: (change: OpenIncidentChange) => void): void;
}

/**
 * An incident store that keeps its open incidents in memory by cause key: read once from `inner` at construction,
 * then kept up to date from the writes that pass through it (every write in the collector does: it sits under the
 * store breaker and the held incidents, collector/health/). The store stays the source of truth: a write that throws
 * may have been part of a transaction rolled back, so the set is read from the store again before its next use.
 * Incidents it returns are shared: callers do not mutate them (nobody does).
 */
export class IndexedIncidentStore implements IncidentStore, OpenIncidents {
  #byKey = new Map<string, StoredIncident>();
  #stale = true;
  readonly #listeners: Array<(change: OpenIncidentChange) => void> = [];

  constructor(private readonly inner: IncidentStore) {
    this.#reload(false);
  }

  byKey(key: string): StoredIncident | undefined {
    return this.#fresh().get(key);
  }

  all(): StoredIncident[] {
    return [...this.#fresh().values()].sort((a, b) => a.id - b.id);
  }

  subscribe(listener: (change: OpenIncidentChange) => void): void {
    this.#listeners.push(listener);
  }

  openIncident(incident: NewIncident): StoredIncident {
    const opened = this.#writing(() => this.inner.openIncident(incident));
    this.#seen(opened);
    return opened;
  }

  updateIncident(id: number, changes: IncidentChanges): StoredIncident | null {
    const updated = this.#writing(() => this.inner.updateIncident(id, changes));
    if (updated) this.#seen(updated);
    return updated;
  }

  recordDelivery(incidentId: number, attempt: DeliveryAttempt): void {
    this.#writing(() => this.inner.recordDelivery(incidentId, attempt));
    const open = [...this.#byKey.values()].find((incident) => incident.id === incidentId);
    // The store lists deliveries by time (ties: as recorded); a stable sort keeps that.
    if (open) this.#byKey.set(open.key, { ...open, deliveries: [...open.deliveries, attempt].sort((a, b) => a.ts - b.ts) });
  }

  getIncident(id: number): StoredIncident | null {
    return this.inner.getIncident(id);
  }

  listIncidents(query: IncidentQuery): StoredIncident[] {
    return this.inner.listIncidents(query);
  }

  openIncidents(): StoredIncident[] {
    return this.all();
  }

  providerIncidentTimes(window: IncidentWindow): IncidentTimes[] {
    return this.inner.providerIncidentTimes(window);
  }

  #writing<T>(write: () => T): T {
    try {
      return write();
    } catch (err) {
      this.#stale = true;
      throw err;
    }
  }

  #seen(incident: StoredIncident): void {
    const known = this.#byKey.get(incident.key);
    if (incident.state === "open") {
      this.#byKey.set(incident.key, incident);
      if (known?.id !== incident.id) this.#tell({ type: "opened", incident });
    } else if (known?.id === incident.id) {
      this.#byKey.delete(incident.key);
      this.#tell({ type: "closed", incident });
    }
  }

  #fresh(): Map<string, StoredIncident> {
    if (this.#stale) this.#reload(true);
    return this.#byKey;
  }

  #reload(tell: boolean): void {
    this.#byKey = new Map(this.inner.openIncidents().map((incident) => [incident.key, incident]));
    this.#stale = false;
    if (tell) this.#tell({ type: "reloaded" });
  }

  #tell(change: OpenIncidentChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
