import { z } from "zod";
import { isRealDate, weekdayOf, type CivilDate } from "./civilDate.js";
import type { Weekday } from "./localClock.js";

/** One session of an office day: minutes since local midnight, `startMinute` included, `endMinute` excluded (≤ 1440). */
export interface OfficeSession {
  startMinute: number;
  endMinute: number;
}

/**
 * Office hours for part of the year: from `from` to `until` (day and month, both included; a season may wrap past
 * New Year), on `days`, in `sessions` (a morning and an afternoon, with the lunch break between, is usual).
 */
export interface OfficeSeason {
  /** As written in the file ("Mùa hè"); null for the one season of a schedule that has no seasons. */
  name: string | null;
  from: { month: number; day: number };
  until: { month: number; day: number };
  days: readonly Weekday[];
  sessions: readonly OfficeSession[];
}

/** A province's weekly office hours, in its time zone: seasons that together hold every day of the year once. */
export interface OfficeSchedule {
  seasons: readonly OfficeSeason[];
}

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const weekdaySchema = z.enum(WEEKDAYS);
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes since midnight of "HH:mm" (00:00–23:59), or of "24:00" (1440) when `endOfDay`; null when neither. */
function clockMinutes(clock: string, endOfDay: boolean): number | null {
  if (endOfDay && clock === "24:00") return 24 * 60;
  const match = CLOCK.exec(clock);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** "HH:mm" minutes as text. */
function clockText(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** A start of office hours: "HH:mm", 00:00–23:59. */
const startClockSchema = z.string().refine((clock) => clockMinutes(clock, false) !== null, "must be HH:mm, 00:00 to 23:59 (e.g. 07:30)");
/** An end of office hours (exclusive): "HH:mm", 00:01–24:00, so that a day open until midnight can be written. */
const endClockSchema = z.string().refine((clock) => clockMinutes(clock, true) !== null, "must be HH:mm, 00:00 to 24:00 (e.g. 17:00)");

/** A session "HH:mm-HH:mm" ("07:30-11:30"), end after start, parsed to minutes. */
const sessionSchema = z.string().transform((text, ctx): OfficeSession => {
  const match = /^\s*(\d{2}:\d{2})\s*[-–]\s*(\d{2}:\d{2})\s*$/.exec(text);
  const start = match ? clockMinutes(match[1]!, false) : null;
  const end = match ? clockMinutes(match[2]!, true) : null;
  if (start === null || end === null) {
    ctx.addIssue({ code: "custom", message: `'${text}' is not a session HH:mm-HH:mm (e.g. 07:30-11:30)` });
    return z.NEVER;
  }
  if (end <= start) {
    ctx.addIssue({ code: "custom", message: `'${text}': the end must be after the start; office hours cannot run past midnight` });
    return z.NEVER;
  }
  return { startMinute: start, endMinute: end };
});

/** A day of the year "dd/mm" ("15/04"); 29/02 is allowed. */
const dayMonthSchema = z.string().transform((text, ctx) => {
  const match = /^(\d{1,2})\/(\d{1,2})$/.exec(text.trim());
  const value = match ? { day: Number(match[1]), month: Number(match[2]) } : null;
  if (!value || !isRealDate({ year: 2024, ...value })) {
    ctx.addIssue({ code: "custom", message: `'${text}' is not a day of the year dd/mm (e.g. 15/04)` });
    return z.NEVER;
  }
  return value;
});

/** Sessions sorted by start, none overlapping another: the problem as text, or null. */
function sessionsProblem(sessions: readonly OfficeSession[]): string | null {
  const sorted = [...sessions].sort((a, b) => a.startMinute - b.startMinute);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.startMinute < sorted[i - 1]!.endMinute) {
      return `sessions ${clockText(sorted[i - 1]!.startMinute)}-${clockText(sorted[i - 1]!.endMinute)} and ${clockText(sorted[i]!.startMinute)}-${clockText(sorted[i]!.endMinute)} overlap`;
    }
  }
  return null;
}

const seasonSchema = z.strictObject({
  name: z.string().min(1).max(100),
  from: dayMonthSchema,
  until: dayMonthSchema,
  /** The season's office days; the schedule's `days` when absent. */
  days: z.array(weekdaySchema).min(1).optional(),
  hours: z.array(sessionSchema).min(1).max(6),
});

/**
 * `office_hours` as written, in one of three forms: one range every office day (`start`, `end`: the original form,
 * default 07:30–17:00), sessions every office day (`hours: ["07:30-11:30", "13:00-17:00"]`), or `seasons`, each
 * with its dates, sessions and optionally its own days, which together must hold every day of the year exactly
 * once. `days` (default Monday to Friday) are the office days; the others are the weekly days off (substitute days
 * off are given for holidays falling on them). `end` and session ends are exclusive; nothing runs past midnight.
 */
