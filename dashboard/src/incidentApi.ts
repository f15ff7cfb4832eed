import type { DeliveryAttempt, DurationStats, Incident, IncidentCause, IncidentSite, IncidentTimeline, ProviderResponseTimes, ResponseTimesReport } from "../../protocol/incident.js";
import type { ApiClient } from "./api.js";
import type { IncidentFilter } from "./incidentRoutes.js";
import { isRecord, malformed } from "./api.js";
import { INCIDENT_KINDS, incidentFilterQuery } from "./incidentRoutes.js";

/** What GET /incidents is asked for: a tab and filters, and at most `limit` incidents (newest first). */
export interface IncidentListRequest extends IncidentFilter {
  limit: number;
}

/**
 * The collector's incident endpoints (GET /incidents, GET /incidents/response-times, GET /incidents/:id, POST …/ack,
 * POST …/resolve), answers checked.
 */
export class IncidentApi {
  constructor(private readonly api: ApiClient) {}

  /** GET /incidents?state=&site=&provider=&kind=&limit=: newest first. */
  async list(request: IncidentListRequest, signal?: AbortSignal): Promise<Incident[]> {
    const query = incidentFilterQuery(request);
    query.set("limit", String(request.limit));
    const path = `/incidents?${query.toString()}`;
    const body = await this.api.requestJson(path, { signal });
    const list = Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.incidents) ? body.incidents : null;
    if (!list) throw malformed(`${path}: expected a list of incidents`);
    return list.map((item, index) => parseIncident(item, `/incidents[${index}]`));
  }

  /** GET /incidents/response-times: time to acknowledge and restore per vendor over the collector's last 30 days. */
  async responseTimes(signal?: AbortSignal): Promise<ResponseTimesReport> {
    const path = "/incidents/response-times";
    return parseResponseTimesReport(await this.api.requestJson(path, { signal }), path);
  }

  /** GET /incidents/:id; ApiError with status 404 when there is no such incident. */
  async get(incidentId: string | number, signal?: AbortSignal): Promise<Incident> {
    const path = `/incidents/${encodeURIComponent(String(incidentId))}`;
    return parseIncident(await this.api.requestJson(path, { signal }), path);
  }

  /** POST /incidents/:id/ack {by?, ticket?}: someone took the incident in charge, with the vendor's ticket number when known. */
  async acknowledge(incidentId: string | number, input: { by?: string; ticket?: string }, signal?: AbortSignal): Promise<void> {
    const body: { by?: string; ticket?: string } = {};
    if (input.by) body.by = input.by;
    if (input.ticket) body.ticket = input.ticket;
    await this.api.requestJson(`/incidents/${encodeURIComponent(String(incidentId))}/ack`, { method: "POST", body, signal });
  }

  /** POST /incidents/:id/resolve {by?}: closes the incident by hand. */
  async resolve(incidentId: string | number, input: { by?: string }, signal?: AbortSignal): Promise<void> {
    const body = input.by ? { by: input.by } : {};
    await this.api.requestJson(`/incidents/${encodeURIComponent(String(incidentId))}/resolve`, { method: "POST", body, signal });
  }
}

const SEVERITIES = new Set(["critical", "major", "minor"]);
const STATES = new Set(["open", "closed"]);
const LINK_KINDS = new Set(["dedicated", "internet"]);
const CHANNELS = new Set(["webhook", "email"]);
const MESSAGES = new Set(["report", "recovery", "repeat", "escalation", "update"]);

/**
 * Checks an incident from the API and returns it as the domain type. Absent nullable fields become null
 * (an older collector may not send them). `cause` may be a code this dashboard does not know yet (a newer
 * collector): it is kept, and shown as the code. Throws ApiError("malformed") naming the bad field.
 */
export function parseIncident(value: unknown, where: string): Incident {
  if (!isRecord(value)) throw malformed(`${where}: expected an object`);
  const kind = INCIDENT_KINDS.find((known) => known === value.kind);
  if (!kind) throw malformed(`${where}.kind: unknown kind`);
  if (typeof value.severity !== "string" || !SEVERITIES.has(value.severity)) throw malformed(`${where}.severity: unknown severity`);
  if (typeof value.state !== "string" || !STATES.has(value.state)) throw malformed(`${where}.state: unknown state`);
  const linkKind = optionalString(value.linkKind, `${where}.linkKind`);
  if (linkKind !== null && !LINK_KINDS.has(linkKind)) throw malformed(`${where}.linkKind: unknown link kind`);
  if (!Array.isArray(value.sites)) throw malformed(`${where}.sites: expected a list`);
  return {
    id: expectNumber(value.id, `${where}.id`),
    number: expectString(value.number, `${where}.number`),
    kind,
    cause: expectString(value.cause, `${where}.cause`) as IncidentCause,
    severity: value.severity as Incident["severity"],
    state: value.state as Incident["state"],
    provider: optionalString(value.provider, `${where}.provider`),
    providerName: optionalString(value.providerName, `${where}.providerName`),
    link: optionalString(value.link, `${where}.link`),
    linkKind: linkKind as Incident["linkKind"],
    circuit: optionalString(value.circuit, `${where}.circuit`),
    sites: value.sites.map((site, index) => parseSite(site, `${where}.sites[${index}]`)),
    summary: expectString(value.summary, `${where}.summary`),
    timeline: parseTimeline(value.timeline, `${where}.timeline`),
    vendorTicket: optionalString(value.vendorTicket, `${where}.vendorTicket`),
    acknowledgedBy: optionalString(value.acknowledgedBy, `${where}.acknowledgedBy`),
    evidence: stringList(value.evidence, `${where}.evidence`),
    deliveries: list(value.deliveries, `${where}.deliveries`).map((item, index) => parseDelivery(item, `${where}.deliveries[${index}]`)),
  };
}

