import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTE_GUARD_MARK } from "../../../collector/auth/routeGuard.js";
import { ROUTE_RULES, type RouteRule } from "../../../collector/auth/routeRules.js";
import type { RoleScope } from "../../../collector/auth/scope.js";
import { apiTokenIn, bearer } from "../../helpers/auth.js";
import { startTestCollector, type TestCollector } from "../../helpers/collectorHarness.js";
import { linkIncidentFixture } from "../../helpers/incidentFixtures.js";

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[]; [ROUTE_GUARD_MARK]?: boolean };
  rawPath?: unknown;
}

/** Every route of the running application, `METHOD path` as ROUTE_RULES keys them, found by walking express's router. */
function routesOf(stack: Layer[], prefix = ""): string[] {
  const found: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const method of Object.keys(layer.route.methods).filter((m) => m !== "_all")) found.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
    } else if (layer.handle?.stack && !layer.handle[ROUTE_GUARD_MARK]) {
      const mount = typeof layer.rawPath === "string" && layer.rawPath !== "/" ? layer.rawPath : "";
      found.push(...routesOf(layer.handle.stack, prefix + mount));
    }
  }
  return found;
}

const CALLERS: Array<{ name: string; grant: RoleScope | null }> = [
  { name: "anonymous", grant: null },
  { name: "ward", grant: { role: "ward", site: "tan-phong" } },
  { name: "vendor", grant: { role: "vendor", provider: "vnpt" } },
  { name: "province", grant: { role: "province" } },
];

describe("collector/auth/routeRules: every route × every role", () => {
  let t: TestCollector;
  let routes: string[];
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    t = await startTestCollector(["tan-phong", "bien-hoa"]);
    t.store.incidents.openIncident(linkIncidentFixture());
    for (const { name, grant } of CALLERS) if (grant) tokens.set(name, apiTokenIn(t.store.auth, grant, name));
    routes = routesOf((t.collector.app as unknown as { router: { stack: Layer[] } }).router.stack);
  });
  afterAll(() => t?.close());

  it("finds the routes by walking the router, and every one has a rule (a new route without one fails here)", () => {
    expect(routes.length).toBeGreaterThanOrEqual(15);
    expect(routes.filter((route) => !(route in ROUTE_RULES))).toEqual([]);
    // And no rule is left over for a route that no longer exists.
    expect(Object.keys(ROUTE_RULES).filter((key) => !routes.includes(key))).toEqual([]);
  });

  it("answers 401 without a credential, 403 for a role the rule leaves out, and lets allowed roles through", async () => {
    const table: string[] = [];
    for (const route of routes) {
      const rule: RouteRule = ROUTE_RULES[route as keyof typeof ROUTE_RULES];
      const [method, pattern] = route.split(" ") as [string, string];
      const path = pattern.replace(":id", pattern.startsWith("/api/v1/sites") ? "tan-phong" : "1").replace(":token", "not-a-token");
      for (const caller of CALLERS) {
        const token = tokens.get(caller.name);
        const res = await fetch(`${t.collector.url}${path}`, {
          method,
          headers: { ...(token ? bearer(token) : {}), ...(method === "POST" ? { "Content-Type": "application/json" } : {}) },
          ...(method === "POST" ? { body: "{}" } : {}),
        });
        await res.arrayBuffer();
        table.push(`${route} ${caller.name} ${res.status}`);
        if (rule.access === "roles") {
          const expected = caller.grant === null ? [401] : rule.roles.includes(caller.grant.role) ? null : [403];
          if (expected) expect(`${route} ${caller.name} ${res.status}`).toBe(`${route} ${caller.name} ${expected[0]}`);
          else expect([401, 403], `${route} ${caller.name}`).not.toContain(res.status);
        } else if (rule.access === "public" || rule.access === "metrics") {
          // /metrics: the test calls from loopback.
          expect([401, 403], `${route} ${caller.name}`).not.toContain(res.status);
        }
      }
    }
    expect(table.length).toBe(routes.length * CALLERS.length);
  });

  it("asks for a credential under /api even where no route matches (then 404)", async () => {
    expect((await fetch(`${t.collector.url}/api/v1/no-such-thing`)).status).toBe(401);
    expect((await fetch(`${t.collector.url}/api/v1/no-such-thing`, { headers: t.provinceAuth })).status).toBe(404);
    // express matches case-insensitively and with a trailing slash: so does the guard.
    expect((await fetch(`${t.collector.url}/API/V1/SITES/`)).status).toBe(401);
    expect((await fetch(`${t.collector.url}/api/v1/incidents/1/resolve/`, { method: "POST", headers: bearer(tokens.get("ward")!) })).status).toBe(403);
  });
});
