import { afterEach, describe, expect, it } from "vitest";
import { slaReportCsv } from "../../../collector/sla/slaCsv.js";
import { rounds, site, slaSetup, vn } from "./slaHarness.js";

const open: Array<ReturnType<typeof slaSetup>> = [];
afterEach(async () => {
  for (const setup of open.splice(0)) await setup.close();
});

describe("SLA CSV", () => {
  it("quotes commas, quotes and newlines, and defuses text a spreadsheet would run as a formula", async () => {
    const names = ['=HYPERLINK("http://x.example")', "\t=1+1", "+84 phường", "@sum", 'Phường "A", khu 1\nmới'];
    const sites = names.map((name, i) => ({ ...site(`s${i}`), name }));
    const setup = slaSetup({ sites, startMs: vn("2026-11-10T00:00") });
    open.push(setup);
    for (const s of sites) await setup.write(rounds(s.id, vn("2026-11-10T00:00"), vn("2026-11-10T01:00"), () => true));
    await setup.refreshAt(vn("2026-11-10T02:00"));
    const csv = slaReportCsv(await setup.reports.report("2026-11", { kind: "all" }));
    expect(csv).toContain(`"'=HYPERLINK(""http://x.example"")"`);
    expect(csv).toContain("'\t=1+1");
    expect(csv).toContain("'+84 phường");
    expect(csv).toContain("'@sum");
    expect(csv).toContain('"Phường ""A"", khu 1\nmới"');
    for (const line of csv.split("\r\n")) expect(line).not.toMatch(/(^|,)[=+@\t]/);
  });
});