/** Checks a response times answer and returns it as the domain type; throws ApiError("malformed") naming the bad field. */
export function parseResponseTimesReport(value: unknown, where: string): ResponseTimesReport {
  if (!isRecord(value)) throw malformed(`${where}: expected an object`);
  if (typeof value.truncated !== "boolean") throw malformed(`${where}.truncated: expected true or false`);
  return {
    fromTs: expectNumber(value.fromTs, `${where}.fromTs`),
    toTs: expectNumber(value.toTs, `${where}.toTs`),
    truncated: value.truncated,
    maxIncidents: expectNumber(value.maxIncidents, `${where}.maxIncidents`),
    providers: list(value.providers, `${where}.providers`).map((item, index) => parseProviderResponseTimes(item, `${where}.providers[${index}]`)),
  };
}

function parseProviderResponseTimes(value: unknown, where: string): ProviderResponseTimes {
  if (!isRecord(value)) throw malformed(`${where}: expected an object`);
  const provider = expectString(value.provider, `${where}.provider`);
  return {
    provider,
    providerName: optionalString(value.providerName, `${where}.providerName`) ?? provider,
    incidents: expectNumber(value.incidents, `${where}.incidents`),
    acknowledged: expectNumber(value.acknowledged, `${where}.acknowledged`),
    open: expectNumber(value.open, `${where}.open`),
    timeToAcknowledge: parseDurationStats(value.timeToAcknowledge, `${where}.timeToAcknowledge`),
    timeToRestore: parseDurationStats(value.timeToRestore, `${where}.timeToRestore`),
  };
}

function parseDurationStats(value: unknown, where: string): DurationStats {
  if (!isRecord(value)) throw malformed(`${where}: expected an object`);
  return {
    count: expectNumber(value.count, `${where}.count`),
    medianMs: optionalNumber(value.medianMs, `${where}.medianMs`),
    p90Ms: optionalNumber(value.p90Ms, `${where}.p90Ms`),
    maxMs: optionalNumber(value.maxMs, `${where}.maxMs`),
  };
}

function parseSite(value: unknown, where: string): IncidentSite {
  if (!isRecord(value)) throw malformed(`${where}: expected an object`);
  const site = expectString(value.site, `${where}.site`);
  const siteName = value.siteName === undefined || value.siteName === null ? site : expectString(value.siteName, `${where}.siteName`);
  return { site, siteName, links: stringList(value.links, `${where}.links`) };
}

function parseTimeline(value: unknown, where: string): IncidentTimeline {
  if (!isRecord(value)) throw malformed(`${where}: expected an object`);
  const startTs = expectNumber(value.startTs, `${where}.startTs`);
  return {
    startTs,
    detectedTs: value.detectedTs === undefined ? startTs : expectNumber(value.detectedTs, `${where}.detectedTs`),
    notifiedTs: optionalNumber(value.notifiedTs, `${where}.notifiedTs`),
    acknowledgedTs: optionalNumber(value.acknowledgedTs, `${where}.acknowledgedTs`),
    restoredTs: optionalNumber(value.restoredTs, `${where}.restoredTs`),
    endTs: optionalNumber(value.endTs, `${where}.endTs`),
  };
}

function parseDelivery(value: unknown, where: string): DeliveryAttempt {
  if (!isRecord(value)) throw malformed(`${where}: expected an object`);
  if (typeof value.ok !== "boolean") throw malformed(`${where}.ok: expected true or false`);
  const channel = expectString(value.channel, `${where}.channel`);
  const message = expectString(value.message, `${where}.message`);
  if (!CHANNELS.has(channel)) throw malformed(`${where}.channel: unknown channel`);
  if (!MESSAGES.has(message)) throw malformed(`${where}.message: unknown message`);
  return {
    receiver: expectString(value.receiver, `${where}.receiver`),
    channel: channel as DeliveryAttempt["channel"],
    message: message as DeliveryAttempt["message"],
    attempt: expectNumber(value.attempt, `${where}.attempt`),
    ts: expectNumber(value.ts, `${where}.ts`),
    ok: value.ok,
    detail: optionalString(value.detail, `${where}.detail`) ?? "",
    retryable: value.retryable === true,
  };
}

function list(value: unknown, where: string): unknown[] {
  // Absent is an empty list: an older collector may not send every field.
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed(`${where}: expected a list`);
  return value;
}

function stringList(value: unknown, where: string): string[] {
  return list(value, where).map((item, index) => expectString(item, `${where}[${index}]`));
}

function expectString(value: unknown, where: string): string {
  if (typeof value !== "string") throw malformed(`${where}: expected a string`);
  return value;
}

function expectNumber(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw malformed(`${where}: expected a number`);
  return value;
}

function optionalString(value: unknown, where: string): string | null {
  return value === undefined || value === null ? null : expectString(value, where);
}

function optionalNumber(value: unknown, where: string): number | null {
  return value === undefined || value === null ? null : expectNumber(value, where);
}
