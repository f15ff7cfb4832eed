import express, { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { Incident, IncidentKind } from "../../protocol/incident.js";
import { identifierSchema } from "../../protocol/sample.js";
import { formatKeyPath } from "../../config/loader.js";
import type { IncidentQuery, IncidentStore, StoredIncident } from "../incidents/incidentStore.js";
import { sendError } from "./httpErrors.js";
import { responseTimesRouter } from "./responseTimesRoute.js";
import { requestScope } from "../auth/routeGuard.js";
import type { Scope, ScopeFilter } from "../auth/scope.js";

/** Most incidents one list request returns (the store's own cap). */
export const MAX_INCIDENT_LIST = 1000;

/** What acknowledging records: who (free text, e.g. "VNPT NOC - Nguyễn Văn A") and the vendor's ticket number. */
export interface AckInput {
  by: string | null;
  ticket: string | null;
}

/**
 * What the incident routes need. `acknowledge` and `resolve` change the incident (and tell the dispatcher); they
 * return it after the change, or null when there is no such incident. The routes only validate and call them.
 */
export interface IncidentsDeps {
  incidents: IncidentStore;
  now: () => number;
  acknowledge(id: number, input: AckInput): StoredIncident | null;
  resolve(id: number, input: { by: string | null }): StoredIncident | null;
  /**
   * Why `incident` cannot be resolved by hand now (its cause is still there: the link or site still down), or null.
   * Resolving it anyway would only have it opened again at the next judgement, reporting the fault to the vendor
   * again each time; the incident closes by itself when the cause ends.
   */
  causeStillPresent(incident: StoredIncident): string | null;
  /** What each request's scope may see: other incidents are 404 (collector/auth/scope.ts). */
  filter: ScopeFilter;
  /** Records who acknowledged or resolved which incident (the audit log). */
  audit(entry: { scope: Scope; action: "incident.ack" | "incident.resolve"; target: string; ip: string | null; outcome: string }): void;
}

/** An incident as the API returns it: the protocol's Incident plus the incident that took it over, if any. */
export type IncidentView = Incident & { mergedInto: number | null };

/** `stored` without its internal cause key. */
export function toIncidentView(stored: StoredIncident): IncidentView {
  const { key: _key, ...view } = stored;
  return view;
}

/** Free text people type: no control or invisible format characters (which could hide or reorder text). */
const printable = (max: number) =>
  z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\p{C}]*$/u, "must contain only printable characters");

/** `by`: who acknowledged or resolved, ≤ 100 characters. */
export const ackBySchema = printable(100);
/** `ticket`: the vendor's ticket number (Số phiếu của nhà mạng), ≤ 64 printable characters. */
export const ticketSchema = printable(64);

const ackBodySchema = z.strictObject({ by: ackBySchema.optional(), ticket: ticketSchema.optional() });
const resolveBodySchema = z.strictObject({ by: ackBySchema.optional() });

/** Who acted: the user or token, with the person it names in the body beside it ("Trần Văn B (via vnpt)"), never instead. */
function actingAs(named: string | undefined, actor: string): string {
  return named === undefined || named === actor ? actor : `${named} (via ${actor})`;
}

/**
 * The list query narrowed to what `scope` may see: a vendor's is its provider's incidents, a ward's its site's. A
 * filter for another provider or site gives no incidents (null) rather than an error that would confirm it exists.
 */
export function scopedIncidentQuery(scope: Scope, query: IncidentQuery): IncidentQuery | null {
  if (scope.role === "vendor") return query.provider === undefined || query.provider === scope.provider ? { ...query, provider: scope.provider } : null;
  if (scope.role === "ward") return query.site === undefined || query.site === scope.site ? { ...query, site: scope.site } : null;
  return query;
}

/**
 * Whether acknowledging `incident` with `ticket` would contradict an earlier acknowledgement: false when it was never
 * acknowledged, or was acknowledged with the same ticket (both absent counts as the same), so a repeated request is
 * answered as a success without changing anything.
 */
export function ackConflicts(incident: Incident, ticket: string | null): boolean {
  return isAcknowledged(incident) && (incident.vendorTicket ?? null) !== ticket;
}

