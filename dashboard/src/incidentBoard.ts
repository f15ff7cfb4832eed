import type { Incident } from "../../protocol/incident.js";

/** What happened: one incident opened, changed or closed; or the live connection came back and everything must be refetched. */
export type IncidentChange = { kind: "incident"; incident: Incident } | { kind: "resync" };

/** Called after each change, with the board already updated. */
export type IncidentListener = (change: IncidentChange) => void;

/**
 * The latest version of every incident the dashboard has seen, fed by REST answers and live `incident`
 * messages, and the hub pages subscribe to. A REST answer never overwrites an incident that a live
 * message updated after the request was sent (incidents carry no version number), so a slow GET
 * cannot roll a row back.
 */
export class IncidentBoard {
  private readonly incidents = new Map<number, Incident>();
  /** Per incident, the revision of the change that last wrote it. */
  private readonly writtenAt = new Map<number, number>();
  private revision = 0;
  private readonly listeners = new Set<IncidentListener>();

  /** A token to pass to apply() for data fetched from now on. */
  mark(): number {
    return this.revision;
  }

  /** The latest known version of an incident, or undefined. */
  get(incidentId: number): Incident | undefined {
    return this.incidents.get(incidentId);
  }

  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: IncidentListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Records an incident, live (no `requestedAt`) or fetched by a request made at `requestedAt` (from mark()),
   * and returns the version to show: the fetched one, or the newer live one it must not overwrite.
   * Listeners hear only about live changes: the page that fetched shows what this returns.
   */
  apply(incident: Incident, requestedAt?: number): Incident {
    const newer = this.incidents.get(incident.id);
    if (requestedAt !== undefined && newer && (this.writtenAt.get(incident.id) ?? 0) > requestedAt) return newer;
    this.revision += 1;
    this.incidents.set(incident.id, incident);
    this.writtenAt.set(incident.id, this.revision);
    if (requestedAt === undefined) this.emit({ kind: "incident", incident });
    return incident;
  }

  /** The live connection said hello (again): updates may have been missed, so pages refetch. */
  resync(): void {
    this.revision += 1;
    this.emit({ kind: "resync" });
  }

  private emit(change: IncidentChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
