import { formatVietnameseDate } from "../config/calendar/civilDate.js";
import { CALENDAR_YEARS } from "../config/calendar/holidayData.js";
import type { DayKind } from "../config/calendar/holidayRules.js";
import type { Weekday } from "../config/calendar/localClock.js";
import { solarToLunar } from "../config/calendar/lunar.js";
import { formatSessions, officeHoursSchema, toOfficeSchedule, type OfficeSchedule } from "../config/calendar/officeSchedule.js";
import { formatLunarDate, VIETNAMESE_WEEKDAYS, vietnameseWeekday } from "../config/calendar/vietnameseNames.js";
import { loadWorkingCalendar, type WorkingCalendar } from "../config/calendar/workingCalendar.js";

/** What a line of the listing says a day is, in Vietnamese. */
const KIND_LABELS: Readonly<Record<Exclude<DayKind, "weekend">, string>> = {
  holiday: "Nghỉ lễ",
  substitute: "Nghỉ bù",
  swapped: "Nghỉ hoán đổi",
  makeup: "Làm bù",
  workday: "Đi làm",
};

const WEEK_ORDER: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** "Thứ Hai – Thứ Sáu" for a run of consecutive days, else the days listed. */
function formatDays(days: readonly Weekday[]): string {
  const sorted = WEEK_ORDER.filter((day) => days.includes(day));
  const first = WEEK_ORDER.indexOf(sorted[0]!);
  const consecutive = sorted.length > 2 && sorted.every((day, i) => WEEK_ORDER.indexOf(day) === first + i);
  return consecutive ? `${VIETNAMESE_WEEKDAYS[sorted[0]!]} – ${VIETNAMESE_WEEKDAYS[sorted.at(-1)!]}` : sorted.map((day) => VIETNAMESE_WEEKDAYS[day]).join(", ");
}

/** The weekly office hours, one line per season. */
export function formatSchedule(schedule: OfficeSchedule): string[] {
  return schedule.seasons.map((season) => {
    const dayMonth = (d: { day: number; month: number }): string => `${String(d.day).padStart(2, "0")}/${String(d.month).padStart(2, "0")}`;
    const when = season.name === null ? "Cả năm" : `${season.name} (${dayMonth(season.from)} – ${dayMonth(season.until)})`;
    return `  ${when}: ${formatDays(season.days)}, ${formatSessions(season.sessions)}`;
  });
}

/**
 * The listing `wardwatch calendar` prints for `year`: every day that is not an ordinary office day or weekly day
 * off (holidays, substitute and swapped days off, make-up and other working days a notice made), with its date
 * (dd/mm/yyyy), weekday, kind, name, lunar date and the notice of a listed day; then the weekly office hours.
 */
export function formatCalendarYear(calendar: WorkingCalendar, year: number, title: string): string {
  const lines = [`Lịch làm việc năm ${year} — ${title} (múi giờ ${calendar.timeZone})`];
  const yearNotice = calendar.yearNotice(year);
  if (yearNotice !== null) lines.push(`Thông báo: ${yearNotice}`);
  lines.push("", "Ngày nghỉ lễ, Tết, nghỉ bù và ngày làm bù (ngoài ngày nghỉ hằng tuần):");
  const days = calendar.specialDays(year);
  const nameWidth = Math.max(...days.map((day) => day.name.length), 10);
  for (const day of days) {
    const weekday = vietnameseWeekday(day.date).padEnd(8);
    const kind = KIND_LABELS[day.kind].padEnd(13);
    const lunar = formatLunarDate(solarToLunar(day.date));
    const notice = day.ruleId === null && day.kind !== "substitute" ? ` — theo ${day.notice}` : "";
    lines.push(`  ${formatVietnameseDate(day.date)}  ${weekday}  ${kind}  ${`${day.name},`.padEnd(nameWidth + 1)} ${lunar}${notice}`);
  }
  if (days.length === 0) lines.push("  (không có)");
  lines.push("", "Giờ làm việc hằng tuần:", ...formatSchedule(calendar.schedule));
  return `${lines.join("\n")}\n`;
}

/** Thrown for a `--year` the calendar does not cover, or not a year at all. */
export class CalendarYearError extends Error {}

/** The year of `--year` (default: this year in UTC+7 at `nowMs`); throws CalendarYearError when it is not in 1900–2100. */
export function parseCalendarYear(text: string | undefined, nowMs: number): number {
  if (text === undefined) return new Date(nowMs + 7 * 3_600_000).getUTCFullYear();
  const year = /^\d{4}$/.test(text) ? Number(text) : NaN;
  if (!(year >= CALENDAR_YEARS.first && year <= CALENDAR_YEARS.last)) throw new CalendarYearError(`--year must be a year from ${CALENDAR_YEARS.first} to ${CALENDAR_YEARS.last}, got '${text}'`);
  return year;
}

/**
 * `wardwatch calendar [--year YEAR] [--config FILE]`: the year's listing for the collector file's province (its office
 * hours, time zone and holiday file), or for the defaults (Monday–Friday 07:30–17:00, Asia/Ho_Chi_Minh, the shipped
 * table) without a file. Throws ConfigError for a bad file.
 */
export async function calendarCommand(options: { year: number; configFile: string | undefined }): Promise<string> {
  if (options.configFile === undefined) {
    const calendar = loadWorkingCalendar({ schedule: toOfficeSchedule(officeHoursSchema.parse(undefined)), timeZone: "Asia/Ho_Chi_Minh", holidaysFile: null });
    return formatCalendarYear(calendar, options.year, "mặc định, cơ quan nhà nước");
  }
  const { loadCollectorConfig } = await import("../collector/config.js");
  const config = loadCollectorConfig(options.configFile);
  const calendar = loadWorkingCalendar({ schedule: config.officeHours, timeZone: config.province.timezone, holidaysFile: config.calendar.holidaysFile });
  return formatCalendarYear(calendar, options.year, config.province.name);
}
