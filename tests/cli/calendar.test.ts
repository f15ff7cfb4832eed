import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runWardwatchOnce } from "../helpers/processes.js";
import { collectorYaml } from "../helpers/collectorHarness.js";

describe("cli/calendar (wardwatch calendar, the built command)", () => {
  const dir = mkdtempSync(join(tmpdir(), "ww-calendar-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lists 2027's holidays with weekday, name and lunar date, the substitute days, and the office hours", async () => {
    const result = await runWardwatchOnce(["calendar", "--year", "2027"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("Lịch làm việc năm 2027 — mặc định, cơ quan nhà nước (múi giờ Asia/Ho_Chi_Minh)");
    expect(lines[1]).toBe("Thông báo: expected; not yet announced: the days are those of the rules above");
    expect(lines.find((l) => l.includes("06/02/2027"))).toMatch(/^ {2}06\/02\/2027 {2}Thứ Bảy +Nghỉ lễ +Tết Nguyên đán \(mùng 1 Tết\), +âm lịch 1\/1$/);
    expect(lines.find((l) => l.includes("10/02/2027"))).toMatch(/Thứ Tư +Nghỉ bù +Nghỉ bù Tết Nguyên đán \(mùng 1 Tết\), Thứ Bảy 06\/02\/2027, +âm lịch 5\/1$/);
    expect(lines.find((l) => l.includes("16/04/2027"))).toMatch(/Thứ Sáu +Nghỉ lễ +Giỗ Tổ Hùng Vương, +âm lịch 10\/3$/);
    expect(lines.filter((l) => /^ {2}\d\d\/\d\d\/2027/.test(l))).toHaveLength(14);
    expect(lines).toContain("  Cả năm: Thứ Hai – Thứ Sáu, 07:30–17:00");
  });

  it("with --config: the province's seasons, time zone and holiday file (a make-up Saturday with its notice)", async () => {
    const holidays = join(dir, "holidays.yaml");
    writeFileSync(holidays, ["years:", "  2027:", "    days:", '      - { date: "13/02/2027", kind: makeup, name: "Làm bù sau Tết", notice: "Thông báo của UBND tỉnh (thử)" }'].join("\n"));
    const config = join(dir, "collector.yaml");
    const seasons = [
      "office_hours:",
      "  seasons:",
      '    - { name: "Mùa hè", from: "15/04", until: "14/10", hours: ["07:00-11:30", "13:30-17:00"] }',
      '    - { name: "Mùa đông", from: "15/10", until: "14/04", hours: ["07:30-11:30", "13:00-17:00"] }',
      `calendar: { holidays_file: ${JSON.stringify(holidays)} }`,
    ].join("\n");
    writeFileSync(config, collectorYaml(["tan-phong"], seasons));
    const result = await runWardwatchOnce(["calendar", "--year", "2027", "--config", config]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ {2}13\/02\/2027 {2}Thứ Bảy +Làm bù +Làm bù sau Tết, +âm lịch 8\/1 — theo Thông báo của UBND tỉnh \(thử\)\n/);
    expect(result.stdout).toContain("  Mùa hè (15/04 – 14/10): Thứ Hai – Thứ Sáu, 07:00–11:30, 13:30–17:00\n  Mùa đông (15/10 – 14/04): Thứ Hai – Thứ Sáu, 07:30–11:30, 13:00–17:00\n");
  });

  it("a bad holiday file exits 1 naming file, line and key, in calendar and in check-config", async () => {
    const holidays = join(dir, "bad-holidays.yaml");
    writeFileSync(holidays, ["years:", "  2027:", "    days:", '      - { date: "31/02/2027", kind: makeup, name: "Làm bù", notice: "thử" }'].join("\n"));
    const config = join(dir, "collector-bad-holidays.yaml");
    writeFileSync(config, collectorYaml(["tan-phong"], `calendar: { holidays_file: ${JSON.stringify(holidays)} }`));
    for (const args of [["calendar", "--year", "2027", "--config", config], ["check-config", config]]) {
      const result = await runWardwatchOnce(args);
      expect(result.code, args[0]).toBe(1);
      expect(result.stderr, args[0]).toContain(`${holidays}:4:`);
      expect(result.stderr, args[0]).toContain("years.2027.days[0].date: '31/02/2027' is not a date dd/mm/yyyy (e.g. 10/01/2026)");
    }
  });

  it("a year outside 1900–2100 is a usage error", async () => {
    for (const year of ["2101", "27", "abcd"]) {
      const result = await runWardwatchOnce(["calendar", "--year", year]);
      expect(result.code, year).toBe(1);
      expect(result.stderr, year).toContain(`--year must be a year from 1900 to 2100, got '${year}'`);
    }
  });
});
