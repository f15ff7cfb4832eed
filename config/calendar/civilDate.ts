import type { Weekday } from "./localClock.js";

/** A date on the Gregorian calendar, no time and no zone: `month` 1–12, `day` 1–31. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/**
 * The Julian day number of `date` (an integer: 2451545 is 1 January 2000). Gregorian for dates from 15 October 1582,
 * Julian before, as the lunar calendar's astronomy counts days.
 */
export function julianDayNumber(date: CivilDate): number {
  const a = Math.floor((14 - date.month) / 12);
  const y = date.year + 4800 - a;
  const m = date.month + 12 * a - 3;
  const gregorian = date.day + Math.floor((153 * m + 2) / 5) + 365 * y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) - 32045;
  return gregorian >= 2299161 ? gregorian : date.day + Math.floor((153 * m + 2) / 5) + 365 * y + Math.floor(y / 4) - 32083;
}

/** The date of Julian day number `jd` (the inverse of {@link julianDayNumber}). */
export function fromJulianDayNumber(jd: number): CivilDate {
  let b = 0;
  let c: number;
  if (jd > 2299160) {
    const a = jd + 32044;
    b = Math.floor((4 * a + 3) / 146097);
    c = a - Math.floor((b * 146097) / 4);
  } else {
    c = jd + 32082;
  }
  const d = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * d) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  return { day: e - Math.floor((153 * m + 2) / 5) + 1, month: m + 3 - 12 * Math.floor(m / 10), year: b * 100 + d - 4800 + Math.floor(m / 10) };
}

/** `date` moved by `days` (negative: earlier). */
export function addDays(date: CivilDate, days: number): CivilDate {
  return fromJulianDayNumber(julianDayNumber(date) + days);
}

/** The weekday of `date`. */
export function weekdayOf(date: CivilDate): Weekday {
  // Julian day 0 was a Monday.
  return WEEKDAYS[((julianDayNumber(date) % 7) + 7) % 7]!;
}

/** "YYYY-MM-DD", the key dates are known by in the calendar and the rest of the system. */
export function dateKey(date: CivilDate): string {
  return `${String(date.year).padStart(4, "0")}-${String(date.month).padStart(2, "0")}-${String(date.day).padStart(2, "0")}`;
}

/** The date of a "YYYY-MM-DD" key; throws naming the key when it is not a real date. */
export function parseDateKey(key: string): CivilDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  const date = match ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } : null;
  if (!date || !isRealDate(date)) throw new Error(`'${key}' is not a date (YYYY-MM-DD)`);
  return date;
}

/** Whether `date` exists (no 30 February, no month 13). */
export function isRealDate(date: CivilDate): boolean {
  if (!Number.isInteger(date.year) || !Number.isInteger(date.month) || !Number.isInteger(date.day)) return false;
  if (date.month < 1 || date.month > 12 || date.day < 1) return false;
  const back = fromJulianDayNumber(julianDayNumber(date));
  return back.day === date.day && back.month === date.month && back.year === date.year;
}

/** "dd/mm/yyyy", the way dates are written in Vietnam. */
export function formatVietnameseDate(date: CivilDate): string {
  return `${String(date.day).padStart(2, "0")}/${String(date.month).padStart(2, "0")}/${date.year}`;
}
