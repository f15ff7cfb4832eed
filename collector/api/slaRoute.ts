import { Router, type Request } from "express";
import { z } from "zod";
import type { SlaReport, SlaScope } from "../../protocol/sla.js";
import { MONTH_PATTERN, type LocalCalendar } from "../sla/localCalendar.js";
import { slaReportCsv } from "../sla/slaCsv.js";
import { sendError } from "./httpErrors.js";
import { firstQueryProblem, onceParam, type QueryCheck } from "./timeQuery.js";

/** What the SLA route needs. */
export interface SlaRouteDeps {
  /** The report of a month for a scope (SlaReports.report). */
  report(month: string, scope: SlaScope): Promise<SlaReport>;
  providerIds: readonly string[];
  siteIds: readonly string[];
  calendar: LocalCalendar;
  now: () => number;
  /**
   * What the caller may see (the roles middleware decides: a vendor its provider, a ward its site); absent: all. A
   * request for more than that is 403; a request for nothing in particular gets the caller's scope.
   */
  allowedScope?: (req: Request) => SlaScope;
}

const QUERY_PARAMS = ["month", "provider", "site"] as const;
const CODES: Readonly<Record<string, string>> = { month: "bad_month", provider: "bad_provider", site: "bad_site" };
const MONTH_FORM = "month must be given once, as YYYY-MM (e.g. 2026-03), the province's local month";

const slaQuerySchema = z.strictObject({
  month: onceParam(MONTH_FORM, z.string().regex(MONTH_PATTERN, MONTH_FORM)).optional(),
  provider: onceParam("provider must be given once, as a provider id", z.string().min(1)).optional(),
  site: onceParam("site must be given once, as a site id", z.string().min(1)).optional(),
});

/** A parsed SLA query: the month, and the scope it asks for. */
export interface SlaQuery {
  month: string;
  scope: SlaScope;
}

/**
 * Reads ?month=YYYY-MM[&provider=ID | &site=ID]: `month` defaults to the current local month and may not be a later
 * one or before 2000 (`bad_month`); `provider` and `site` must be configured (`bad_provider`, `bad_site`, naming the
 * known ones) and not both given (`bad_scope`); any other parameter is `unknown_param`.
 */
export function parseSlaQuery(raw: unknown, deps: Pick<SlaRouteDeps, "providerIds" | "siteIds" | "calendar" | "now">): QueryCheck<SlaQuery> {
  const parsed = slaQuerySchema.safeParse(raw);
  if (!parsed.success) return firstQueryProblem(parsed.error, QUERY_PARAMS, CODES);
  const { provider, site } = parsed.data;
  const current = deps.calendar.monthOf(deps.now());
  const month = parsed.data.month ?? current;
  if (month > current) return { ok: false, error: "bad_month", message: `month ${month} has not begun yet (the current month is ${current})` };
  if (month < "2000-01") return { ok: false, error: "bad_month", message: `month must be 2000-01 or later, not ${month}` };
  if (provider !== undefined && site !== undefined) return { ok: false, error: "bad_scope", message: "give provider or site, not both" };
  if (provider !== undefined && !deps.providerIds.includes(provider)) {
    return { ok: false, error: "bad_provider", message: `unknown provider '${provider.slice(0, 64)}' (known: ${deps.providerIds.join(", ")})` };
  }
  if (site !== undefined && !deps.siteIds.includes(site)) return { ok: false, error: "bad_site", message: `unknown site '${site.slice(0, 64)}'` };
  const scope: SlaScope = provider !== undefined ? { kind: "provider", provider } : site !== undefined ? { kind: "site", site } : { kind: "all" };
  return { ok: true, value: { month, scope } };
}

/** The scope to answer with: the one asked for within what the caller may see, or null when it asks for more. */
export function effectiveScope(asked: SlaScope, allowed: SlaScope): SlaScope | null {
  if (allowed.kind === "all") return asked;
  if (asked.kind === "all") return allowed;
  return JSON.stringify(asked) === JSON.stringify(allowed) ? asked : null;
}

/**
 * GET /sla?month=YYYY-MM[&provider=][&site=]: the month's {@link SlaReport} as JSON; GET /sla.csv (same query): the
 * same report as CSV (slaCsv.ts, UTF-8 with BOM), as a download named after the month and scope. 400 names the bad
 * parameter; 404 `not_found` when the caller may not see what it asks for, or (outside the province) it does not exist.
 */
export function slaRouter(deps: SlaRouteDeps): Router {
  const router = Router();
  const resolve = (req: Request): QueryCheck<SlaQuery> & { notFound?: boolean } => {
    const allowed = deps.allowedScope?.(req) ?? { kind: "all" };
    const parsed = parseSlaQuery(req.query, deps);
    // Outside the province, an unknown site or provider and one the caller may not see answer alike (404, listing
    // nothing), as /sites/:id does: the answer must not tell which exist.
    const outside = { ok: false as const, error: "not_found", message: "no such part of the SLA report for this account", notFound: true };
    if (!parsed.ok) return allowed.kind !== "all" && (parsed.error === "bad_site" || parsed.error === "bad_provider") ? outside : parsed;
    const scope = effectiveScope(parsed.value.scope, allowed);
    if (!scope) return outside;
    return { ok: true, value: { month: parsed.value.month, scope } };
  };
  router.get("/sla", async (req, res) => {
    const query = resolve(req);
    if (!query.ok) return sendError(res, query.notFound ? 404 : 400, query.error, query.message);
    res.json(await deps.report(query.value.month, query.value.scope));
  });
  router.get("/sla.csv", async (req, res) => {
    const query = resolve(req);
    if (!query.ok) return sendError(res, query.notFound ? 404 : 400, query.error, query.message);
    const { month, scope } = query.value;
    const report = await deps.report(month, scope);
    const suffix = scope.kind === "provider" ? `-${scope.provider}` : scope.kind === "site" ? `-${scope.site}` : "";
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", `attachment; filename="sla-${month}${suffix}.csv"`);
    res.send(slaReportCsv(report));
  });
  return router;
}
