import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toOfficeSchedule } from "../../../config/calendar/officeSchedule.js";
import { loadWorkingCalendar } from "../../../config/calendar/workingCalendar.js";
import { ConfigError } from "../../../config/loader.js";

const dir = join(import.meta.dirname, "contradictory");
const schedule = toOfficeSchedule({ days: ["mon", "tue", "wed", "thu", "fri"], start: "07:30", end: "17:00" });

describe("config/calendar: a yearly table that contradicts itself is refused at load", () => {
  it.each(readdirSync(dir).filter((name) => name.endsWith(".yaml")))("%s", (name) => {
    const file = join(dir, name);
    const expected = /^# expect: (.*)$/m.exec(readFileSync(file, "utf8"))![1]!;
    let thrown: unknown;
    try {
      loadWorkingCalendar({ schedule, timeZone: "Asia/Ho_Chi_Minh", holidaysFile: file });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toContain(file);
    expect((thrown as ConfigError).message).toContain(expected);
  });

  it("takes the shipped table as it is", () => {
    expect(() => loadWorkingCalendar({ schedule, timeZone: "Asia/Ho_Chi_Minh", holidaysFile: null })).not.toThrow();
  });
});
