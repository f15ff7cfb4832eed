const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A month as the API names it, "YYYY-MM". */
export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * Days and months in one time zone (the province's): the UTC ms where a local day or month begins, and the local day
 * of a moment. Offsets are read from the platform's time zone data (Intl), once per UTC hour seen (cached), so a zone
 * with summer time or a past change of offset is right too; Vietnam (UTC+7 since 1975) has neither.
 */
export class LocalCalendar {
  readonly #format: Intl.DateTimeFormat;
  readonly #offsetByHour = new Map<number, number>();

  /** `timeZone`: an IANA name the platform knows (validated at load, config/timeZone.ts). */
  constructor(readonly timeZone: string) {
    this.#format = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  }

  /** Local time minus UTC at `ts` (UTC ms), ms (UTC+7: 25,200,000). */
  offsetMs(ts: number): number {
    const hour = Math.floor(ts / HOUR_MS);
    let offset = this.#offsetByHour.get(hour);
    if (offset === undefined) {
      const parts = Object.fromEntries(this.#format.formatToParts(new Date(hour * HOUR_MS)).map((part) => [part.type, part.value]));
      const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
      offset = local - hour * HOUR_MS;
      if (this.#offsetByHour.size > 100_000) this.#offsetByHour.clear();
      this.#offsetByHour.set(hour, offset);
    }
    return offset;
  }

  /** The local date of `ts` (UTC ms), "YYYY-MM-DD". */
  dayKeyOf(ts: number): string {
    return new Date(ts + this.offsetMs(ts)).toISOString().slice(0, 10);
  }

  /** The local month of `ts` (UTC ms), "YYYY-MM". */
  monthOf(ts: number): string {
    return this.dayKeyOf(ts).slice(0, 7);
  }

  /** UTC ms of local midnight starting `dayKey` ("YYYY-MM-DD"). */
  dayStartMs(dayKey: string): number {
    const [year, month, day] = dayKey.split("-").map(Number) as [number, number, number];
    return this.#localToUtc(Date.UTC(year, month - 1, day));
  }

  /** The local day [fromTs, toTs) of `dayKey`, UTC ms (23, 24 or 25 hours long). */
  dayBounds(dayKey: string): { fromTs: number; toTs: number } {
    return { fromTs: this.dayStartMs(dayKey), toTs: this.dayStartMs(nextDayKey(dayKey)) };
  }

  /** The local month [fromTs, toTs) of `month` ("YYYY-MM"), UTC ms. */
  monthBounds(month: string): { fromTs: number; toTs: number } {
    return { fromTs: this.dayStartMs(`${month}-01`), toTs: this.dayStartMs(`${nextMonth(month)}-01`) };
  }

  /** The local days of `month`, "YYYY-MM-DD", in order. */
  daysOf(month: string): string[] {
    const days: string[] = [];
    for (let day = `${month}-01`; day.startsWith(month); day = nextDayKey(day)) days.push(day);
    return days;
  }

  /** UTC ms whose local wall-clock reads `wallMs` (wall-clock as if UTC); for a time skipped by a change, just after. */
  #localToUtc(wallMs: number): number {
    let guess = wallMs - this.offsetMs(wallMs);
    guess = wallMs - this.offsetMs(guess);
    return guess;
  }
}

/** The day after `dayKey` ("YYYY-MM-DD"). */
export function nextDayKey(dayKey: string): string {
  return new Date(Date.parse(`${dayKey}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** The day before `dayKey` ("YYYY-MM-DD"). */
export function previousDayKey(dayKey: string): string {
  return new Date(Date.parse(`${dayKey}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
}

/** The month after `month` ("YYYY-MM"). */
export function nextMonth(month: string): string {
  const [year, m] = month.split("-").map(Number) as [number, number];
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, "0")}`;
}

/** The month before `month` ("YYYY-MM"). */
export function previousMonth(month: string): string {
  const [year, m] = month.split("-").map(Number) as [number, number];
  return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, "0")}`;
}