/** Whether someone has acknowledged `incident`. */
export function isAcknowledged(incident: Incident): boolean {
  return incident.timeline.acknowledgedTs !== null || incident.acknowledgedBy !== null;
}

const QUERY_PARAMS = ["state", "site", "provider", "kind", "limit"] as const;
const KINDS: readonly IncidentKind[] = ["link", "site", "provider", "collector"];

type QueryCheck = { ok: true; query: IncidentQuery } | { ok: false; error: string; message: string };

/**
 * The list query, each parameter checked; the first bad one is named in the error (`bad_state`, `bad_limit`, …).
 * Repeated parameters are refused, and so are unknown ones (`unknown_param`), so a misspelt filter is not ignored.
 */
export function parseIncidentQuery(raw: Request["query"]): QueryCheck {
  const query: IncidentQuery = {};
  for (const [param, value] of Object.entries(raw)) {
    if (!(QUERY_PARAMS as readonly string[]).includes(param)) return { ok: false, error: "unknown_param", message: `unknown parameter '${param.slice(0, 64)}' (known: ${QUERY_PARAMS.join(", ")})` };
    if (typeof value !== "string") return { ok: false, error: `bad_${param}`, message: `${param} must be given once, as text` };
    switch (param) {
      case "state":
        if (value !== "open" && value !== "closed") return { ok: false, error: `bad_${param}`, message: "state must be open or closed" };
        query.state = value;
        break;
      case "site":
      case "provider":
        if (!identifierSchema.safeParse(value).success) return { ok: false, error: `bad_${param}`, message: `${param} must be an id: 1–64 characters of a-z, 0-9, '-' or '_'` };
        query[param] = value;
        break;
      case "kind":
        if (!(KINDS as readonly string[]).includes(value)) return { ok: false, error: `bad_${param}`, message: `kind must be one of: ${KINDS.join(", ")}` };
        query.kind = value as IncidentKind;
        break;
      case "limit":
        if (!/^[1-9]\d{0,3}$/.test(value) || Number(value) > MAX_INCIDENT_LIST) return { ok: false, error: `bad_${param}`, message: `limit must be an integer from 1 to ${MAX_INCIDENT_LIST}` };
        query.limit = Number(value);
        break;
    }
  }
  return { ok: true, query };
}

/** The incident id in a path: its number (123) or its reference ("SC-000123"); null when it is neither. */
export function parseIncidentId(text: string): number | null {
  const match = /^(?:SC-)?0*([1-9]\d{0,14})$/i.exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * The request body as `schema` reads it (no body at all counts as `{}`); on a problem, a 400 (or 415 for a body
 * that is not JSON, which would otherwise be ignored and the ticket silently lost) is sent and null returned.
 */
function parseBody<T>(schema: z.ZodType<T>, req: Request, res: Response): T | null {
  if (req.body === undefined && hasBody(req)) {
    sendError(res, 415, "unsupported_media_type", "the request body must be JSON with Content-Type: application/json");
    return null;
  }
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 5).map((issue) => `${formatKeyPath(issue.path) || "(body)"}: ${issue.message}`);
  sendError(res, 400, "invalid_body", problems.join("; "));
  return null;
}

/**
 * GET /incidents (filters state, site, provider, kind, limit; newest first), GET /incidents/response-times (per
 * vendor, responseTimesRoute.ts), GET /incidents/:id,
 * POST /incidents/:id/ack ({ by?, ticket? }) and POST /incidents/:id/resolve ({ by? }); see DESIGN's HTTP API.
 * Ids are numbers or references ("SC-000123"). JSON bodies are limited to 16 KiB; body-parser failures reach the
 * app's JSON error handler.
 */
