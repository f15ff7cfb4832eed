import { describe, expect, it } from "vitest";
import { isOfficeHours, localTime } from "../../../collector/alerts/officeHours.js";

const weekdays = { days: ["mon", "tue", "wed", "thu", "fri"], start: "07:30", end: "17:00" };
const ICT = "Asia/Ho_Chi_Minh";

describe("officeHours", () => {
  it("is office hours on a Monday at 08:00 in UTC+7", () => {
    expect(isOfficeHours(Date.parse("2025-01-06T08:00:00+07:00"), weekdays, ICT)).toBe(true);
  });

  it("is not office hours on a Saturday", () => {
    expect(isOfficeHours(Date.parse("2025-01-11T08:00:00+07:00"), weekdays, ICT)).toBe(false);
  });

  it("is not office hours at 17:30, nor at 17:00 (end exclusive), but is at 07:30 (start inclusive)", () => {
    expect(isOfficeHours(Date.parse("2025-01-06T17:30:00+07:00"), weekdays, ICT)).toBe(false);
    expect(isOfficeHours(Date.parse("2025-01-06T17:00:00+07:00"), weekdays, ICT)).toBe(false);
    expect(isOfficeHours(Date.parse("2025-01-06T16:59:00+07:00"), weekdays, ICT)).toBe(true);
    expect(isOfficeHours(Date.parse("2025-01-06T07:30:00+07:00"), weekdays, ICT)).toBe(true);
    expect(isOfficeHours(Date.parse("2025-01-06T07:29:00+07:00"), weekdays, ICT)).toBe(false);
  });

  it("reads weekday and time in the given zone, not UTC", () => {
    // Monday 08:00 in UTC+7 is Monday 01:00 UTC: office hours in the province, not in UTC.
    const mondayMorningIct = Date.parse("2025-01-06T01:00:00Z");
    expect(isOfficeHours(mondayMorningIct, weekdays, ICT)).toBe(true);
    expect(isOfficeHours(mondayMorningIct, weekdays, "UTC")).toBe(false);
    // Friday 20:00 UTC is Saturday 03:00 in UTC+7; Sunday 17:00 UTC is Monday 00:00 there.
    expect(localTime(Date.parse("2025-01-10T20:00:00Z"), ICT)).toEqual({ dateKey: "2025-01-11", weekday: "sat", minuteOfDay: 180 });
    expect(localTime(Date.parse("2025-01-05T17:00:00Z"), ICT)).toEqual({ dateKey: "2025-01-06", weekday: "mon", minuteOfDay: 0 });
    // Friday 14:00 UTC is 21:00 in UTC+7: after hours there, office hours in UTC.
    expect(isOfficeHours(Date.parse("2025-01-10T14:00:00Z"), weekdays, ICT)).toBe(false);
    expect(isOfficeHours(Date.parse("2025-01-10T14:00:00Z"), weekdays, "UTC")).toBe(true);
  });

  it("asks the holiday calendar with the local date", () => {
    const asked: string[] = [];
    const tetHoliday = (dateKey: string): boolean => {
      asked.push(dateKey);
      return dateKey === "2025-01-29";
    };
    expect(isOfficeHours(Date.parse("2025-01-29T09:00:00+07:00"), weekdays, ICT, tetHoliday)).toBe(false);
    expect(isOfficeHours(Date.parse("2025-01-28T09:00:00+07:00"), weekdays, ICT, tetHoliday)).toBe(true);
    expect(asked).toEqual(["2025-01-29", "2025-01-28"]);
  });

  it("honours the configured days and hours, and treats an inverted range as never", () => {
    const saturdayMornings = { days: ["sat"], start: "08:00", end: "11:30" };
    expect(isOfficeHours(Date.parse("2025-01-11T09:00:00+07:00"), saturdayMornings, ICT)).toBe(true);
    expect(isOfficeHours(Date.parse("2025-01-11T11:30:00+07:00"), saturdayMornings, ICT)).toBe(false);
    expect(isOfficeHours(Date.parse("2025-01-06T09:00:00+07:00"), saturdayMornings, ICT)).toBe(false);
    expect(isOfficeHours(Date.parse("2025-01-06T09:00:00+07:00"), { days: ["mon"], start: "17:00", end: "07:30" }, ICT)).toBe(false);
  });
});
