import { describe, expect, it } from "vitest";
import { isOfficeHours } from "../../../collector/alerts/officeHours.js";
import { LocalCalendar } from "../../../collector/sla/localCalendar.js";
import { OfficeMask, weeklyOfficeTime } from "../../../collector/sla/officeMask.js";
import { OFFICE_HOURS, TZ, vn } from "./slaHarness.js";

describe("SLA office time", () => {
  const calendar = new LocalCalendar(TZ);

  it("answers as isOfficeHours does, holidays included, over a month minute by minute", () => {
    const holiday = (dateKey: string) => dateKey === "2026-04-30";
    const fast = weeklyOfficeTime(OFFICE_HOURS, calendar, holiday);
    const { fromTs, toTs } = calendar.monthBounds("2026-04");
    const differing: number[] = [];
    for (let ts = fromTs; ts < toTs; ts += 60_000 * 7) if (fast(ts) !== isOfficeHours(ts, OFFICE_HOURS, TZ, holiday)) differing.push(ts);
    expect(differing).toEqual([]);
  });

  it("gives the office time of any stretch of the month, to the ms", async () => {
    const { fromTs, toTs } = calendar.monthBounds("2026-03");
    const mask = await OfficeMask.build(fromTs, toTs, weeklyOfficeTime(OFFICE_HOURS, calendar));
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
