import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { inSessions, seasonOf, type OfficeSession } from "../../config/calendar/officeSchedule.js";
import type { WorkingCalendar } from "../../config/calendar/workingCalendar.js";
import type { LocalCalendar } from "./localCalendar.js";

const MINUTE_MS = 60_000;

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
 * Office time by the province's working calendar (config/calendar/: weekly sessions by season, holidays, substitute
 * days off, make-up working days): the same answer as `working.isOfficeTime`, without a time-zone formatter per call:
 * the zone's offset comes from `calendar`'s cache and each local day's sessions are looked up once, so a month's
 * mask takes milliseconds.
 */
export function calendarOfficeTime(working: Pick<WorkingCalendar, "isOfficeDay" | "schedule">, calendar: LocalCalendar): IsOfficeTime {
  const sessionsByDay = new Map<string, readonly OfficeSession[]>();
  return (ts) => {
    const local = new Date(ts + calendar.offsetMs(ts));
    const key = local.toISOString().slice(0, 10);
    let sessions = sessionsByDay.get(key);
    if (!sessions) {
      const date = { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
      sessions = working.isOfficeDay(date) ? seasonOf(working.schedule, date).sessions : [];
      sessionsByDay.set(key, sessions);
    }
    return inSessions(sessions, local.getUTCHours() * 60 + local.getUTCMinutes());
  };
}
