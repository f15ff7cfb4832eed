import { describe, expect, it } from "vitest";
import { formatVietnameseDate } from "../../../config/calendar/civilDate.js";
import { loadHolidays, type HolidayFile } from "../../../config/calendar/holidayData.js";
import { officeHoursSchema, toOfficeSchedule } from "../../../config/calendar/officeSchedule.js";
import { WorkingCalendar } from "../../../config/calendar/workingCalendar.js";

const ICT = "Asia/Ho_Chi_Minh";
const shipped = loadHolidays(null);
const weekdays = toOfficeSchedule(officeHoursSchema.parse(undefined));
const calendar = new WorkingCalendar({ schedule: weekdays, timeZone: ICT, holidays: shipped });
const at = (isoLocal: string): number => Date.parse(`${isoLocal}+07:00`);
const kindsOf = (cal: WorkingCalendar, year: number): string[] => cal.specialDays(year).map((d) => `${formatVietnameseDate(d.date)} ${d.kind}`);

/** Huế's hours (Decision 4010/QĐ-UBND): April–September 7:30–11:30 and 13:30–17:30, October–March 13:00–17:00. */
const hue = toOfficeSchedule(
  officeHoursSchema.parse({
    seasons: [
      { name: "Mùa hè", from: "01/04", until: "30/09", hours: ["07:30-11:30", "13:30-17:30"] },
      { name: "Mùa đông", from: "01/10", until: "31/03", hours: ["07:30-11:30", "13:00-17:00"] },
    ],
  }),
);

