import type { DeliveryAttempt, Incident, IncidentCause, IncidentKind, IncidentSeverity, IncidentSite } from "../../protocol/incident.js";

/** What opens an incident: everything but the id, number, deliveries and the times only later events set. */
export interface NewIncident {
  /** Identity of the cause, e.g. "link:tan-phong:tslcd", "site:tan-phong", "provider:vnpt"; one open incident per key. */
  key: string;
  kind: IncidentKind;
  cause: IncidentCause;
  severity: IncidentSeverity;
  provider: string | null;
  providerName: string | null;
  link: string | null;
  linkKind: "dedicated" | "internet" | null;
  circuit: string | null;
  sites: IncidentSite[];
  summary: string;
  evidence: string[];
  startTs: number;
  detectedTs: number;
}

/** Fields of an open or closed incident that change over its life. Absent fields are left as they are. */
export interface IncidentChanges {
  cause?: IncidentCause;
  /** Set when a site incident turns out to be one provider's link outage (after backfill). */
  provider?: string;
  providerName?: string;
  severity?: IncidentSeverity;
  sites?: IncidentSite[];
  summary?: string;
  evidence?: string[];
  notifiedTs?: number;
  acknowledgedTs?: number;
  acknowledgedBy?: string;
  vendorTicket?: string;
  restoredTs?: number;
  /** Closing: the incident leaves the open set. */
  endTs?: number;
  /** Closed because a wider incident took it over (e.g. a provider outage); no recovery notice is sent for it. */
  mergedInto?: number;
  /** The incident's scope grew (a site or link added) or its cause or severity changed at this time. */
  scopeChangedTs?: number;
}

/** An incident as stored, with its key and merge target. */
export interface StoredIncident extends Incident {
  key: string;
  mergedInto: number | null;
  /** When its scope last grew (a site or link added) or its cause or severity changed, UTC ms; null: never. */
  scopeChangedTs: number | null;
}

/** Which incidents to list. */
export interface IncidentQuery {
  state?: "open" | "closed";
  site?: string;
  provider?: string;
  kind?: IncidentKind;
  limit?: number;
}

/** Which incidents to measure response times over: those started in [fromTs, toTs) (UTC ms), at most `limit`. */
export interface IncidentWindow {
  fromTs: number;
  toTs: number;
  limit: number;
}

/** What response times are measured from: an incident's vendor, classification, state and timeline, nothing else. */
export type IncidentTimes = Pick<StoredIncident, "id" | "kind" | "cause" | "state" | "provider" | "providerName" | "mergedInto" | "timeline">;

/** Persistence of incidents and of every delivery attempt. Implemented by the collector's store. */
export interface IncidentStore {
  /** Creates an incident (state open) and returns it with its id and number. */
  openIncident(incident: NewIncident): StoredIncident;
  /** Applies changes; returns the incident after them, or null when there is no such id. */
  updateIncident(id: number, changes: IncidentChanges): StoredIncident | null;
  getIncident(id: number): StoredIncident | null;
  /** Newest first. */
  listIncidents(query: IncidentQuery): StoredIncident[];
  /** Every open incident. */
  openIncidents(): StoredIncident[];
  /**
   * The incidents that name a provider and whose startTs is in [window.fromTs, window.toTs), latest start first (ties:
   * highest id first), at most `window.limit`; only the fields response times need, so a month of them stays small.
   */
  providerIncidentTimes(window: IncidentWindow): IncidentTimes[];
  recordDelivery(incidentId: number, attempt: DeliveryAttempt): void;
}

/** What an incident holds besides its identity (id, number, key), state and deliveries: the store keeps it as JSON. */
export type IncidentBody = Omit<StoredIncident, "id" | "key" | "state" | "deliveries" | "number">;

/** The body of a just-opened incident: its timeline starts at `startTs`/`detectedTs`, nothing else has happened. */
export function openedIncidentBody(incident: NewIncident): IncidentBody {
  return {
    kind: incident.kind,
    cause: incident.cause,
    severity: incident.severity,
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
    scopeChangedTs: null,
  };
}
