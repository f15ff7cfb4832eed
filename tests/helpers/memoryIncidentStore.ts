import type { DeliveryAttempt } from "../../protocol/incident.js";
import type { IncidentChanges, IncidentQuery, IncidentStore, NewIncident, StoredIncident } from "../../collector/incidents/incidentStore.js";

/**
 * An {@link IncidentStore} in memory, for tests: the same semantics as the SQLite one (one open incident per key,
 * notifiedTs and acknowledgedTs kept from the first time they are set, closing by endTs, deliveries in order),
 * and it hands out copies, so a caller cannot change what is stored by mutating a result.
 */
export class MemoryIncidentStore implements IncidentStore {
  readonly #incidents = new Map<number, Omit<StoredIncident, "deliveries">>();
  readonly #deliveries = new Map<number, DeliveryAttempt[]>();
  #nextId = 1;

  openIncident(incident: NewIncident): StoredIncident {
    for (const existing of this.#incidents.values()) {
      if (existing.key === incident.key && existing.state === "open") throw new Error(`an incident is already open for ${incident.key}`);
    }
    const id = this.#nextId++;
    this.#incidents.set(id, {
      id,
      number: `SC-${String(id).padStart(6, "0")}`,
      key: incident.key,
      kind: incident.kind,
      cause: incident.cause,
      severity: incident.severity,
      state: "open",
      provider: incident.provider,
      providerName: incident.providerName,
      link: incident.link,
      linkKind: incident.linkKind,
      circuit: incident.circuit,
      sites: incident.sites,
      summary: incident.summary,
      timeline: { startTs: incident.startTs, detectedTs: incident.detectedTs, notifiedTs: null, acknowledgedTs: null, restoredTs: null, endTs: null },
      vendorTicket: null,
      acknowledgedBy: null,
      evidence: incident.evidence,
      mergedInto: null,
    });
    this.#deliveries.set(id, []);
    return this.getIncident(id)!;
  }

  updateIncident(id: number, changes: IncidentChanges): StoredIncident | null {
    const current = this.#incidents.get(id);
    if (!current) return null;
    const timeline = {
      ...current.timeline,
      notifiedTs: current.timeline.notifiedTs ?? changes.notifiedTs ?? null,
      acknowledgedTs: current.timeline.acknowledgedTs ?? changes.acknowledgedTs ?? null,
      restoredTs: changes.restoredTs ?? current.timeline.restoredTs,
      endTs: changes.endTs ?? current.timeline.endTs,
    };
    this.#incidents.set(id, {
      ...current,
      cause: changes.cause ?? current.cause,
      severity: changes.severity ?? current.severity,
      sites: changes.sites ?? current.sites,
      summary: changes.summary ?? current.summary,
      evidence: changes.evidence ?? current.evidence,
      vendorTicket: changes.vendorTicket ?? current.vendorTicket,
      acknowledgedBy: changes.acknowledgedBy ?? current.acknowledgedBy,
      mergedInto: changes.mergedInto ?? current.mergedInto,
      timeline,
      state: timeline.endTs === null ? "open" : "closed",
    });
    return this.getIncident(id);
  }

  getIncident(id: number): StoredIncident | null {
    const incident = this.#incidents.get(id);
    return incident ? structuredClone({ ...incident, deliveries: this.#deliveries.get(id) ?? [] }) : null;
  }

  listIncidents(query: IncidentQuery): StoredIncident[] {
    return [...this.#incidents.keys()]
      .sort((a, b) => b - a)
      .map((id) => this.getIncident(id)!)
      .filter((i) => (query.state === undefined || i.state === query.state) && (query.kind === undefined || i.kind === query.kind))
      .filter((i) => (query.provider === undefined || i.provider === query.provider) && (query.site === undefined || i.sites.some((s) => s.site === query.site)))
      .slice(0, query.limit ?? 200);
  }

  openIncidents(): StoredIncident[] {
    return [...this.#incidents.keys()].sort((a, b) => a - b).map((id) => this.getIncident(id)!).filter((i) => i.state === "open");
  }

  recordDelivery(incidentId: number, attempt: DeliveryAttempt): void {
    const list = this.#deliveries.get(incidentId);
    if (!list) throw new Error(`no incident ${incidentId}`);
    list.push(structuredClone(attempt));
  }
}
