import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { OfficeHours } from "../alerts/officeHours.js";
import { minuteOfDay, type HolidayCalendar, type Weekday } from "../alerts/officeHours.js";
import type { LocalCalendar } from "./localCalendar.js";

const MINUTE_MS = 60_000;
const WEEKDAYS: readonly Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/**
 * Whether a moment (UTC ms) is in office hours: the province's working calendar (weekly hours, seasons, holidays,
 * substitute days off and make-up working days). Injected, so the calendar plugs in without the SLA knowing it.
 */
export type IsOfficeTime = (ts: number) => boolean;

/**
 * Office time within one period, minute by minute: `isOfficeTime` is asked once per minute of the period (at the
 * minute's start) and the answer holds for that whole minute, which is exact for office hours written to the minute
 * ("07:30") in a zone whose offset is whole minutes. The office time in any stretch of the period is then two
 * lookups in a running total.
 */
export class OfficeMask {
  readonly #fromTs: number;
  readonly #office: Uint8Array;
  /** #before[i]: office minutes in the period before minute i. */
  readonly #before: Uint32Array;

  private constructor(fromTs: number, office: Uint8Array) {
    this.#fromTs = fromTs;
    this.#office = office;
    this.#before = new Uint32Array(office.length + 1);
    for (let i = 0; i < office.length; i++) this.#before[i + 1] = this.#before[i]! + office[i]!;
  }

  /**
   * The mask of the period [fromTs, toTs), UTC ms (a month: 44,640 minutes, as many calls of `isOfficeTime`), giving
   * the event loop back after each day's minutes, so a slow calendar never holds it long.
   */
  static async build(fromTs: number, toTs: number, isOfficeTime: IsOfficeTime): Promise<OfficeMask> {
    const minutes = Math.max(0, Math.ceil((toTs - fromTs) / MINUTE_MS));
    const office = new Uint8Array(minutes);
    for (let i = 0; i < minutes; i++) {
      office[i] = isOfficeTime(fromTs + i * MINUTE_MS) ? 1 : 0;
      if ((i + 1) % 1440 === 0) await yieldToEventLoop();
    }
    return new OfficeMask(fromTs, office);
  }

  /** Office time in [startTs, endTs) (UTC ms, clipped to the period), ms. */
  officeMs(startTs: number, endTs: number): number {
    return Math.max(0, this.#upTo(endTs) - this.#upTo(startTs));
  }

  /** Office time from the period's start to `ts`, ms. */
  #upTo(ts: number): number {
    const offset = ts - this.#fromTs;
    if (offset <= 0) return 0;
    const minutes = this.#office.length;
    const minute = Math.floor(offset / MINUTE_MS);
    if (minute >= minutes) return this.#before[minutes]! * MINUTE_MS;
    return this.#before[minute]! * MINUTE_MS + (this.#office[minute] ? offset - minute * MINUTE_MS : 0);
  }
}

/**
 * Office time by the weekly hours of the configuration (`office_hours`, the province's zone), and `isHoliday` when
 * given (the working calendar's seam, collector/alerts/officeHours.ts): the same answer as `isOfficeHours`, without
 * building a formatter per call (the zone's offset comes from `calendar`'s cache), so a month's mask takes milliseconds.
 */
export function weeklyOfficeTime(hours: OfficeHours, calendar: LocalCalendar, isHoliday?: HolidayCalendar): IsOfficeTime {
  const start = minuteOfDay(hours.start);
  const end = hours.end === "24:00" ? 1440 : minuteOfDay(hours.end);
  const days = new Set(hours.days);
  return (ts) => {
    const local = new Date(ts + calendar.offsetMs(ts));
    if (!days.has(WEEKDAYS[local.getUTCDay()]!)) return false;
    const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
    if (minute < start || minute >= end) return false;
    return !(isHoliday?.(local.toISOString().slice(0, 10)) ?? false);
  };
}
