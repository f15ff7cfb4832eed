import { afterEach, describe, expect, it } from "vitest";
import { HOUR_MS, rounds, site, slaSetup, vn } from "./slaHarness.js";

const open: Array<ReturnType<typeof slaSetup>> = [];
afterEach(async () => {
  for (const setup of open.splice(0)) await setup.close();
});

describe("SLA refresher: where a site's days start", () => {
  it("stores nothing for a site that never measured, and starts it at the day of its first sample (a backfill's oldest)", async () => {
    const setup = slaSetup({ sites: [site("a"), site("b")], startMs: vn("2026-11-20T12:00") });
    open.push(setup);
    await setup.refreshAt(vn("2026-11-20T12:00"));
    expect(setup.refresher.throughTs("a")).toBeNull();
    expect(setup.days.ranges().size).toBe(0);

    // Site a comes back with 72 h of backlog: its days start on the day of the oldest sample, not on the 1st of last month.
    await setup.write(rounds("a", vn("2026-11-17T12:00"), vn("2026-11-20T12:00"), () => true));
    await setup.refreshAt(vn("2026-11-20T12:05"));
    expect(setup.days.ranges().get("a")?.firstDay).toBe("2026-11-17");
    expect(setup.refresher.throughTs("a")).toBe(vn("2026-11-20T12:05"));
    expect(setup.refresher.throughTs("b")).toBeNull();
    const report = await setup.reports.report("2026-11", { kind: "site", site: "a" });
    const tslcd = report.circuits.find((c) => c.link === "tslcd")!;
    // The last round (11:59:50) stands for the link for at most max_round_gap (2 min) after it.
    expect(tslcd.allHours.upMs).toBe(72 * HOUR_MS + 110_000);
  });
});

describe("SLA verdict", () => {
  it("gives no verdict for a circuit seen too little of the month (coverage under sla.min_coverage_pct)", async () => {
    // Site a measured 3 days of November, up throughout: 100 % available, but 10 % of the month seen.
    const setup = slaSetup({ sites: [site("a")], startMs: vn("2026-11-20T12:00"), minCoveragePct: 90 });
    open.push(setup);
    await setup.write(rounds("a", vn("2026-11-01T00:00"), vn("2026-11-04T00:00"), () => true));
    await setup.refreshAt(vn("2026-12-01T00:10"));
    const report = await setup.reports.report("2026-11", { kind: "all" });
    const tslcd = report.circuits.find((c) => c.link === "tslcd")!;
    expect(tslcd.allHours.availabilityPct).toBe(100);
    expect(tslcd.allHours.coveragePct).toBeLessThan(90);
    expect(tslcd.met).toBeNull();
    expect(report.providers.find((p) => p.provider === "vnpt")!.met).toBeNull();
  });
});
