import { describe, expect, it } from "vitest";
import { receiversFor, vendorReceiversFor, type RoutableIncident } from "../../../collector/alerts/routing.js";
import { alertingConfig, MONDAY_0800_ICT } from "../../helpers/alertingFixtures.js";
import { WorkingCalendar } from "../../../config/calendar/workingCalendar.js";

const SATURDAY_2200_ICT = Date.parse("2025-01-11T22:00:00+07:00");

const linkDown: RoutableIncident = {
  kind: "link",
  cause: "link_down",
  severity: "major",
  provider: "vnpt",
  linkKind: "dedicated",
  sites: [{ site: "tan-phong", siteName: "Phường Tân Phong", links: ["tslcd"] }],
};
const siteSilent: RoutableIncident = {
  kind: "site",
  cause: "agent_silent",
  severity: "critical",
  provider: null,
  linkKind: null,
  sites: [{ site: "tan-phong", siteName: "Phường Tân Phong", links: [] }],
};
const vnptOutage: RoutableIncident = {
  kind: "provider",
  cause: "provider_outage",
  severity: "critical",
  provider: "vnpt",
  linkKind: null,
  sites: [
    { site: "tan-phong", siteName: "Phường Tân Phong", links: ["tslcd"] },
    { site: "nhon-trach", siteName: "Xã Nhơn Trạch", links: ["tslcd"] },
  ],
};
const collectorDown: RoutableIncident = { kind: "collector", cause: "store_unreachable", severity: "critical", provider: null, linkKind: null, sites: [] };

function routes(routeRules: unknown[]) {
  return alertingConfig({ alerting: { province_receivers: ["province-ict"], routes: routeRules } });
}

