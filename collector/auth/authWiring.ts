import type { IncomingMessage } from "node:http";
import type { Router } from "express";
import type { CollectorConfig } from "../../config/collectorSchema.js";
import type { Logger } from "../../config/logger.js";
import { resolveSecret } from "../alerts/resolveReceivers.js";
import type { AuthStore } from "../store/authStore.js";
import type { MetadataStore } from "../store/store.js";
import type { StoreBreaker } from "../health/storeBreaker.js";
import type { LiveHub } from "../live/liveHub.js";
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
  /** Writes that may be skipped while the metadata store fails (see apiTokens.ts). */
  bestEffortWrite: BestEffortWrite;
  /** Deletes expired sessions and closes live clients whose session ended, every minute; returns how to stop. */
  startSessionChecks(hub: Pick<LiveHub, "revalidate">): () => void;
}

/** How often expired sessions are deleted, ms. */
export const SESSION_CHECK_INTERVAL_MS = 60_000;

/**
 * How often live clients are checked against the store, ms: a logout, a disabled user or a revoked token (done by the
 * CLI, another process) closes their live feeds within this. Reads only.
 */
export const LIVE_CLIENT_CHECK_INTERVAL_MS = 5_000;

/** What the access control is built from: the metadata store and its breaker carry its bookkeeping writes. */
export interface AuthWiringDeps {
  config: CollectorConfig;
  configFile: string;
  auth: AuthStore;
  store: Pick<MetadataStore, "withShortLockWait" | "isUnavailableError">;
  breaker: Pick<StoreBreaker, "writable">;
  now: () => number;
  logger: Logger;
}

/**
 * Builds the access control: the scope filter over the configured sites, sessions in `auth`, the origin policy
 * (public_url, http.allowed_origins), the scrape token (`metrics.scrape_token`, resolved now: a missing one is an
 * error naming its key), the route guard and the login routes.
 */
export function wireAuth(deps: AuthWiringDeps): CollectorAuth {
  const { config, auth, store, breaker, now, logger } = deps;
  // Bookkeeping writes (last-used times, expired sessions, audit of refusals) never wait out a lock nor fail a request.
  const bestEffortWrite: BestEffortWrite = (work) => {
    if (!breaker.writable) return;
    try {
      store.withShortLockWait(work);
    } catch (err) {
      if (!store.isUnavailableError(err)) logger.warn("bookkeeping write failed", { err });
    }
  };
  const sessions = new SessionManager(auth, now, bestEffortWrite);
  const origins = new OriginPolicy(config.publicUrl, config.http.allowedOrigins);
  const scrapeToken = config.metrics.scrapeToken ? resolveSecret(config.metrics.scrapeToken, "metrics.scrape_token", deps.configFile) : null;
  const guardDeps = { auth, sessions, origins, scrapeToken, now, bestEffortWrite };
  return {
    filter: new ScopeFilter(config.sites),
    origins,
    sessions,
    guard: routeGuard(guardDeps),
    routes: authRouter({ auth, sessions, throttle: new LoginThrottle(), secureCookies: config.http.secureCookies, writable: () => breaker.writable, bestEffortWrite, now, logger }),
    identify: (req) => identify(req, guardDeps),
    stillValid: (identity) => identityStillValid(identity, guardDeps),
    bestEffortWrite,
    startSessionChecks(hub) {
      const guarded = (what: string, check: () => void) => () => {
        try {
          check();
        } catch (err) {
          logger.warn(`${what} failed`, { err });
        }
      };
      const sweep = setInterval(guarded("session sweep", () => sessions.sweep()), SESSION_CHECK_INTERVAL_MS);
      const revalidate = setInterval(guarded("live client check", () => hub.revalidate()), LIVE_CLIENT_CHECK_INTERVAL_MS);
      sweep.unref();
      revalidate.unref();
      return () => {
        clearInterval(sweep);
        clearInterval(revalidate);
      };
    },
  };
}
