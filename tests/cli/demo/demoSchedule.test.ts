import { describe, expect, it } from "vitest";
import { DEMO_CYCLE_MS, inRanges, scriptFor } from "../../../cli/demo/demoSchedule.js";
import { demoSites, demoSitesYaml } from "../../../cli/demo/demoProvince.js";
import { linkFailsAt } from "../../../simulator/siteModel.js";

const ORIGIN = Date.parse("2026-12-03T08:00:00Z");
const SITES = 36;

describe("cli/demo: the simulated province's script", () => {
  const scripts = Array.from({ length: SITES }, (_, index) =>
    scriptFor({ index, inetProvider: ["viettel", "fpt", "vnpt"][index % 3]! }, SITES, ["fpt", "viettel"], ORIGIN, ORIGIN - 3_600_000, ORIGIN + 4 * DEMO_CYCLE_MS),
  );

  it("fails a link within the first minute, and every failure ends", () => {
    const first = Math.min(...scripts.flatMap((s) => s.failures.map((f) => f.fromTs)).filter((ts) => ts >= ORIGIN));
    expect(first - ORIGIN).toBeLessThan(60_000);
    for (const script of scripts) for (const failure of script.failures) expect(failure.untilTs).not.toBeNull();
  });

  it("has a provider outage in the first cycle: every FPT Internet link fails together, and no other provider's", () => {
    const at = ORIGIN + 90_000;
    const failing = scripts.map((s, index) => ({ index, failing: s.failures.some((f) => f.link === "inet" && at >= f.fromTs && at < f.untilTs!) }));
    const fptSites = failing.filter(({ index }) => index % 3 === 1);
    expect(fptSites.every(({ failing: f }) => f)).toBe(true);
    expect(failing.filter(({ index }) => index % 3 === 0).some(({ failing: f }) => f)).toBe(false);
  });

  it("turns one site's power off each cycle, and gives every site time with both links up", () => {
    const off = scripts.filter((s) => inRanges(s.powerOff, ORIGIN + 400_000));
    expect(off).toHaveLength(1);
    const models = demoSites(ORIGIN);
    for (const { model } of models) {
      const upSomewhere = Array.from({ length: 60 }, (_, i) => ORIGIN + i * 10_000).some((ts) => !linkFailsAt(model, "tslcd", ts) && !linkFailsAt(model, "inet", ts));
      expect(upSomewhere, model.id).toBe(true);
    }
  });

  it("writes sites the collector file marks simulated, with an area and both links", () => {
    const yaml = demoSitesYaml(demoSites(ORIGIN).slice(0, 2));
    expect(yaml).toContain("simulated: true");
    expect(yaml).toContain("(mô phỏng)");
    expect(yaml.match(/- \{ id: (tslcd|inet),/g)).toHaveLength(4);
  });
});
