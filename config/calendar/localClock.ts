/** Weekday names as the configuration writes them (`office_hours.days`). */
export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** A moment as seen on a clock in some time zone. */
export interface LocalTime {
  /** "YYYY-MM-DD" in that zone. */
  dateKey: string;
  weekday: Weekday;
  /** Minutes since local midnight, 0–1439. */
  minuteOfDay: number;
}

const WEEKDAYS: Record<string, Weekday> = { Mon: "mon", Tue: "tue", Wed: "wed", Thu: "thu", Fri: "fri", Sat: "sat", Sun: "sun" };

/** The date, weekday and time of day of `nowMs` (UTC ms) in `timeZone` (an IANA name, e.g. "Asia/Ho_Chi_Minh"). */
export function localTime(nowMs: number, timeZone: string): LocalTime {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    // h23, not hour12: false: the latter prints midnight as "24" in some ICU versions.
    hourCycle: "h23",
  });
  const parts = Object.fromEntries(format.formatToParts(new Date(nowMs)).map((part) => [part.type, part.value]));
  const weekday = WEEKDAYS[parts.weekday ?? ""];
  if (weekday === undefined) throw new Error(`cannot read the weekday of ${nowMs} in ${timeZone}`);
  return {
    dateKey: `${parts.year}-${parts.month}-${parts.day}`,
    weekday,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** Minutes since midnight of "HH:mm" (or "24:00", 1440). */
export function minuteOfDay(clock: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(clock);
  if (!match) throw new Error(`'${clock}' is not HH:mm`);
  return Number(match[1]) * 60 + Number(match[2]);
}