export const officeHoursSchema = z
  .strictObject({
    days: z.array(weekdaySchema).min(1).default(["mon", "tue", "wed", "thu", "fri"]),
    start: startClockSchema.optional(),
    end: endClockSchema.optional(),
    hours: z.array(sessionSchema).min(1).max(6).optional(),
    seasons: z.array(seasonSchema).min(1).max(12).optional(),
  })
  .superRefine((hours, ctx) => {
    const duplicates = (days: readonly string[], path: (string | number)[]): void =>
      days.forEach((day, i) => {
        if (days.indexOf(day) !== i) ctx.addIssue({ code: "custom", path: [...path, i], message: `'${day}' is listed twice` });
      });
    duplicates(hours.days, ["days"]);
    const forms = [hours.start !== undefined || hours.end !== undefined ? "start/end" : null, hours.hours ? "hours" : null, hours.seasons ? "seasons" : null].filter((f) => f !== null);
    if (forms.length > 1) ctx.addIssue({ code: "custom", message: `give one of start/end, hours or seasons, not ${forms.join(" and ")}` });
    // Only two valid times are compared (a malformed one has its own problem), as minutes: "9:00" > "17:00" as text.
    const start = clockMinutes(hours.start ?? "07:30", false);
    const end = clockMinutes(hours.end ?? "17:00", true);
    if (start !== null && end !== null && end <= start) {
      ctx.addIssue({ code: "custom", path: ["end"], message: `end (${hours.end ?? "17:00"}) must be after start (${hours.start ?? "07:30"}); office hours cannot run past midnight` });
    }
    const overlap = hours.hours ? sessionsProblem(hours.hours) : null;
    if (overlap) ctx.addIssue({ code: "custom", path: ["hours"], message: overlap });
    hours.seasons?.forEach((season, i) => {
      if (season.days) duplicates(season.days, ["seasons", i, "days"]);
      const problem = sessionsProblem(season.hours);
      if (problem) ctx.addIssue({ code: "custom", path: ["seasons", i, "hours"], message: problem });
    });
    if (hours.seasons) {
      const problem = seasonCoverageProblem(hours.seasons);
      if (problem) ctx.addIssue({ code: "custom", path: ["seasons"], message: problem });
    }
  })
  .prefault({});

/** `office_hours` as parsed (see {@link officeHoursSchema}). */
export type OfficeHoursFile = z.output<typeof officeHoursSchema>;

/** Whether day-of-year `date` falls in `season` (from/until inclusive, wrapping past 31/12). */
function inSeason(season: Pick<OfficeSeason, "from" | "until">, date: { month: number; day: number }): boolean {
  const at = date.month * 100 + date.day;
  const from = season.from.month * 100 + season.from.day;
  const until = season.until.month * 100 + season.until.day;
  return from <= until ? at >= from && at <= until : at >= from || at <= until;
}

/** The first day of a leap year that no season or two seasons hold, as a message; null when each day is in one. */
function seasonCoverageProblem(seasons: ReadonlyArray<{ name: string; from: { month: number; day: number }; until: { month: number; day: number } }>): string | null {
  for (let month = 1; month <= 12; month++) {
    for (let day = 1; day <= 31; day++) {
      if (!isRealDate({ year: 2024, month, day })) continue;
      const holding = seasons.filter((season) => inSeason(season, { month, day }));
      const dayText = `${String(day).padStart(2, "0")}/${String(month).padStart(2, "0")}`;
      if (holding.length === 0) return `${dayText} is in no season: the seasons must hold every day of the year`;
      if (holding.length > 1) return `${dayText} is in two seasons ('${holding[0]!.name}' and '${holding[1]!.name}')`;
    }
  }
  return null;
}

/** The schedule `office_hours` describes, whichever form it was written in. */
export function toOfficeSchedule(file: OfficeHoursFile): OfficeSchedule {
  const wholeYear = { from: { month: 1, day: 1 }, until: { month: 12, day: 31 } };
  if (file.seasons) {
    return { seasons: file.seasons.map((season) => ({ name: season.name, from: season.from, until: season.until, days: season.days ?? file.days, sessions: sortSessions(season.hours) })) };
  }
  const sessions = file.hours ?? [{ startMinute: clockMinutes(file.start ?? "07:30", false)!, endMinute: clockMinutes(file.end ?? "17:00", true)! }];
  return { seasons: [{ name: null, ...wholeYear, days: file.days, sessions: sortSessions(sessions) }] };
}

function sortSessions(sessions: readonly OfficeSession[]): OfficeSession[] {
  return [...sessions].sort((a, b) => a.startMinute - b.startMinute);
}

/** The season holding `date` (a schedule's seasons hold every day; the first when a hand-built one overlaps). */
export function seasonOf(schedule: OfficeSchedule, date: CivilDate): OfficeSeason {
  const season = schedule.seasons.find((s) => inSeason(s, date));
  if (!season) throw new Error(`no office season holds ${date.day}/${date.month}`);
  return season;
}

/** Whether `date` is a weekly day off by `schedule` (not one of its season's office days), holidays aside. */
export function isWeeklyDayOff(schedule: OfficeSchedule, date: CivilDate): boolean {
  return !seasonOf(schedule, date).days.includes(weekdayOf(date));
}

/** Whether minute `minuteOfDay` (since local midnight) is inside one of `sessions`. */
export function inSessions(sessions: readonly OfficeSession[], minuteOfDay: number): boolean {
  return sessions.some((s) => minuteOfDay >= s.startMinute && minuteOfDay < s.endMinute);
}

/** "07:30–11:30, 13:00–17:00". */
export function formatSessions(sessions: readonly OfficeSession[]): string {
  return sessions.map((s) => `${clockText(s.startMinute)}–${clockText(s.endMinute)}`).join(", ");
}
