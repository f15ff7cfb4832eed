import { dateKey, parseDateKey, type CivilDate } from "./civilDate.js";
import { ConfigError } from "../loader.js";
import { CALENDAR_YEARS, SHIPPED_HOLIDAYS_FILE, loadHolidays, type HolidayFile } from "./holidayData.js";
import { yearDays, yearTableProblems, type DayEntry, type DayKind } from "./holidayRules.js";
import { localTime } from "./localClock.js";
import { inSessions, isWeeklyDayOff, seasonOf, type OfficeSchedule } from "./officeSchedule.js";

/** What {@link WorkingCalendar.dayKind} tells about a date. */
export interface DayInfo {
  kind: DayKind;
  /** In Vietnamese; null for an ordinary office day or weekly day off. */
  name: string | null;
  /** The notice (or the law) it comes from; null when none is recorded. */
  notice: string | null;
}

/** The one question alert routing asks of the calendar. */
export interface OfficeTimeCalendar {
  /** Whether `utcMs` (UTC ms) is inside office hours: an office day (or make-up day), inside one of its sessions. */
  isOfficeTime(utcMs: number): boolean;
}

/** What a {@link WorkingCalendar} is built from. */
export interface WorkingCalendarOptions {
  schedule: OfficeSchedule;
  /** The province's IANA time zone ("Asia/Ho_Chi_Minh"): dates and office hours are read on its clock. */
  timeZone: string;
  /** Holiday rules and yearly tables (see holidayData.ts); none when absent (weekly hours only). */
  holidays?: HolidayFile;
}

/**
 * The Vietnamese working calendar of one province: its weekly office hours (by season), public holidays (solar and
 * lunar), substitute days off, swapped days and make-up working days. Pure: nothing is read after construction, no
 * clock is read (time is passed in). A year's days are computed once, when first asked.
 */
export class WorkingCalendar implements OfficeTimeCalendar {
  readonly #options: WorkingCalendarOptions;
  readonly #years = new Map<number, Map<string, DayEntry>>();

  constructor(options: WorkingCalendarOptions) {
    this.#options = options;
  }

  /** The province's time zone. */
  get timeZone(): string {
    return this.#options.timeZone;
  }

  /** The weekly office hours. */
  get schedule(): OfficeSchedule {
    return this.#options.schedule;
  }

  /** Every day of `year` that is not what its weekday makes it, in date order (see holidayRules.ts `yearDays`). */
  specialDays(year: number): DayEntry[] {
    return [...this.#yearMap(year).values()];
  }

  /** What the holiday data says of `year` as a whole ("expected; not yet announced"), or null. */
  yearNotice(year: number): string | null {
    return this.#options.holidays?.years[String(year)]?.notice ?? null;
  }

  /** What kind of day `key` ("YYYY-MM-DD", the province's date) is, and its name. Throws on a malformed key. */
  dayKind(key: string): DayInfo {
    return this.dayKindOf(parseDateKey(key));
  }

  /** As {@link dayKind}, for a date. */
  dayKindOf(date: CivilDate): DayInfo {
    const entry = this.#yearMap(date.year).get(dateKey(date));
    if (entry) return { kind: entry.kind, name: entry.name, notice: entry.notice };
    return { kind: isWeeklyDayOff(this.#options.schedule, date) ? "weekend" : "workday", name: null, notice: null };
  }

  /** Whether `date` is worked: an ordinary office day, a make-up day, or a day a notice made a working day. */
  isOfficeDay(date: CivilDate): boolean {
    const kind = this.dayKindOf(date).kind;
    return kind === "workday" || kind === "makeup";
  }

  /** See {@link OfficeTimeCalendar.isOfficeTime}; office sessions are those of the date's season. */
  isOfficeTime(utcMs: number): boolean {
    const local = localTime(utcMs, this.#options.timeZone);
    const date = parseDateKey(local.dateKey);
    if (!this.isOfficeDay(date)) return false;
    return inSessions(seasonOf(this.#options.schedule, date).sessions, local.minuteOfDay);
  }

  #yearMap(year: number): Map<string, DayEntry> {
    let days = this.#years.get(year);
    if (!days) {
      const inRange = year >= CALENDAR_YEARS.first && year <= CALENDAR_YEARS.last;
      const entries = inRange && this.#options.holidays ? yearDays(this.#options.holidays, year, (date) => isWeeklyDayOff(this.#options.schedule, date)) : [];
      days = new Map(entries.map((entry) => [dateKey(entry.date), entry]));
      this.#years.set(year, days);
    }
    return days;
  }
}

/**
 * The calendar of a province: `schedule` in `timeZone`, with the shipped holiday table and, when given, the
 * province's `holidaysFile` over it. Throws ConfigError naming file, line and key when a holiday file is wrong.
 */
export function loadWorkingCalendar(options: { schedule: OfficeSchedule; timeZone: string; holidaysFile: string | null }): WorkingCalendar {
  const holidays = loadHolidays(options.holidaysFile);
  // A yearly table that contradicts itself (a make-up day on an office day, a swapped day on a day off) is refused
  // at load, naming the day, rather than quietly giving a wrong working calendar.
  const problems = Object.keys(holidays.years).flatMap((year) =>
    yearTableProblems(holidays, Number(year), (date) => isWeeklyDayOff(options.schedule, date)).map(({ message }) => ({
      file: options.holidaysFile ?? SHIPPED_HOLIDAYS_FILE,
      line: null,
      column: null,
      key: `years.${year}.days`,
      message,
    })),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return new WorkingCalendar({ schedule: options.schedule, timeZone: options.timeZone, holidays });
}

