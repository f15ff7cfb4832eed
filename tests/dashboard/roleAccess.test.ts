import { describe, expect, it } from "vitest";
import { ROUTE_RULES, type RouteKey } from "../../collector/auth/routeRules.js";
import { ROLES } from "../../collector/auth/scope.js";
import { ROLE_ACCESS, type RoleAccess } from "../../dashboard/src/roleAccess.js";

/** The collector route behind each thing the dashboard shows or hides by role. */
const ROUTE_OF = {
  comparison: "GET /api/v1/comparison",
  sitePaths: "GET /api/v1/sites/:id/paths",
  responseTimes: "GET /api/v1/incidents/response-times",
  acknowledge: "POST /api/v1/incidents/:id/ack",
  resolve: "POST /api/v1/incidents/:id/resolve",
} as const satisfies Record<keyof RoleAccess, RouteKey>;

describe("dashboard roleAccess", () => {
  it("names every role of the collector, and no other", () => {
    expect(Object.keys(ROLE_ACCESS).sort()).toEqual([...ROLES].sort());
  });

  it.each(Object.entries(ROUTE_OF))("offers %s to exactly the roles the collector's route rule allows (%s)", (what, route) => {
    const rule = ROUTE_RULES[route];
    const allowed = "roles" in rule ? (rule.roles as readonly string[]) : [];
    for (const role of ROLES) expect(ROLE_ACCESS[role][what as keyof RoleAccess], `${what} for ${role}`).toBe(allowed.includes(role));
  });
});