describe("routing", () => {
  const config = alertingConfig();

  it("a link incident goes to the province, the link's vendor and the ward, in that order", () => {
    expect(receiversFor(linkDown, config, MONDAY_0800_ICT)).toEqual([
      { receiver: "province-ict", role: "province" },
      { receiver: "vnpt-noc", role: "vendor" },
      { receiver: "ward-it-tan-phong", role: "ward" },
    ]);
  });

  it("a provider incident goes to the vendor and every affected ward", () => {
    expect(receiversFor(vnptOutage, config, MONDAY_0800_ICT).map((r) => r.receiver)).toEqual(["province-ict", "vnpt-noc", "ward-it-tan-phong", "ward-it-nhon-trach"]);
  });

  it("a site incident does not go to any vendor (power or agent), only province and ward", () => {
    expect(receiversFor(siteSilent, config, MONDAY_0800_ICT)).toEqual([
      { receiver: "province-ict", role: "province" },
      { receiver: "ward-it-tan-phong", role: "ward" },
    ]);
    expect(receiversFor({ ...siteSilent, cause: "power_or_agent" }, config, MONDAY_0800_ICT).map((r) => r.role)).not.toContain("vendor");
    expect(receiversFor({ ...siteSilent, cause: "all_links_down" }, config, MONDAY_0800_ICT).map((r) => r.role)).not.toContain("vendor");
  });

  it("a site incident proven to be its links (links_down_while_silent) tells the vendors of those links", () => {
    const proven = { ...siteSilent, cause: "links_down_while_silent" as const };
    // No links listed: every link of the site, so both its providers.
    expect(receiversFor(proven, config, MONDAY_0800_ICT).filter((r) => r.role === "vendor").map((r) => r.receiver)).toEqual(["vnpt-noc", "viettel-noc"]);
    const onlyLeasedLine = { ...proven, sites: [{ site: "tan-phong", siteName: "Phường Tân Phong", links: ["tslcd"] }] };
    expect(vendorReceiversFor(onlyLeasedLine, config)).toEqual(["vnpt-noc"]);
    expect(vendorReceiversFor({ ...onlyLeasedLine, provider: "viettel" }, config)).toEqual(["viettel-noc"]);
  });

  it("the collector's own incident goes to the province only", () => {
    expect(receiversFor(collectorDown, config, MONDAY_0800_ICT)).toEqual([{ receiver: "province-ict", role: "province" }]);
  });

  it("province receivers are told even with no ward contact or vendor receiver", () => {
    const bare = alertingConfig({
      alerting: { province_receivers: ["province-ict", "director"] },
      providers: [{ id: "vnpt", name: "VNPT" }, { id: "viettel", name: "Viettel" }],
    });
    expect(receiversFor(vnptOutage, bare, MONDAY_0800_ICT).map((r) => r.receiver)).toEqual(["province-ict", "director", "ward-it-tan-phong", "ward-it-nhon-trach"]);
  });

  it("deduplicates, keeping the first role", () => {
    const config = alertingConfig({
      alerting: { province_receivers: ["province-ict", "vnpt-noc"], routes: [{ match: { kind: ["link"] }, receivers: ["ward-it-tan-phong", "oncall", "oncall"] }] },
    });
    expect(receiversFor(linkDown, config, MONDAY_0800_ICT)).toEqual([
      { receiver: "province-ict", role: "province" },
      { receiver: "vnpt-noc", role: "province" },
      { receiver: "ward-it-tan-phong", role: "ward" },
      { receiver: "oncall", role: "rule" },
    ]);
  });

  it("a rule adds its receivers only when every given field matches", () => {
    const rule = (match: Record<string, unknown>) => receiversFor(linkDown, routes([{ match, receivers: ["oncall"] }]), MONDAY_0800_ICT).some((r) => r.role === "rule");
    expect(rule({})).toBe(true);
    expect(rule({ kind: ["link", "provider"] })).toBe(true);
    expect(rule({ kind: ["site"] })).toBe(false);
    expect(rule({ provider: ["vnpt"] })).toBe(true);
    expect(rule({ provider: ["viettel"] })).toBe(false);
    expect(rule({ site: ["nhon-trach", "tan-phong"] })).toBe(true);
    expect(rule({ site: ["nhon-trach"] })).toBe(false);
    expect(rule({ link_kind: ["dedicated"] })).toBe(true);
    expect(rule({ link_kind: ["internet"] })).toBe(false);
    expect(rule({ severity: ["major", "critical"] })).toBe(true);
    expect(rule({ severity: ["critical"] })).toBe(false);
    expect(rule({ kind: ["link"], provider: ["vnpt"], severity: ["minor"] })).toBe(false);
  });

  it("a rule's site matches any of a provider incident's sites; provider and link_kind never match null", () => {
    const config = routes([
      { match: { site: ["nhon-trach"] }, receivers: ["oncall"] },
      { match: { link_kind: ["dedicated"] }, receivers: ["director"] },
    ]);
    expect(receiversFor(vnptOutage, config, MONDAY_0800_ICT).filter((r) => r.role === "rule").map((r) => r.receiver)).toEqual(["oncall"]);
    const siteConfig = routes([{ match: { provider: ["vnpt"] }, receivers: ["oncall"] }]);
    expect(receiversFor(siteSilent, siteConfig, MONDAY_0800_ICT).some((r) => r.role === "rule")).toBe(false);
  });

  it("office_hours rules follow the province clock at the given time", () => {
    const config = routes([
      { match: { office_hours: false }, receivers: ["oncall"] },
      { match: { office_hours: true, kind: ["link"] }, receivers: ["director"] },
    ]);
    const ruleReceivers = (nowMs: number) => receiversFor(linkDown, config, nowMs).filter((r) => r.role === "rule").map((r) => r.receiver);
    expect(ruleReceivers(MONDAY_0800_ICT)).toEqual(["director"]);
    expect(ruleReceivers(SATURDAY_2200_ICT)).toEqual(["oncall"]);
    expect(ruleReceivers(Date.parse("2025-01-06T17:30:00+07:00"))).toEqual(["oncall"]);
    // A holiday is outside office hours.
    const holidayMonday = new WorkingCalendar({
      schedule: config.officeHours,
      timeZone: config.province.timezone,
      holidays: { holidays: [], years: { "2025": { days: [{ date: { year: 2025, month: 1, day: 6 }, kind: "holiday", name: "Ngày nghỉ thử", notice: "test" }] } } },
    });
    expect(receiversFor(linkDown, config, MONDAY_0800_ICT, holidayMonday).filter((r) => r.role === "rule").map((r) => r.receiver)).toEqual(["oncall"]);
  });

  it("a site's contacts come from configuration; an unknown site adds none", () => {
    const elsewhere = { ...linkDown, sites: [{ site: "bien-hoa", siteName: "Biên Hòa", links: ["tslcd"] }] };
    expect(receiversFor(elsewhere, config, MONDAY_0800_ICT).map((r) => r.receiver)).toEqual(["province-ict", "vnpt-noc"]);
  });
});
