import type { IncomingMessage } from "node:http";
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import type { AuthStore, StoredSession } from "../store/authStore.js";
import { sendError } from "../api/httpErrors.js";
import { findApiToken, type BestEffortWrite } from "./apiTokens.js";
import { CSRF_HEADER, SESSION_COOKIE, parseCookies } from "./cookies.js";
import { STATE_CHANGING_METHODS, type OriginPolicy } from "./origin.js";
import { ROUTE_RULES, type RouteRule } from "./routeRules.js";
import { scopeFor, type Scope } from "./scope.js";
import type { SessionManager } from "./sessions.js";
import { parseBearer, tokensEqual } from "./tokens.js";

/** Who made a request: its scope, and the session or API token (its id) it came with. */
export interface RequestIdentity {
  scope: Scope;
  session: StoredSession | null;
  apiTokenId: number | null;
}

/** What the guard needs: the auth store (API tokens), the sessions, the origin policy, the scrape token and the clock. */
export interface RouteGuardDeps {
  auth: AuthStore;
  sessions: SessionManager;
  origins: OriginPolicy;
  /** The bearer token that lets a non-loopback scraper read /metrics; null: loopback only. */
  scrapeToken: string | null;
  now: () => number;
  /** How API tokens' last-used times are written (apiTokens.ts). */
  bestEffortWrite: BestEffortWrite;
}

/**
 * Who sent `req`: an `Authorization: Bearer` API token (when the header is there, only it counts: a bad one is not
 * helped by a cookie), else the `ww_session` cookie; null when neither names a live token or session.
 */
export function identify(req: Pick<IncomingMessage, "headers">, deps: Pick<RouteGuardDeps, "auth" | "sessions" | "now" | "bestEffortWrite">): RequestIdentity | null {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const token = parseBearer(authorization);
    const found = token ? findApiToken(deps.auth, token, deps.now(), deps.bestEffortWrite) : null;
    return found ? { scope: scopeFor(`token:${found.name}`, found.grant), session: null, apiTokenId: found.id } : null;
  }
  const sessionId = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  const active = sessionId ? deps.sessions.find(sessionId) : null;
  return active ? { scope: scopeFor(active.user.name, active.user.grant), session: active.session, apiTokenId: null } : null;
}

/** Whether `identity` still holds: its session not ended or expired (its user not disabled), its token not revoked. */
export function identityStillValid(identity: RequestIdentity, deps: Pick<RouteGuardDeps, "auth" | "sessions">): boolean {
  if (identity.session) return deps.sessions.findByHash(identity.session.idHash) !== null;
  const token = deps.auth.listApiTokens().find((entry) => entry.id === identity.apiTokenId);
  return token !== undefined && token.revokedAt === null;
}

/** The identity the guard found for this request; throws for a route the guard let through without one (a bug). */
export function requestIdentity(res: Response): RequestIdentity {
  const identity = res.locals.identity as RequestIdentity | undefined;
  if (!identity) throw new Error("no identity for this request: its route has no `roles` rule in ROUTE_RULES");
  return identity;
}

/** The scope of the request (see {@link requestIdentity}). */
export function requestScope(res: Response): Scope {
  return requestIdentity(res).scope;
}

/** Whether the request came from this host (127.0.0.0/8, ::1, or either mapped). */
export function isLoopback(req: Request): boolean {
  const address = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
  return address === "::1" || /^127\.\d+\.\d+\.\d+$/.test(address);
}

function refuseForeign(req: Request, res: Response, origins: OriginPolicy): boolean {
  if (!STATE_CHANGING_METHODS.has(req.method)) return false;
  const reason = origins.foreignReason(req.headers);
  if (reason === null) return false;
  sendError(res, 403, "foreign_origin", reason);
  return true;
}

function checkRule(rule: RouteRule, deps: RouteGuardDeps): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.ruleMatched = true;
    switch (rule.access) {
      case "own_credential":
        return next();
      case "public":
        if (refuseForeign(req, res, deps.origins)) return;
        return next();
      case "metrics": {
        const token = parseBearer(req.headers.authorization);
        if (isLoopback(req) || (token !== null && deps.scrapeToken !== null && tokensEqual(token, deps.scrapeToken))) return next();
        res.setHeader("WWW-Authenticate", 'Bearer realm="wardwatch metrics"');
        return sendError(res, 401, "unauthenticated", "/metrics is served to loopback, or with Authorization: Bearer <metrics.scrape_token>");
      }
      case "roles": {
        const identity = (res.locals.identity as RequestIdentity | undefined) ?? identify(req, deps);
        if (!identity) return sendError(res, 401, "unauthenticated", "log in, or send Authorization: Bearer <API token>");
        res.locals.identity = identity;
        if (!rule.roles.includes(identity.scope.role)) return sendError(res, 403, "forbidden", `the ${identity.scope.role} role may not do this`);
        if (refuseForeign(req, res, deps.origins)) return;
        if (identity.session && STATE_CHANGING_METHODS.has(req.method) && !csrfMatches(req.headers[CSRF_HEADER], identity.session.csrfToken)) {
          return sendError(res, 403, "csrf_mismatch", `a request made with a session must carry the ${CSRF_HEADER} header equal to the ww_csrf cookie`);
        }
        return next();
      }
    }
  };
}

function csrfMatches(header: string | string[] | undefined, expected: string): boolean {
  return typeof header === "string" && header.length > 0 && tokensEqual(header, expected);
}

/** The property that marks the router {@link routeGuard} builds. */
export const ROUTE_GUARD_MARK = "isRouteGuard";

/**
 * The guard of every route, mounted before them: express itself matches each request against the paths of
 * {@link ROUTE_RULES} (the same matching as the routes'), and each rule that matches is applied; a request under
 * /api matching none needs a credential of any role. Answers 401 (no or unknown credential), 403 `forbidden` (a
 * role not allowed), `foreign_origin` (a state-changing request from a page not of this collector) or
 * `csrf_mismatch` (a session's state-changing request without its CSRF token).
 */
export function routeGuard(deps: RouteGuardDeps): Router {
  const router = Router();
  // So a walk of the application's routes (the route table test) can tell the guard's own paths from the routes.
  Object.defineProperty(router, ROUTE_GUARD_MARK, { value: true });
  for (const [key, rule] of Object.entries(ROUTE_RULES) as Array<[string, RouteRule]>) {
    const [method, path] = key.split(" ") as [string, string];
    router[method.toLowerCase() as "get" | "post"](path, checkRule(rule, deps));
  }
  const anyRole = checkRule({ access: "roles", roles: ["province", "vendor", "ward"] }, deps);
  router.use((req, res, next) => {
    if (res.locals.ruleMatched) return next();
    if (/^\/api(\/|$)/i.test(req.path)) return anyRole(req, res, next);
    next();
  });
  return router;
}
