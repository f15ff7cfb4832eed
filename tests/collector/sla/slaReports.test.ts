import { afterEach, describe, expect, it } from "vitest";
import type { NewIncident } from "../../../collector/incidents/incidentStore.js";
import { HOUR_MS, rounds, site, slaSetup, vn, type Pattern } from "./slaHarness.js";

const open: Array<ReturnType<typeof slaSetup>> = [];
afterEach(async () => {
  for (const setup of open.splice(0)) await setup.close();
});

/** A setup whose site `a` sent `pattern`'s rounds over [fromTs, toTs), replayed up to `toTs`. */
async function replayed(fromTs: number, toTs: number, pattern: Pattern, options: Omit<Parameters<typeof slaSetup>[0], "startMs"> = {}) {
  const setup = slaSetup({ ...options, startMs: fromTs });
  open.push(setup);
  await setup.write(rounds("a", fromTs, toTs, pattern));
  await setup.refreshAt(toTs);
  return setup;
}

const up: Pattern = () => true;
const tslcdDownBetween = (fromTs: number, toTs: number): Pattern => (link, ts) => link !== "tslcd" || ts < fromTs || ts >= toTs;

function siteIncident(startTs: number): NewIncident {
  return { key: "site:a", kind: "site", cause: "agent_silent", severity: "critical", provider: null, providerName: null, link: null, linkKind: null, circuit: null, sites: [{ site: "a", siteName: "A", links: ["tslcd", "inet"] }], summary: "s", evidence: [], startTs, detectedTs: startTs + 30_000 };
}

