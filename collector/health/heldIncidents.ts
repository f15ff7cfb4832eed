import type { DeliveryAttempt } from "../../protocol/incident.js";
import type { Logger } from "../../config/logger.js";
import { openedIncidentBody, type IncidentChanges, type IncidentQuery, type IncidentStore, type IncidentTimes, type IncidentWindow, type NewIncident, type StoredIncident } from "../incidents/incidentStore.js";
import { incidentNumber } from "../incidents/incidentNumber.js";
import type { GuardedIncidentStore } from "./guardedIncidents.js";
import type { HeldJournal } from "./heldJournal.js";

/** The store's default and largest list sizes (listIncidents). */
const DEFAULT_LIST_LIMIT = 200;
const MAX_LIST_LIMIT = 1000;

/** What {@link HeldIncidentStore} works from. */
export interface HeldIncidentsDeps {
  store: GuardedIncidentStore;
  /** Runs `work` in one store transaction, behind the store breaker (Store.atomically). */
  atomically<T>(work: () => T): T;
  logger: Logger;
  /** Where held incidents are kept across a restart (heldJournal.ts); absent: in memory only. */
  journal?: HeldJournal;
}

/** What {@link HeldIncidentStore.release} wrote: the incident as stored, and the held one it replaces. */
export interface ReleasedIncident {
  stored: StoredIncident;
  /** The held incident with the closing changes applied; its id differs from `stored.id` only if renumbered. */
  held: StoredIncident;
}

/**
 * The incident store seen by alerting (dispatcher, incident API, acknowledgement pages), able to hold incidents the
 * store cannot take yet: the collector's own incident, opened while its store is failing. A held incident lives
 * in memory with the id the store will give next ({@link GuardedIncidentStore.highestId} + 1); the dispatcher
 * reports it, records its delivery attempts and notification time here, the API lists it and it can be
 * acknowledged, exactly as a stored one. {@link release} then writes it to the store, timeline and attempts, in one
 * transaction. Everything else goes to the store.
 *
 * Held incidents are journaled (heldJournal.ts) after every change and reloaded by the constructor, so a collector
 * restarted during the outage holds the same incident, under the same number, with the attempts already made: the
 * dispatcher, rebuilt from this store, does not report it again. One the store already has (the last run stopped
 * between the release and the journal's rewrite) is not held again.
 *
 * The store gives that same id unless another writer took it meanwhile: nothing in this process writes an incident
 * while one is held (the incident engine waits, collectorIncident.ts) and the release runs first when the store is
 * back, even after a restart. If another process did, the held incident is renumbered: the stored incident says
 * under which number its messages went out, and the held one is released as merged into it. Delivery attempts
 * recorded later under the old id (a send that was in flight) go to the new one. Anything else addressed by the
 * old id — an acknowledgement link sent in its report, an API call — reaches the stored incident that now has that
 * id: the acknowledgement page shows that incident's own number and summary, and acknowledging there acknowledges
 * it, not the renumbered one (which is closed already, so owes no reminder anyway).
 */
export class HeldIncidentStore implements IncidentStore {
  readonly #deps: HeldIncidentsDeps;
  readonly #held = new Map<number, StoredIncident>();
  /** Held ids the store gave another number at release: old id → stored id. */
  readonly #renumbered = new Map<number, number>();

