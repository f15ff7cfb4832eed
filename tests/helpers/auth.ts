import type { RequestHandler } from "express";
import { createApiToken } from "../../collector/auth/apiTokens.js";
import type { RequestIdentity } from "../../collector/auth/routeGuard.js";
import { ScopeFilter, type RoleScope, type Scope, type SiteLinks } from "../../collector/auth/scope.js";
import type { AuthStore } from "../../collector/store/authStore.js";
import { SqliteMetadataStore } from "../../collector/store/sqlite.js";

/** The province's scope, for routers tested without the route guard. */
export const PROVINCE_SCOPE: Scope = { role: "province", actor: "test-province" };

/**
 * Middleware standing in for the route guard in a router's own test: every request is made by `scope` (through an
 * API token, so no CSRF). Mount it before the router.
 */
export function actAs(scope: Scope = PROVINCE_SCOPE): RequestHandler {
  return (_req, res, next) => {
    res.locals.identity = { scope, session: null, apiTokenId: 0 } satisfies RequestIdentity;
    next();
  };
}

/** A scope filter over `sites`, or one that sees nothing but serves the province (which sees everything anyway). */
export function scopeFilterOf(sites: readonly SiteLinks[] = []): ScopeFilter {
  return new ScopeFilter(sites);
}

/** Creates an API token with `grant` (default: province) in `auth` and returns it (`ww_…`). */
export function apiTokenIn(auth: AuthStore, grant: RoleScope = { role: "province" }, name = `test-${grant.role}`): string {
  return createApiToken(auth, name, grant, Date.now()).token;
}

/**
 * Creates an API token in the metadata database file `file` (a collector process may have it open: WAL lets both
 * write) and returns it; for tests of a collector started as a process.
 */
export function apiTokenInFile(file: string, grant: RoleScope = { role: "province" }): string {
  const store = SqliteMetadataStore.open(file);
  try {
    return apiTokenIn(store.auth, grant);
  } finally {
    store.close();
  }
}

/** The header that authenticates a request with `token`. */
export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}
