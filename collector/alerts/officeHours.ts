import { localTime, minuteOfDay } from "../../config/calendar/localClock.js";

export { localTime, minuteOfDay, type LocalTime, type Weekday } from "../../config/calendar/localClock.js";
export type { OfficeTimeCalendar } from "../../config/calendar/workingCalendar.js";

/** Weekly office hours in one range: the days, and the local time of day they start (inclusive) and end (exclusive), "HH:mm". */
export interface OfficeHours {
  days: readonly string[];
  start: string;
  end: string;
}

/**
 * Tells whether a local date is a day off for {@link isOfficeHours}. `dateKey` is the date in the province's time
 * zone, "YYYY-MM-DD". The collector itself asks the working calendar (config/calendar/workingCalendar.ts), which
 * also knows seasons, sessions and make-up days.
 */
export type HolidayCalendar = (dateKey: string) => boolean;

/**
 * Whether `nowMs` (UTC ms) falls inside one-range office hours in `timeZone`: a listed weekday, local time in
 * [start, end), and not a holiday by `isHoliday` (none when absent). A range whose end is not after its start is
 * never office hours (overnight office hours are not a thing for a ward office).
 */
export function isOfficeHours(nowMs: number, officeHours: OfficeHours, timeZone: string, isHoliday?: HolidayCalendar): boolean {
  const local = localTime(nowMs, timeZone);
  if (!officeHours.days.includes(local.weekday)) return false;
  if (local.minuteOfDay < minuteOfDay(officeHours.start) || local.minuteOfDay >= minuteOfDay(officeHours.end)) return false;
  return !(isHoliday?.(local.dateKey) ?? false);
}
