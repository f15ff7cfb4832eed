import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { holidayFileSchema, loadHolidays, SHIPPED_HOLIDAYS_FILE } from "../../../config/calendar/holidayData.js";
import { ConfigError } from "../../../config/loader.js";

const invalidDir = join(import.meta.dirname, "invalid");

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("holidayData", () => {
  it("the shipped table is valid and holds the Labour Code's holidays", () => {
    const shipped = loadHolidays(null);
    expect(shipped.holidays.map((rule) => rule.id)).toEqual(["new-year", "tet", "hung-kings", "victory-day", "labour-day", "national-day", "national-day-2"]);
    expect(Object.keys(shipped.years)).toEqual(expect.arrayContaining(["2025", "2026", "2027"]));
  });

  const fixtures = readdirSync(invalidDir).filter((name) => name.endsWith(".yaml"));
  it.each(fixtures)("a province file invalid/%s is refused naming file, line and key", (name) => {
    const file = join(invalidDir, name);
    const expected = /^# expect: (.+)$/m.exec(readFileSync(file, "utf8"))![1]!;
    const err = errorOf(() => loadHolidays(file));
    expect(err.message).toContain(expected);
    expect(err.message).toContain(file);
    // The line of the entry at fault, not of the file's start (fixtures put it after the comment and a key).
    expect(err.problems[0]!.line).toBeGreaterThan(1);
  });

  it("a province file adds a holiday, replaces a rule by id and a year's days by date", () => {
    const dir = mkdtempSync(join(tmpdir(), "wardwatch-holidays-"));
    const file = join(dir, "province.yaml");
    writeFileSync(
      file,
      [
        "holidays:",
        '  - { id: culture-day, name: "Ngày Văn hóa Việt Nam", solar: "24/11", since: 2026 }',
        '  - { id: national-day-2, name: "Quốc khánh (ngày liền kề)", next_to: "02/09", pick: after, since: 2021 }',
        "years:",
        "  2026:",
        "    days:",
        '      - { date: "10/01/2026", kind: workday, name: "Không làm bù", notice: "Thông báo của tỉnh (thử)" }',
      ].join("\n"),
    );
    const merged = loadHolidays(file);
    expect(merged.holidays.find((rule) => rule.id === "culture-day")?.solar).toEqual({ day: 24, month: 11 });
    expect(merged.holidays.find((rule) => rule.id === "national-day-2")?.pick).toBe("after");
    expect(merged.holidays.filter((rule) => rule.id === "national-day-2")).toHaveLength(1);
    const days2026 = merged.years["2026"]!.days;
    expect(days2026.filter((d) => d.date.day === 10 && d.date.month === 1).map((d) => d.kind)).toEqual(["workday"]);
    expect(days2026.some((d) => d.date.day === 2 && d.date.month === 1 && d.kind === "swapped")).toBe(true);
    expect(merged.years["2026"]!.tet?.notice).toContain("9441/TB-BNV");
  });

  it("a missing province file is named", () => {
    expect(errorOf(() => loadHolidays("/nonexistent/holidays.yaml")).message).toContain("/nonexistent/holidays.yaml: cannot read");
    expect(SHIPPED_HOLIDAYS_FILE.endsWith("vn-holidays.yaml")).toBe(true);
  });

  it("a year outside 1900–2100 is refused", () => {
    const result = holidayFileSchema.safeParse({ years: { "2200": {} } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("the calendar covers 1900–2100");
  });
});
