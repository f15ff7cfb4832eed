import { describe, expect, it } from "vitest";
import { ScopeFilter } from "../../../collector/auth/scope.js";
import type { SiteStatus } from "../../../protocol/api.js";

const filter = new ScopeFilter([{ id: "tan-phong", links: [{ id: "tslcd", provider: "vnpt" }, { id: "inet", provider: "fpt" }] }]);
const link = (id: string, state: SiteStatus["links"][number]["state"]) => ({ id, kind: id === "tslcd" ? "dedicated" : "internet", provider: id === "tslcd" ? "vnpt" : "fpt", circuit: id, state, flapping: false, lastSampleTs: 1, rttAvgMs: 5, lossPct: 0 }) as SiteStatus["links"][number];
const status = (state: SiteStatus["state"], tslcd: SiteStatus["links"][number]["state"], inet: SiteStatus["links"][number]["state"], lastPushVia: string | null): SiteStatus =>
  ({ id: "tan-phong", name: "Tân Phong", address: null, simulated: false, state, lastSeenTs: 1, clockOffsetMs: 0, clockSkewed: false, spool: null, refusedRecords: 0, lastPushVia, links: [link("tslcd", tslcd), link("inet", inet)] }) as SiteStatus;

describe("collector/auth/scope ScopeFilter.siteStatus for a vendor", () => {
  const vnpt = { role: "vendor", actor: "vnpt", provider: "vnpt" } as const;

  it("shows the site's state as its own links make it: another provider's outage does not show through", () => {
    const seen = filter.siteStatus(vnpt, status("degraded", "up", "down", "inet"))!;
    expect(seen.links.map((l) => l.id)).toEqual(["tslcd"]);
    expect(seen.state).toBe("up");
    expect(seen.lastPushVia).toBeNull();
  });

  it("keeps its own link's outage, the push link when it is its own, and silence as it is", () => {
    expect(filter.siteStatus(vnpt, status("degraded", "down", "up", "inet"))!.state).toBe("down");
    expect(filter.siteStatus(vnpt, status("up", "up", "up", "tslcd"))!.lastPushVia).toBe("tslcd");
    expect(filter.siteStatus(vnpt, status("silent", "up", "down", null))!.state).toBe("silent");
  });

  it("gives the province the whole status unchanged", () => {
    const whole = status("degraded", "up", "down", "inet");
    expect(filter.siteStatus({ role: "province", actor: "tinh" }, whole)).toBe(whole);
  });
});
