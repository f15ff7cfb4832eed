import { describe, expect, it } from "vitest";
import { desiredIncidents } from "../../../collector/incidents/incidentRules.js";
import type { LinkView, SiteView } from "../../../collector/incidents/siteView.js";
import type { LinkStateName } from "../../../protocol/linkState.js";

const TZ = "Asia/Ho_Chi_Minh";
const POLICY = { minSites: 3, minPct: 50, windowMs: 300_000 };
const T0 = Date.parse("2026-11-24T02:12:00Z"); // 09:12 in UTC+7

function link(id: "tslcd" | "inet", state: LinkStateName, sinceTs = T0, provider = id === "tslcd" ? "vnpt" : "viettel"): LinkView {
  return { id, kind: id === "tslcd" ? "dedicated" : "internet", provider, providerName: provider === "vnpt" ? "VNPT" : "Viettel", circuit: `${id.toUpperCase()}-1`, state, sinceTs, lossPct: state === "down" ? 100 : 0, rttMs: state === "down" ? null : 12 };
}

function site(id: string, tslcd: LinkStateName, inet: LinkStateName, overrides: Partial<SiteView> = {}): SiteView {
  return { id, name: `Phường ${id}`, state: "up", lastSeenTs: T0 + 60_000, backfillPending: false, lastPushVia: "inet", links: [link("tslcd", tslcd), link("inet", inet)], ...overrides };
}

describe("collector/incidents/incidentRules", () => {
  it("one link down at an otherwise reachable site: one link incident with the proof", () => {
    const [incident, ...rest] = desiredIncidents([site("a", "down", "up", { state: "degraded" })], POLICY, new Set(), TZ);
    expect(rest).toEqual([]);
    expect(incident).toMatchObject({ key: "link:a:tslcd", kind: "link", cause: "link_down", severity: "major", provider: "vnpt", circuit: "TSLCD-1", summary: "Mất kết nối TSLCD tại Phường a", startTs: T0 });
    expect(incident!.evidence[0]).toBe("TSLCD: tỷ lệ mất gói 100%, không có phản hồi, từ 09:12 24/11/2026");
    expect(incident!.evidence[1]).toContain("vẫn gửi báo cáo qua Internet Viettel");
  });

  it("a degraded link is a minor link incident", () => {
    expect(desiredIncidents([site("a", "degraded", "up", { state: "degraded" })], POLICY, new Set(), TZ)).toMatchObject([{ cause: "link_degraded", severity: "minor" }]);
  });

  it("every link down is one site incident, not one per link", () => {
    expect(desiredIncidents([site("a", "down", "down", { state: "down" })], POLICY, new Set(), TZ)).toMatchObject([{ key: "site:a", kind: "site", cause: "all_links_down" }]);
  });

  it("a silent site is one site incident from its last push", () => {
    expect(desiredIncidents([site("a", "up", "up", { state: "silent" })], POLICY, new Set(), TZ)).toMatchObject([{ key: "site:a", cause: "agent_silent", startTs: T0 + 60_000 }]);
  });

  it("the same provider's link down at 5 sites in one burst is one provider incident listing them", () => {
    const sites = ["a", "b", "c", "d", "e"].map((id) => site(id, "down", "up", { state: "degraded" }));
    const incidents = desiredIncidents(sites, POLICY, new Set(), TZ);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ key: "provider:vnpt", kind: "provider", cause: "provider_outage", severity: "critical", summary: "Sự cố diện rộng của nhà mạng VNPT: 5 trạm mất kết nối" });
    expect(incidents[0]!.sites.map((s) => s.site)).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("downs spread over more than the window are separate link incidents", () => {
    const sites = ["a", "b", "c"].map((id, i) => ({ ...site(id, "down", "up", { state: "degraded" }), links: [link("tslcd", "down", T0 + i * 400_000), link("inet", "up")] }));
    expect(desiredIncidents(sites, POLICY, new Set(), TZ).map((i) => i.kind)).toEqual(["link", "link", "link"]);
  });

  it("a provider incident already open keeps absorbing its links while any is down", () => {
    const incidents = desiredIncidents([site("a", "down", "up", { state: "degraded" })], POLICY, new Set(["vnpt"]), TZ);
    expect(incidents).toMatchObject([{ key: "provider:vnpt" }]);
  });

  it("sites not yet reporting raise nothing", () => {
    expect(desiredIncidents([site("a", "unknown", "unknown", { state: "unknown", lastSeenTs: null })], POLICY, new Set(), TZ)).toEqual([]);
  });
});
