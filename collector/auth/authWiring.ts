import type { IncomingMessage } from "node:http";
import type { Router } from "express";
import type { CollectorConfig } from "../../config/collectorSchema.js";
import type { Logger } from "../../config/logger.js";
import { resolveSecret } from "../alerts/resolveReceivers.js";
import type { AuthStore } from "../store/authStore.js";
import type { BestEffortWrite } from "./apiTokens.js";
import { authRouter } from "./authRoutes.js";
import { LoginThrottle } from "./loginThrottle.js";
import { OriginPolicy } from "./origin.js";
import { identify, identityStillValid, routeGuard, type RequestIdentity } from "./routeGuard.js";
import { ScopeFilter } from "./scope.js";
import { SessionManager } from "./sessions.js";

/** The collector's access control, built once from the configuration (docs/security.md). */
export interface CollectorAuth {
  /** What each scope sees, for the routes and the live feed. */
  filter: ScopeFilter;
  origins: OriginPolicy;
  sessions: SessionManager;
  /** Mounted before every route: applies ROUTE_RULES. */
  guard: Router;
  /** POST /login, /logout, GET /me, /audit: to mount under /api/v1. */
  routes: Router;
  /** The identity of a live-feed upgrade request. */
  identify(req: IncomingMessage): RequestIdentity | null;
  /** Whether a live-feed client's identity still holds. */
  stillValid(identity: RequestIdentity): boolean;
}

/**
 * Builds the access control: the scope filter over the configured sites, sessions in `auth`, the origin policy
 * (public_url, http.allowed_origins), the scrape token (`metrics.scrape_token`, resolved now: a missing one is an
 * error naming its key), the route guard and the login routes.
 */
export function wireAuth(deps: { config: CollectorConfig; configFile: string; auth: AuthStore; now: () => number; logger: Logger; bestEffortWrite: BestEffortWrite }): CollectorAuth {
  const { config, auth, now, logger, bestEffortWrite } = deps;
  const sessions = new SessionManager(auth, now, bestEffortWrite);
  const origins = new OriginPolicy(config.publicUrl, config.http.allowedOrigins);
  const scrapeToken = config.metrics.scrapeToken ? resolveSecret(config.metrics.scrapeToken, "metrics.scrape_token", deps.configFile) : null;
  const guardDeps = { auth, sessions, origins, scrapeToken, now, bestEffortWrite };
  return {
    filter: new ScopeFilter(config.sites),
    origins,
    sessions,
    guard: routeGuard(guardDeps),
    routes: authRouter({ auth, sessions, throttle: new LoginThrottle(), secureCookies: config.http.secureCookies, now, logger }),
    identify: (req) => identify(req, guardDeps),
    stillValid: (identity) => identityStillValid(identity, guardDeps),
  };
}
