import { ROLES, type Role } from "./scope.js";

/**
 * Who may call a route (docs/security.md):
 * - `public`: anyone (health, the login itself);
 * - `own_credential`: the route checks a credential of its own (a site token for ingest, a signed acknowledgement link);
 * - `metrics`: a scraper on loopback, or with the configured scrape token;
 * - `roles`: a logged-in user or an API token of one of `roles`; what it then sees is filtered by its scope.
 */
export type RouteRule =
  | { access: "public" }
  | { access: "own_credential" }
  | { access: "metrics" }
  | { access: "roles"; roles: readonly Role[] };

const PUBLIC: RouteRule = { access: "public" };
const OWN_CREDENTIAL: RouteRule = { access: "own_credential" };
const EVERY_ROLE: RouteRule = { access: "roles", roles: ROLES };
const roles = (...allowed: Role[]): RouteRule => ({ access: "roles", roles: allowed });

/**
 * Every route of the collector, `METHOD path` as express declares it, and its rule: the one place access is decided
 * (routeGuard.ts enforces it; tests/collector/auth/routeTable.test.ts fails for a route not listed here). A request
 * under /api that matches no entry needs a credential of any role (and then gets its 404).
 */
export const ROUTE_RULES = {
  "POST /api/v1/ingest": OWN_CREDENTIAL,
  "POST /api/v1/login": PUBLIC,
  "POST /api/v1/logout": EVERY_ROLE,
  "GET /api/v1/me": EVERY_ROLE,
  "GET /api/v1/audit": roles("province"),
  "GET /api/v1/sites": EVERY_ROLE,
  "GET /api/v1/sites/:id": EVERY_ROLE,
  "GET /api/v1/sites/:id/series": EVERY_ROLE,
  // A site's failover events and the applications through its links are the ward's own traffic, not a vendor's.
  "GET /api/v1/sites/:id/events": roles("province", "ward"),
  "GET /api/v1/apps": roles("province", "ward"),
  "GET /api/v1/sites/:id/paths": roles("province", "ward"),
  // TSLCD against the Internet is one provider's circuits against another's: not for a vendor.
  "GET /api/v1/comparison": roles("province", "ward"),
  // Each sees its part of the report (scope.ts slaScopeOf): a vendor its circuits, a ward its site's.
  "GET /api/v1/sla": EVERY_ROLE,
  "GET /api/v1/sla.csv": EVERY_ROLE,
  "GET /api/v1/incidents": EVERY_ROLE,
  "GET /api/v1/incidents/response-times": roles("province", "vendor"),
  "GET /api/v1/incidents/:id": EVERY_ROLE,
  "POST /api/v1/incidents/:id/ack": roles("province", "vendor"),
  "POST /api/v1/incidents/:id/resolve": roles("province"),
  "GET /ack/:token": OWN_CREDENTIAL,
  "POST /ack/:token": OWN_CREDENTIAL,
  "GET /healthz": PUBLIC,
  "GET /metrics": { access: "metrics" },
} as const satisfies Record<string, RouteRule>;

/** A route's key in {@link ROUTE_RULES}. */
export type RouteKey = keyof typeof ROUTE_RULES;