export function incidentsRouter(deps: IncidentsDeps): Router {
  const router = Router();
  const parseJson = express.json({ limit: "16kb", strict: true });

  /** The incident named by the path as the request's scope sees it, or null after answering 400/404. */
  const findIncident = (req: Request<{ id: string }>, res: Response): StoredIncident | null => {
    const id = parseIncidentId(req.params.id);
    if (id === null) {
      sendError(res, 400, "bad_id", "the incident id must be a number or a reference such as SC-000123");
      return null;
    }
    const stored = deps.incidents.getIncident(id);
    const incident = stored ? deps.filter.incident(requestScope(res), stored) : null;
    if (!incident) sendError(res, 404, "not_found", `no incident ${req.params.id}`);
    return incident;
  };

  router.get("/incidents", (req, res) => {
    const parsed = parseIncidentQuery(req.query);
    if (!parsed.ok) return sendError(res, 400, parsed.error, parsed.message);
    const scope = requestScope(res);
    const query = scopedIncidentQuery(scope, parsed.query);
    if (!query) return res.json([]);
    const listed = deps.incidents.listIncidents(query).flatMap((incident) => deps.filter.incident(scope, incident) ?? []);
    res.json(listed.map(toIncidentView));
  });

  // Before /incidents/:id, which would take "response-times" for an id.
  router.use(responseTimesRouter({ ...deps, scopeOf: requestScope }));

  router.get("/incidents/:id", (req, res) => {
    const incident = findIncident(req, res);
    if (incident) res.json(toIncidentView(incident));
  });

  router.post("/incidents/:id/ack", parseJson, (req, res) => {
    const body = parseBody(ackBodySchema, req, res);
    if (!body) return;
    const incident = findIncident(req, res);
    if (!incident) return;
    const ticket = body.ticket ?? null;
    const scope = requestScope(res);
    const audit = (outcome: string) => deps.audit({ scope, action: "incident.ack", target: incident.number, ip: req.socket.remoteAddress ?? null, outcome });
    if (incident.state === "closed" && !isAcknowledged(incident)) {
      audit("already_closed");
      const at = incident.timeline.endTs === null ? "" : ` at ${new Date(incident.timeline.endTs).toISOString()}`;
      return sendError(res, 409, "already_closed", `incident ${incident.number} was closed${at}: there is nothing left to acknowledge`);
    }
    if (ackConflicts(incident, ticket)) {
      audit("already_acknowledged");
      return sendError(res, 409, "already_acknowledged", alreadyAcknowledgedMessage(incident));
    }
    // A repeat of the same acknowledgement (e.g. a retried request) changes nothing and succeeds.
    if (isAcknowledged(incident)) return res.json(toIncidentView(incident));
    // Who acknowledged is the logged-in user (or token); a name in the body (the NOC operator at the keyboard) is kept
    // beside it, never instead of it: "Trần Văn B (via vnpt)".
    const updated = deps.acknowledge(incident.id, { by: actingAs(body.by, scope.actor), ticket });
    if (!updated) return sendError(res, 404, "not_found", `no incident ${req.params.id}`);
    audit("ok");
    res.json(toIncidentView(updated));
  });

  router.post("/incidents/:id/resolve", parseJson, (req, res) => {
    const body = parseBody(resolveBodySchema, req, res);
    if (!body) return;
    const incident = findIncident(req, res);
    if (!incident) return;
    if (incident.state === "closed") {
      const at = incident.timeline.endTs === null ? "" : ` at ${new Date(incident.timeline.endTs).toISOString()}`;
      return sendError(res, 409, "already_closed", `incident ${incident.number} was closed${at}`);
    }
    const scope = requestScope(res);
    const audit = (outcome: string) => deps.audit({ scope, action: "incident.resolve", target: incident.number, ip: req.socket.remoteAddress ?? null, outcome });
    const present = deps.causeStillPresent(incident);
    if (present !== null) {
      audit("cause_present");
      return sendError(res, 409, "cause_present", `incident ${incident.number} cannot be resolved while ${present}: it closes by itself when the cause ends`);
    }
    const updated = deps.resolve(incident.id, { by: actingAs(body.by, scope.actor) });
    if (!updated) return sendError(res, 404, "not_found", `no incident ${req.params.id}`);
    audit("ok");
    res.json(toIncidentView(updated));
  });

  return router;
}

function hasBody(req: Request): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

function alreadyAcknowledgedMessage(incident: Incident): string {
  const at = incident.timeline.acknowledgedTs === null ? "" : ` at ${new Date(incident.timeline.acknowledgedTs).toISOString()}`;
  const by = incident.acknowledgedBy ? ` by ${incident.acknowledgedBy}` : "";
  const ticket = incident.vendorTicket ? `with ticket ${incident.vendorTicket}` : "without a ticket";
  return `incident ${incident.number} was acknowledged${at}${by} ${ticket}`;
}
