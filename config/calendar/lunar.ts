/**
 * The Vietnamese lunar calendar (âm lịch), by Hồ Ngọc Đức's astronomical algorithm: a month starts on the day (at
 * the calendar's time zone) of a new moon, month 11 holds the winter solstice, and in a year of 13 months the first
 * month without a principal solar term (trung khí) is the leap month. New moons and the sun's longitude are
 * computed from Jean Meeus' "Astronomical Algorithms" (low-precision series, a few minutes off at worst).
 *
 * The Vietnamese calendar is this computation at UTC+7 (since 1968; before, Vietnam followed the Chinese calendar),
 * the Chinese one at UTC+8: where a new moon falls between 23:00 and 24:00 Vietnam time, the Vietnamese month
 * starts a day earlier, and a leap month can land elsewhere (Tết 1985: 21/01 in Vietnam, 20/02 in China).
 *
 * Written here, not taken from npm: the packages checked (2026-12) either compute in the process's time zone
 * unless told otherwise (`vietnamese-lunar-calendar`, UTC on a server) or ship precomputed tables that follow the
 * Chinese calendar before 1968 and differ from the algorithm in 2054, 2072–2073 and 2077 (`@dqcai/vn-lunar`).
 * docs/calendar.md says more; tests/config/calendar/lunar.test.ts checks this against independent sources.
 */
import { fromJulianDayNumber, julianDayNumber, type CivilDate } from "./civilDate.js";

/** A date on the lunar calendar: `month` 1–12, `leap` for the repeated (nhuận) month, `day` 1–30. */
export interface LunarDate {
  year: number;
  month: number;
  day: number;
  leap: boolean;
}

/** Vietnam's offset from UTC for the lunar calendar, hours. */
export const VIETNAM_LUNAR_OFFSET_HOURS = 7;

const RAD = Math.PI / 180;
/** Mean synodic month, days. */
const SYNODIC_MONTH_DAYS = 29.530588853;
/** Julian day of the new moon of 1 January 1900, the origin of new moon numbers `k`. */
const NEW_MOON_EPOCH_JD = 2415021.076998695;

/** The Julian date (UT, fractional days) of new moon number `k` (0: the new moon of 1 January 1900). */
export function newMoonJulianDate(k: number): number {
  const t = k / 1236.85;
  const t2 = t * t;
  const t3 = t2 * t;
  let jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3;
  jd += 0.00033 * Math.sin((166.56 + 132.87 * t - 0.009173 * t2) * RAD);
  const m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3; // sun's mean anomaly
  const mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3; // moon's mean anomaly
  const f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3; // moon's argument of latitude
  let c1 = (0.1734 - 0.000393 * t) * Math.sin(m * RAD) + 0.0021 * Math.sin(2 * RAD * m);
  c1 = c1 - 0.4068 * Math.sin(mpr * RAD) + 0.0161 * Math.sin(RAD * 2 * mpr);
  c1 = c1 - 0.0004 * Math.sin(RAD * 3 * mpr);
  c1 = c1 + 0.0104 * Math.sin(RAD * 2 * f) - 0.0051 * Math.sin(RAD * (m + mpr));
  c1 = c1 - 0.0074 * Math.sin(RAD * (m - mpr)) + 0.0004 * Math.sin(RAD * (2 * f + m));
  c1 = c1 - 0.0004 * Math.sin(RAD * (2 * f - m)) - 0.0006 * Math.sin(RAD * (2 * f + mpr));
  c1 = c1 + 0.001 * Math.sin(RAD * (2 * f - mpr)) + 0.0005 * Math.sin(RAD * (2 * mpr + m));
  // ΔT, TT − UT in days.
  const deltaT = t < -11 ? 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3 : -0.000278 + 0.000265 * t + 0.000262 * t2;
  return jd + c1 - deltaT;
}

/** The sun's apparent longitude at Julian date `jd` (UT), radians in [0, 2π) (0 at the spring equinox). */
export function sunLongitude(jd: number): number {
  const t = (jd - 2451545.0) / 36525;
  const t2 = t * t;
  const m = 357.5291 + 35999.0503 * t - 0.0001559 * t2 - 0.00000048 * t * t2;
  const l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
  let dl = (1.9146 - 0.004817 * t - 0.000014 * t2) * Math.sin(RAD * m);
  dl = dl + (0.019993 - 0.000101 * t) * Math.sin(RAD * 2 * m) + 0.00029 * Math.sin(RAD * 3 * m);
  const l = (l0 + dl) * RAD;
  return l - 2 * Math.PI * Math.floor(l / (2 * Math.PI));
}

/** Which of the 12 principal-term sectors (30° each, 0 at the spring equinox) the sun is in at the start of day `dayNumber`. */
function sunSector(dayNumber: number, offsetHours: number): number {
  return Math.floor((sunLongitude(dayNumber - 0.5 - offsetHours / 24) / Math.PI) * 6);
}

