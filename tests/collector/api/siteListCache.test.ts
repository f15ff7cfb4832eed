import { describe, expect, it } from "vitest";
import { SiteListCache } from "../../../collector/api/siteListCache.js";
import { ScopeFilter, type Scope } from "../../../collector/auth/scope.js";
import type { SiteStatus } from "../../../protocol/api.js";

const TOPOLOGY = [
  { id: "tan-phong", links: [{ id: "tslcd", provider: "vnpt" }, { id: "inet", provider: "viettel" }] },
  { id: "bien-hoa", links: [{ id: "tslcd", provider: "vnpt" }, { id: "inet", provider: "fpt" }] },
  { id: "tri-an", links: [{ id: "inet", provider: "viettel" }] },
];

function statusesAt(lastSeenTs: number): SiteStatus[] {
  return TOPOLOGY.map((site) => ({
    id: site.id, name: site.id, address: null, simulated: false, state: "up", lastSeenTs, clockOffsetMs: 0, clockSkewed: false, spool: null, refusedRecords: 0, lastPushVia: null,
    links: site.links.map((l) => ({ id: l.id, kind: "internet", provider: l.provider, state: "up" }) as unknown as SiteStatus["links"][number]),
  }));
}

const province: Scope = { role: "province", actor: "p" };
const vnpt: Scope = { role: "vendor", actor: "v1", provider: "vnpt" };
const viettel: Scope = { role: "vendor", actor: "v2", provider: "viettel" };
const ward: Scope = { role: "ward", actor: "w", site: "bien-hoa" };

function setUp() {
  const clock = { nowMs: 10_000 };
  let builds = 0;
  const cache = new SiteListCache({
    build: () => {
      builds += 1;
      return statusesAt(clock.nowMs);
    },
    filter: new ScopeFilter(TOPOLOGY),
    now: () => clock.nowMs,
    maxAgeMs: 1000,
  });
  const parsed = (scope: Scope) => JSON.parse(cache.forScope(scope).body.toString()) as SiteStatus[];
  return { clock, cache, parsed, builds: () => builds };
}

describe("collector/api/siteListCache", () => {
  it("builds the province's list once per second however many ask, and again once it is a second old", () => {
    const { clock, cache, builds } = setUp();
    for (let i = 0; i < 50; i++) cache.forScope(i % 2 ? province : vnpt);
    expect(builds()).toBe(1);
    clock.nowMs += 999;
    expect(cache.forScope(province).builtAtMs).toBe(10_000);
    clock.nowMs += 1;
    expect(cache.forScope(province).builtAtMs).toBe(11_000);
    expect(builds()).toBe(2);
  });

  it("gives each scope only what it sees, from the same build, whichever scope asked first (no list leaks across scopes)", () => {
    const { parsed, cache } = setUp();
    // A ward first, then vendors, then the province: each answer is its own scope's, not the previous one's.
    expect(parsed(ward).map((s) => s.id)).toEqual(["bien-hoa"]);
    expect(parsed(vnpt).map((s) => [s.id, s.links.map((l) => l.id)])).toEqual([["tan-phong", ["tslcd"]], ["bien-hoa", ["tslcd"]]]);
    expect(parsed(viettel).map((s) => [s.id, s.links.map((l) => l.id)])).toEqual([["tan-phong", ["inet"]], ["tri-an", ["inet"]]]);
    expect(parsed(province).map((s) => s.id)).toEqual(["tan-phong", "bien-hoa", "tri-an"]);
    expect(parsed(ward).map((s) => s.id)).toEqual(["bien-hoa"]);
    // Another ward and another actor of the same vendor: the ward its own site, the vendor the same list.
    expect(parsed({ role: "ward", actor: "w2", site: "tri-an" }).map((s) => s.id)).toEqual(["tri-an"]);
    expect(cache.forScope({ ...vnpt, actor: "someone-else" }).body.equals(cache.forScope(vnpt).body)).toBe(true);
    const etags = [province, vnpt, viettel, ward].map((scope) => cache.forScope(scope).etag);
    expect(new Set(etags).size).toBe(4);
  });

  it("a new build changes every scope's ETag", () => {
    const { clock, cache } = setUp();
    const before = [province, vnpt, ward].map((scope) => cache.forScope(scope).etag);
    clock.nowMs += 1000;
    const after = [province, vnpt, ward].map((scope) => cache.forScope(scope).etag);
    for (let i = 0; i < before.length; i++) expect(after[i]).not.toBe(before[i]);
  });
});