describe("WorkingCalendar", () => {
  it("2026 as announced: New Year with Friday 2/1 swapped for Saturday 10/1, Tết 16–20/2, substitute for Hùng Kings' Sunday", () => {
    expect(calendar.dayKind("2026-01-01")).toMatchObject({ kind: "holiday", name: "Tết Dương lịch" });
    expect(calendar.dayKind("2026-01-02")).toMatchObject({ kind: "swapped", notice: "Công văn 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ" });
    expect(calendar.dayKind("2026-01-10")).toMatchObject({ kind: "makeup" });
    expect(["2026-02-13", "2026-02-16", "2026-02-17", "2026-02-20", "2026-02-23"].map((d) => calendar.dayKind(d).kind)).toEqual(["workday", "holiday", "holiday", "holiday", "workday"]);
    expect(calendar.dayKind("2026-02-17")).toEqual({ kind: "holiday", name: "Tết Nguyên đán (mùng 1 Tết)", notice: "Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ" });
    expect(calendar.dayKind("2026-04-26")).toMatchObject({ kind: "holiday", name: "Giỗ Tổ Hùng Vương" });
    expect(calendar.dayKind("2026-04-27")).toMatchObject({ kind: "substitute", name: "Nghỉ bù Giỗ Tổ Hùng Vương, Chủ Nhật 26/04/2026" });
    expect(calendar.dayKind("2026-02-14").kind).toBe("weekend");
  });

  it("a holiday on a weekly day off gives the next office day off (Labour Code art. 111): Tết 2027 on a weekend", () => {
    expect(kindsOf(calendar, 2027).filter((d) => d.includes("/02/2027"))).toEqual([
      "05/02/2027 holiday",
      "06/02/2027 holiday",
      "07/02/2027 holiday",
      "08/02/2027 holiday",
      "09/02/2027 holiday",
      "10/02/2027 substitute",
      "11/02/2027 substitute",
    ]);
    // 1/5/2027 is a Saturday: Monday 3/5 off.
    expect(calendar.dayKind("2027-05-03")).toMatchObject({ kind: "substitute", name: "Nghỉ bù Ngày Quốc tế Lao động, Thứ Bảy 01/05/2027" });
  });

  it("the substitute skips days already off and is not computed when the year's table says so", () => {
    // 2/9/2023 was a Saturday; 3/9 Sunday: the next office day is Monday 4/9 (as announced: 1–4/9/2023).
    expect(kindsOf(calendar, 2023).filter((d) => d.includes("/09/"))).toEqual(["01/09/2023 holiday", "02/09/2023 holiday", "04/09/2023 substitute"]);
    const listedOnly: HolidayFile = { ...shipped, years: { ...shipped.years, "2023": { compute_substitutes: false, days: [] } } };
    expect(kindsOf(new WorkingCalendar({ schedule: weekdays, timeZone: ICT, holidays: listedOnly }), 2023).filter((d) => d.includes("/09/"))).toEqual(["01/09/2023 holiday", "02/09/2023 holiday"]);
  });

  it("National Day's second day joins the weekend, as announced 2021–2025", () => {
    const second = (year: number): string => formatVietnameseDate(calendar.specialDays(year).find((d) => d.name === "Quốc khánh (ngày liền kề)")!.date);
    expect([2021, 2022, 2023, 2024, 2025].map(second)).toEqual(["03/09/2021", "01/09/2022", "01/09/2023", "03/09/2024", "01/09/2025"]);
    expect(calendar.specialDays(2020).some((d) => d.name === "Quốc khánh (ngày liền kề)")).toBe(false);
  });

  it("2025's Tết came from the table (two days before mùng 1), and 2/5 was swapped for Saturday 26/4", () => {
    expect(kindsOf(calendar, 2025).filter((d) => d.includes("/01/2025") && !d.startsWith("01/"))).toEqual(["27/01/2025 holiday", "28/01/2025 holiday", "29/01/2025 holiday", "30/01/2025 holiday", "31/01/2025 holiday"]);
    expect(calendar.dayKind("2025-05-02").kind).toBe("swapped");
    expect(calendar.dayKind("2025-04-26").kind).toBe("makeup");
  });

  it("office time: a make-up Saturday counts, a holiday and a swapped day do not; weekly hours at the edges", () => {
    expect(calendar.isOfficeTime(at("2026-01-10T09:00:00"))).toBe(true); // make-up Saturday
    expect(calendar.isOfficeTime(at("2026-01-17T09:00:00"))).toBe(false); // ordinary Saturday
    expect(calendar.isOfficeTime(at("2026-01-02T09:00:00"))).toBe(false); // swapped Friday
    expect(calendar.isOfficeTime(at("2026-02-17T09:00:00"))).toBe(false); // mùng 1 Tết
    expect(calendar.isOfficeTime(at("2026-01-05T07:30:00"))).toBe(true);
    expect(calendar.isOfficeTime(at("2026-01-05T07:29:00"))).toBe(false);
    expect(calendar.isOfficeTime(at("2026-01-05T16:59:00"))).toBe(true);
    expect(calendar.isOfficeTime(at("2026-01-05T17:00:00"))).toBe(false);
  });

  it("seasonal sessions: the lunch break is outside office hours, and the season changes at the given day", () => {
    const cal = new WorkingCalendar({ schedule: hue, timeZone: ICT, holidays: shipped });
    // 30/9 is summer (afternoon to 17:30), 1/10 winter (afternoon from 13:00 to 17:00).
    expect(cal.isOfficeTime(at("2026-09-30T17:15:00"))).toBe(true);
    expect(cal.isOfficeTime(at("2026-10-01T17:15:00"))).toBe(false);
    expect(cal.isOfficeTime(at("2026-09-30T13:15:00"))).toBe(false);
    expect(cal.isOfficeTime(at("2026-10-01T13:15:00"))).toBe(true);
    expect(cal.isOfficeTime(at("2026-10-01T12:00:00"))).toBe(false); // lunch
    expect(cal.isOfficeTime(at("2026-10-01T11:29:00"))).toBe(true);
    // The season wraps past New Year: 31/3 winter, 1/4 summer.
    expect(cal.isOfficeTime(at("2027-03-31T17:15:00"))).toBe(false);
    expect(cal.isOfficeTime(at("2027-04-01T17:15:00"))).toBe(true);
  });

  it("dates are read on the province's clock, which has no daylight saving time: UTC midnight is 07:00 all year", () => {
    // Friday 2/10/2026 16:59 UTC is 23:59 there; 17:00 UTC is Saturday 00:00.
    expect(calendar.isOfficeTime(Date.parse("2026-10-02T02:00:00Z"))).toBe(true);
    for (const month of ["01", "04", "07", "10"]) {
      // 00:30 UTC is 07:30 local, the start of office hours, in every season (a zone with DST would shift an hour).
      const monday = { "01": "2026-01-05", "04": "2026-04-06", "07": "2026-07-06", "10": "2026-10-05" }[month]!;
      expect(calendar.isOfficeTime(Date.parse(`${monday}T00:30:00Z`)), month).toBe(true);
      expect(calendar.isOfficeTime(Date.parse(`${monday}T00:29:00Z`)), month).toBe(false);
    }
    // The same moment in a DST zone's calendar is read on that zone's clock.
    const london = new WorkingCalendar({ schedule: weekdays, timeZone: "Europe/London", holidays: shipped });
    expect(london.isOfficeTime(Date.parse("2026-07-06T06:30:00Z"))).toBe(true); // 07:30 BST
    expect(london.isOfficeTime(Date.parse("2026-01-05T06:30:00Z"))).toBe(false); // 06:30 GMT
  });

  it("without holiday data only the weekly hours count; a year outside 1900–2100 has no holidays", () => {
    const weekly = new WorkingCalendar({ schedule: weekdays, timeZone: ICT });
    expect(weekly.isOfficeTime(at("2026-02-17T09:00:00"))).toBe(true);
    expect(calendar.dayKind("2101-01-01")).toEqual({ kind: "weekend", name: null, notice: null }); // a Saturday, not Tết Dương lịch
    expect(() => calendar.dayKind("2026-02-30")).toThrow("'2026-02-30' is not a date (YYYY-MM-DD)");
  });
});