describe("SLA reports", () => {
  it("count a maintenance window as excluded, not down, for its provider's links only", async () => {
    const from = vn("2026-03-02T00:00");
    const to = vn("2026-03-03T00:00");
    const setup = await replayed(from, to, tslcdDownBetween(vn("2026-03-02T22:00"), vn("2026-03-02T23:00")), {
      maintenance: [{ id: "w", provider: "vnpt", sites: null, startTs: vn("2026-03-02T21:30"), endTs: vn("2026-03-02T23:30"), reason: null }],
    });
    const report = await setup.reports.report("2026-03", { kind: "all" });
    const tslcd = report.circuits.find((c) => c.link === "tslcd")!;
    const inet = report.circuits.find((c) => c.link === "inet")!;
    expect(tslcd.allHours.excludedMs).toBe(2 * HOUR_MS);
    expect(tslcd.allHours.downMs).toBe(0);
    expect(tslcd.outages).toBe(0);
    expect(tslcd.allHours.availabilityPct).toBe(100);
    expect(inet.allHours.excludedMs).toBe(0);
  });

  it("count an outage the incident engine put down to the site's power as excluded", async () => {
    const from = vn("2026-03-01T00:00");
    const to = vn("2026-03-03T00:00");
    // The agent was off 10:00–12:00: no rounds at all, then classified power_or_agent after its backfill.
    const setup = await replayed(from, to, (_link, ts) => (ts >= vn("2026-03-02T10:00") && ts < vn("2026-03-02T12:00") ? null : true));
    const before = await setup.reports.report("2026-03", { kind: "all" });
    expect(before.circuits[0]!.allHours.unknownMs).toBe(2 * HOUR_MS - 110_000); // the last round, at 09:59:50, stands for 2 min
    const opened = setup.metadata.incidents.openIncident(siteIncident(vn("2026-03-02T10:00")));
    setup.metadata.incidents.updateIncident(opened.id, { cause: "power_or_agent", restoredTs: vn("2026-03-02T12:00"), endTs: vn("2026-03-02T12:05") });
    const after = await setup.reports.report("2026-03", { kind: "all" });
    for (const circuit of after.circuits) {
      expect(circuit.allHours.excludedMs).toBe(2 * HOUR_MS);
      expect(circuit.allHours.unknownMs).toBe(0);
      expect(circuit.allHours.downMs).toBe(0);
    }
  });

  it("count a silent gap never backfilled as unknown: not against the vendor, and shown in the coverage", async () => {
    const from = vn("2026-03-01T00:00");
    const to = vn("2026-03-03T00:00");
    const setup = await replayed(from, to, (_link, ts) => (ts >= vn("2026-03-02T06:00") && ts < vn("2026-03-02T12:00") ? null : true));
    const tslcd = (await setup.reports.report("2026-03", { kind: "all" })).circuits.find((c) => c.link === "tslcd")!;
    expect(tslcd.allHours.unknownMs).toBe(6 * HOUR_MS - 110_000);
    expect(tslcd.allHours.downMs).toBe(0);
    expect(tslcd.allHours.availabilityPct).toBe(100);
    expect(tslcd.allHours.coveragePct).toBeCloseTo(((to - from - 6 * HOUR_MS + 110_000) / (to - from)) * 100, 2);
    expect(tslcd.met).toBe(true);
  });

  it("split months at local midnight (UTC+7): an outage across the boundary counts in both months, clipped", async () => {
    const from = vn("2026-03-31T20:00");
    const to = vn("2026-04-01T04:00");
    const setup = await replayed(from, to, tslcdDownBetween(vn("2026-03-31T23:00"), vn("2026-04-01T01:00")));
    const march = await setup.reports.report("2026-03", { kind: "all" });
    const april = await setup.reports.report("2026-04", { kind: "all" });
    expect(march.fromTs).toBe(Date.parse("2026-02-28T17:00:00Z"));
    expect(march.toTs).toBe(Date.parse("2026-03-31T17:00:00Z"));
    const inMarch = march.circuits.find((c) => c.link === "tslcd")!;
    const inApril = april.circuits.find((c) => c.link === "tslcd")!;
    expect(inMarch.outageList).toEqual([{ startTs: vn("2026-03-31T23:00"), endTs: vn("2026-04-01T00:00") }]);
    expect(inApril.outageList).toEqual([{ startTs: vn("2026-04-01T00:00"), endTs: vn("2026-04-01T01:00") }]);
    expect(inMarch.allHours.upMs + inMarch.allHours.downMs).toBe(4 * HOUR_MS);
    expect(april.throughTs).toBe(to);
    expect(march.partial).toBe(false);
  });

  it("count office hours (Mon–Fri 07:30–17:00) apart, and compare availability with the provider's target", async () => {
    // Monday 2 March 2026: tslcd down 07:00–08:00 (30 min of it in office hours) and 20:00–21:00 (none).
    const from = vn("2026-03-02T00:00");
    const to = vn("2026-03-03T00:00");
    const setup = await replayed(from, to, (link, ts) => link !== "tslcd" || !((ts >= vn("2026-03-02T07:00") && ts < vn("2026-03-02T08:00")) || (ts >= vn("2026-03-02T20:00") && ts < vn("2026-03-02T21:00"))));
    const report = await setup.reports.report("2026-03", { kind: "all" });
    const tslcd = report.circuits.find((c) => c.link === "tslcd")!;
    expect(tslcd.officeHours.downMs).toBe(30 * 60_000);
    expect(tslcd.officeHours.upMs).toBe(9 * HOUR_MS);
    expect(tslcd.allHours.downMs).toBe(2 * HOUR_MS);
    expect(tslcd.outages).toBe(2);
    expect(tslcd.targetPct).toBe(99.5);
    expect(tslcd.met).toBe(false);
    const vnpt = report.providers.find((p) => p.provider === "vnpt")!;
    expect(vnpt).toMatchObject({ circuits: 1, outages: 2, outageMs: 2 * HOUR_MS, targetPct: 99.5, met: false });
    const viettel = report.providers.find((p) => p.provider === "viettel")!;
    expect(viettel).toMatchObject({ circuits: 1, outages: 0, targetPct: 99, met: true });
  });

  it("cut the report to a provider's circuits or a site's, with MTTA and MTTR from the incidents that concern them", async () => {
    const from = vn("2026-03-02T00:00");
    const to = vn("2026-03-02T12:00");
    const setup = slaSetup({ startMs: from, sites: [site("a"), site("b")] });
    open.push(setup);
    await setup.write([...rounds("a", from, to, tslcdDownBetween(vn("2026-03-02T09:00"), vn("2026-03-02T10:00"))), ...rounds("b", from, to, up)]);
    await setup.refreshAt(to);
    const incidents = setup.metadata.incidents;
    const opened = incidents.openIncident({ key: "link:a:tslcd", kind: "link", cause: "link_down", severity: "major", provider: "vnpt", providerName: "VNPT", link: "tslcd", linkKind: "dedicated", circuit: "TSL-a", sites: [{ site: "a", siteName: "A", links: ["tslcd"] }], summary: "s", evidence: [], startTs: vn("2026-03-02T09:00"), detectedTs: vn("2026-03-02T09:00") + 30_000 });
    incidents.updateIncident(opened.id, { notifiedTs: vn("2026-03-02T09:01"), acknowledgedTs: vn("2026-03-02T09:11"), restoredTs: vn("2026-03-02T10:00"), endTs: vn("2026-03-02T10:01") });
    const vendor = await setup.reports.report("2026-03", { kind: "provider", provider: "vnpt" });
    expect(vendor.circuits.map((c) => `${c.site}/${c.link}`)).toEqual(["a/tslcd", "b/tslcd"]);
    expect(vendor.providers.map((p) => p.provider)).toEqual(["vnpt"]);
    expect(vendor.providers[0]!.response).toEqual({ incidents: 1, acknowledged: 1, mttaMs: 10 * 60_000, mttrMs: HOUR_MS });
    expect(vendor.circuits[0]!.response.mttrMs).toBe(HOUR_MS);
    expect(vendor.circuits[1]!.response.incidents).toBe(0);
    const siteB = await setup.reports.report("2026-03", { kind: "site", site: "b" });
    expect(siteB.circuits.map((c) => c.site)).toEqual(["b", "b"]);
    expect(siteB.providers.find((p) => p.provider === "vnpt")!.response.incidents).toBe(0);
  });
});