/** The Julian day number (local to `offsetHours`) on which new moon `k` falls. */
function newMoonDay(k: number, offsetHours: number): number {
  return Math.floor(newMoonJulianDate(k) + 0.5 + offsetHours / 24);
}

/** The day number of the start of lunar month 11 (the month holding the winter solstice) of Gregorian year `year`. */
function month11Start(year: number, offsetHours: number): number {
  const k = Math.floor((julianDayNumber({ year, month: 12, day: 31 }) - 2415021) / SYNODIC_MONTH_DAYS);
  const start = newMoonDay(k, offsetHours);
  // Sector 9 starts at 270°, the winter solstice: a month starting past it is month 12, so month 11 is the one before.
  return sunSector(start, offsetHours) >= 9 ? newMoonDay(k - 1, offsetHours) : start;
}

/** How many months after month 11 (starting at `a11`) the leap month comes: the first with no new sector. */
function leapMonthOffset(a11: number, offsetHours: number): number {
  const k = Math.floor((a11 - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH_DAYS + 0.5);
  let i = 1;
  let sector = sunSector(newMoonDay(k + i, offsetHours), offsetHours);
  let last: number;
  do {
    last = sector;
    i++;
    sector = sunSector(newMoonDay(k + i, offsetHours), offsetHours);
  } while (sector !== last && i < 14);
  return i - 1;
}

/** The lunar date of `date`, computed at UTC+`offsetHours` (7 for Vietnam, the default; 8 gives the Chinese calendar). */
export function solarToLunar(date: CivilDate, offsetHours: number = VIETNAM_LUNAR_OFFSET_HOURS): LunarDate {
  const dayNumber = julianDayNumber(date);
  // The month's new moon: the estimate of k can be one too high when a new moon falls near the day's edge.
  let k = Math.floor((dayNumber - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH_DAYS) + 1;
  let monthStart = newMoonDay(k, offsetHours);
  while (monthStart > dayNumber) monthStart = newMoonDay(--k, offsetHours);
  let a11 = month11Start(date.year, offsetHours);
  let b11 = a11;
  let year: number;
  if (a11 >= monthStart) {
    year = date.year;
    a11 = month11Start(date.year - 1, offsetHours);
  } else {
    year = date.year + 1;
    b11 = month11Start(date.year + 1, offsetHours);
  }
  const day = dayNumber - monthStart + 1;
  const diff = Math.floor((monthStart - a11) / 29);
  let leap = false;
  let month = diff + 11;
  if (b11 - a11 > 365) {
    const leapOffset = leapMonthOffset(a11, offsetHours);
    if (diff >= leapOffset) {
      month = diff + 10;
      leap = diff === leapOffset;
    }
  }
  if (month > 12) month -= 12;
  if (month >= 11 && diff < 4) year -= 1;
  return { year, month, day, leap };
}

/**
 * The Gregorian date of lunar date `lunar` at UTC+`offsetHours`, or null when it does not exist (a leap month the
 * year has not, day 30 of a 29-day month).
 */
export function lunarToSolar(lunar: LunarDate, offsetHours: number = VIETNAM_LUNAR_OFFSET_HOURS): CivilDate | null {
  if (!Number.isInteger(lunar.day) || lunar.day < 1 || lunar.day > 30 || !Number.isInteger(lunar.month) || lunar.month < 1 || lunar.month > 12) return null;
  const [a11, b11] = lunar.month < 11 ? [month11Start(lunar.year - 1, offsetHours), month11Start(lunar.year, offsetHours)] : [month11Start(lunar.year, offsetHours), month11Start(lunar.year + 1, offsetHours)];
  const k = Math.floor(0.5 + (a11 - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH_DAYS);
  let offset = lunar.month - 11;
  if (offset < 0) offset += 12;
  if (b11 - a11 > 365) {
    const leapOffset = leapMonthOffset(a11, offsetHours);
    let leapMonth = leapOffset - 2;
    if (leapMonth < 0) leapMonth += 12;
    if (lunar.leap && lunar.month !== leapMonth) return null;
    if (lunar.leap || offset >= leapOffset) offset += 1;
  } else if (lunar.leap) {
    return null;
  }
  const date = fromJulianDayNumber(newMoonDay(k + offset, offsetHours) + lunar.day - 1);
  const back = solarToLunar(date, offsetHours);
  return back.year === lunar.year && back.month === lunar.month && back.day === lunar.day && back.leap === lunar.leap ? date : null;
}

/** Mùng 1 Tết (lunar 1/1) of lunar year `year`, as a Gregorian date (always in January or February of `year`). */
export function lunarNewYear(year: number, offsetHours: number = VIETNAM_LUNAR_OFFSET_HOURS): CivilDate {
  const date = lunarToSolar({ year, month: 1, day: 1, leap: false }, offsetHours);
  if (!date) throw new Error(`no lunar new year found for ${year}`);
  return date;
}
