import { describe, expect, it } from "vitest";
import { LocalCalendar } from "../../../collector/sla/localCalendar.js";
import { OfficeMask, calendarOfficeTime } from "../../../collector/sla/officeMask.js";
import { toOfficeSchedule } from "../../../config/calendar/officeSchedule.js";
import { WorkingCalendar, loadWorkingCalendar } from "../../../config/calendar/workingCalendar.js";
import { OFFICE_HOURS, TZ, vn } from "./slaHarness.js";

describe("SLA office time", () => {
  const calendar = new LocalCalendar(TZ);

  it("answers as the working calendar does (holidays, substitute days, lunch break, seasons), over months minute by minute", () => {
    const schedules = [
      toOfficeSchedule(OFFICE_HOURS),
      toOfficeSchedule({ days: OFFICE_HOURS.days, hours: [{ startMinute: 7 * 60, endMinute: 11 * 60 + 30 }, { startMinute: 13 * 60 + 30, endMinute: 17 * 60 }] }),
    ];
    for (const schedule of schedules) {
      const working = loadWorkingCalendar({ schedule, timeZone: TZ, holidaysFile: null });
      const fast = calendarOfficeTime(working, calendar);
      for (const month of ["2026-02", "2026-04", "2026-09"]) {
        const { fromTs, toTs } = calendar.monthBounds(month);
        const differing: number[] = [];
        for (let ts = fromTs; ts < toTs; ts += 60_000 * 7) if (fast(ts) !== working.isOfficeTime(ts)) differing.push(ts);
        expect(differing).toEqual([]);
      }
    }
  });

  it("gives the office time of any stretch of the month, to the ms", async () => {
    const { fromTs, toTs } = calendar.monthBounds("2026-03");
    const mask = await OfficeMask.build(fromTs, toTs, calendarOfficeTime(new WorkingCalendar({ schedule: toOfficeSchedule(OFFICE_HOURS), timeZone: TZ }), calendar));
    // Monday 2 March: 07:30–17:00 is office time; Sunday 1 March none.
    expect(mask.officeMs(vn("2026-03-02T00:00"), vn("2026-03-03T00:00"))).toBe(9.5 * 3_600_000);
    expect(mask.officeMs(vn("2026-03-01T00:00"), vn("2026-03-02T00:00"))).toBe(0);
    expect(mask.officeMs(vn("2026-03-02T07:29") + 30_500, vn("2026-03-02T07:31") + 15_000)).toBe(75_000);
    // 22 working days in March 2026.
    expect(mask.officeMs(fromTs, toTs)).toBe(22 * 9.5 * 3_600_000);
  });

  it("cuts months at local midnight", () => {
    expect(calendar.monthBounds("2026-12")).toEqual({ fromTs: Date.parse("2026-11-30T17:00:00Z"), toTs: Date.parse("2026-12-31T17:00:00Z") });
    expect(calendar.dayKeyOf(Date.parse("2026-11-30T16:59:59.999Z"))).toBe("2026-11-30");
    expect(calendar.dayKeyOf(Date.parse("2026-11-30T17:00:00Z"))).toBe("2026-12-01");
    expect(calendar.daysOf("2028-02")).toHaveLength(29);
  });
});