  constructor(deps: HeldIncidentsDeps) {
    this.#deps = deps;
    const journaled = deps.journal?.load() ?? [];
    for (const incident of journaled) {
      // Under its own id, or (renumbered) among the latest of its kind.
      const candidates = [deps.store.getIncident(incident.id), ...deps.store.listIncidents({ kind: incident.kind, limit: 20 })];
      if (candidates.some((stored) => stored?.key === incident.key && stored.timeline.startTs === incident.timeline.startTs)) {
        deps.logger.info("journaled incident already stored", { number: incident.number });
        continue;
      }
      this.#held.set(incident.id, incident);
      deps.logger.warn("held incident reloaded from the journal", { id: incident.id, number: incident.number, state: incident.state });
    }
    if (journaled.length !== this.#held.size) this.#journal();
  }

  /** Opens `incident` in memory only; returns it with its (expected) id and number. */
  hold(incident: NewIncident): StoredIncident {
    const id = Math.max(this.#deps.store.highestId, ...this.#held.keys()) + 1;
    const held: StoredIncident = { id, number: incidentNumber(id), key: incident.key, state: "open", deliveries: [], ...openedIncidentBody(incident) };
    this.#held.set(id, held);
    this.#journal();
    return held;
  }

  /** Whether incident `id` is held in memory. */
  isHeld(id: number): boolean {
    return this.#held.has(id);
  }

  /** The incidents held now. */
  heldIncidents(): StoredIncident[] {
    return [...this.#held.values()];
  }

  /**
   * Writes held incident `id` to the store with `closing` applied (its timeline, acknowledgement and every delivery
   * attempt recorded for it), in one transaction, and stops holding it. Throws (still holding it) when the store
   * refuses the write, or when `id` is not held.
   */
  release(id: number, closing: IncidentChanges): ReleasedIncident {
    const current = this.#held.get(id);
    if (!current) throw new Error(`incident ${id} is not held`);
    const held = applyChanges(current, closing);
    const { store } = this.#deps;
    const stored = this.#deps.atomically(() => {
      const opened = store.openIncident(toNewIncident(held));
      const renumbered = opened.id !== held.id;
      const { notifiedTs, acknowledgedTs, restoredTs, endTs } = held.timeline;
      store.updateIncident(opened.id, {
        ...(notifiedTs !== null ? { notifiedTs } : {}),
        ...(acknowledgedTs !== null ? { acknowledgedTs } : {}),
        ...(held.acknowledgedBy !== null ? { acknowledgedBy: held.acknowledgedBy } : {}),
        ...(held.vendorTicket !== null ? { vendorTicket: held.vendorTicket } : {}),
        ...(restoredTs !== null ? { restoredTs } : {}),
        ...(endTs !== null ? { endTs } : {}),
        ...(held.scopeChangedTs !== null ? { scopeChangedTs: held.scopeChangedTs } : {}),
        ...(renumbered ? { evidence: [...held.evidence, `Thông báo về sự cố này đã gửi với mã ${held.number}`] } : {}),
      });
      for (const attempt of held.deliveries) store.recordDelivery(opened.id, attempt);
      return store.getIncident(opened.id)!;
    });
    this.#held.delete(id);
    this.#journal();
    if (stored.id !== held.id) {
      this.#renumbered.set(held.id, stored.id);
      this.#deps.logger.warn("held incident stored under another number", { held: held.number, stored: stored.number });
      return { stored, held: applyChanges(held, { mergedInto: stored.id, endTs: held.timeline.endTs ?? stored.timeline.endTs ?? 0 }) };
    }
    return { stored, held };
  }

  openIncident(incident: NewIncident): StoredIncident {
    return this.#deps.store.openIncident(incident);
  }

  updateIncident(id: number, changes: IncidentChanges): StoredIncident | null {
    const held = this.#held.get(id);
    if (!held) return this.#deps.store.updateIncident(id, changes);
    const updated = applyChanges(held, changes);
    this.#held.set(id, updated);
    this.#journal();
    return updated;
  }

  getIncident(id: number): StoredIncident | null {
    return this.#held.get(id) ?? this.#deps.store.getIncident(id);
  }

  listIncidents(query: IncidentQuery): StoredIncident[] {
    const limit = Math.min(query.limit ?? DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
    const held = [...this.#held.values()].filter((incident) => matches(incident, query));
    const stored = this.#deps.store.listIncidents(query);
    if (held.length === 0) return stored;
    return [...held, ...stored.filter((incident) => !this.#held.has(incident.id))].sort((a, b) => b.id - a.id).slice(0, limit);
  }

  openIncidents(): StoredIncident[] {
    const held = [...this.#held.values()].filter((incident) => incident.state === "open");
    return [...this.#deps.store.openIncidents().filter((incident) => !this.#held.has(incident.id)), ...held];
  }

  providerIncidentTimes(window: IncidentWindow): IncidentTimes[] {
    // Held incidents are the collector's own (no provider) today; counted anyway should another kind ever be held.
    const held = [...this.#held.values()].filter(
      (incident) => incident.provider !== null && incident.timeline.startTs >= window.fromTs && incident.timeline.startTs < window.toTs,
    );
    const stored = this.#deps.store.providerIncidentTimes(window);
    if (held.length === 0) return stored;
    return [...held.map(toIncidentTimes), ...stored.filter((incident) => !this.#held.has(incident.id))]
      .sort((a, b) => b.timeline.startTs - a.timeline.startTs || b.id - a.id)
      .slice(0, window.limit);
  }

  recordDelivery(incidentId: number, attempt: DeliveryAttempt): void {
    const held = this.#held.get(incidentId);
    if (!held) return this.#deps.store.recordDelivery(this.#renumbered.get(incidentId) ?? incidentId, attempt);
    this.#held.set(incidentId, { ...held, deliveries: [...held.deliveries, attempt] });
    this.#journal();
  }

  #journal(): void {
    this.#deps.journal?.save([...this.#held.values()]);
  }
}

/** `incident` with `changes` applied as the store applies them (notified and acknowledged times: the first one stays). */
function applyChanges(incident: StoredIncident, changes: IncidentChanges): StoredIncident {
  const timeline = {
    ...incident.timeline,
    notifiedTs: incident.timeline.notifiedTs ?? changes.notifiedTs ?? null,
    acknowledgedTs: incident.timeline.acknowledgedTs ?? changes.acknowledgedTs ?? null,
    restoredTs: changes.restoredTs ?? incident.timeline.restoredTs,
    endTs: changes.endTs ?? incident.timeline.endTs,
  };
  return {
    ...incident,
    cause: changes.cause ?? incident.cause,
    provider: changes.provider ?? incident.provider,
    providerName: changes.providerName ?? incident.providerName,
    severity: changes.severity ?? incident.severity,
    sites: changes.sites ?? incident.sites,
    summary: changes.summary ?? incident.summary,
    evidence: changes.evidence ?? incident.evidence,
    vendorTicket: changes.vendorTicket ?? incident.vendorTicket,
    acknowledgedBy: changes.acknowledgedBy ?? incident.acknowledgedBy,
    mergedInto: changes.mergedInto ?? incident.mergedInto,
    scopeChangedTs: changes.scopeChangedTs ?? incident.scopeChangedTs,
    timeline,
    state: timeline.endTs === null ? "open" : "closed",
  };
}

function toIncidentTimes(incident: StoredIncident): IncidentTimes {
  const { id, kind, cause, state, provider, providerName, mergedInto, timeline } = incident;
  return { id, kind, cause, state, provider, providerName, mergedInto, timeline };
}

function toNewIncident(incident: StoredIncident): NewIncident {
  const { key, kind, cause, severity, provider, providerName, link, linkKind, circuit, sites, summary, evidence, timeline } = incident;
  return { key, kind, cause, severity, provider, providerName, link, linkKind, circuit, sites, summary, evidence, startTs: timeline.startTs, detectedTs: timeline.detectedTs };
}

function matches(incident: StoredIncident, query: IncidentQuery): boolean {
  return (
    (query.state === undefined || incident.state === query.state) &&
    (query.kind === undefined || incident.kind === query.kind) &&
    (query.provider === undefined || incident.provider === query.provider) &&
    (query.site === undefined || incident.sites.some((s) => s.site === query.site))
  );
}
