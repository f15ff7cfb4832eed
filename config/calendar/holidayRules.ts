import { addDays, dateKey, formatVietnameseDate, isRealDate, julianDayNumber, type CivilDate } from "./civilDate.js";
import type { HolidayFile, HolidayRule } from "./holidayData.js";
import { lunarNewYear, lunarToSolar, solarToLunar } from "./lunar.js";
import { vietnameseWeekday } from "./vietnameseNames.js";

/** What kind of day a date is for an office: see {@link DayEntry} and WorkingCalendar.dayKind. */
export type DayKind = "workday" | "weekend" | "holiday" | "substitute" | "swapped" | "makeup";

/** A day that is not simply what its weekday makes it: a holiday, a day off or a day worked by a rule or a notice. */
export interface DayEntry {
  date: CivilDate;
  kind: Exclude<DayKind, "weekend">;
  /** In Vietnamese, as shown to people ("Tết Nguyên đán (mùng 1 Tết)", "Nghỉ bù Quốc khánh (Chủ Nhật 02/09/2029)"). */
  name: string;
  /** The rule's id for a computed holiday ("tet", "national-day"); null for a listed day or a substitute. */
  ruleId: string | null;
  /** Where it comes from: the notice for a listed day, the law for a rule; null when the data says nothing. */
  notice: string | null;
}

/** Days searched for the next working day after a holiday on a weekly day off. */
const SUBSTITUTE_SEARCH_DAYS = 30;

/** Tết days of lunar year `year`: `from`..`to` days from mùng 1, named as people say them. */
function tetDays(rule: HolidayRule, span: { from: number; to: number }, year: number): Array<{ date: CivilDate; name: string }> {
  const mung1 = lunarNewYear(year);
  const days: Array<{ date: CivilDate; name: string }> = [];
  for (let offset = span.from; offset <= span.to; offset++) {
    const date = addDays(mung1, offset);
    const lunar = solarToLunar(date);
    const dayName = offset < 0 ? `${lunar.day} Tết` : lunar.day <= 10 ? `mùng ${lunar.day} Tết` : `${lunar.day} tháng Giêng`;
    days.push({ date, name: `${rule.name} (${dayName})` });
  }
  return days;
}

/**
 * The day of `rule` (`next_to`) in `year`: the day before or after the fixed date. `before`/`after` are as named;
 * `bridge` takes the side that is an office day joining the holiday to a weekly day off (2/9 a Tuesday: Monday 1/9;
 * a Thursday: Friday 3/9), else the side that is an office day, else the day before. This gave the days announced
 * for National Day in 2021–2025.
 */
function nextToDay(rule: HolidayRule, year: number, isWeeklyDayOff: (date: CivilDate) => boolean): CivilDate | null {
  const anchor = { year, ...rule.next_to! };
  if (!isRealDate(anchor)) return null;
  const before = addDays(anchor, -1);
  const after = addDays(anchor, 1);
  if (rule.pick === "before") return before;
  if (rule.pick === "after") return after;
  const bridges = (day: CivilDate, beyond: CivilDate): boolean => !isWeeklyDayOff(day) && isWeeklyDayOff(beyond);
  if (bridges(before, addDays(anchor, -2))) return before;
  if (bridges(after, addDays(anchor, 2))) return after;
  if (!isWeeklyDayOff(before)) return before;
  if (!isWeeklyDayOff(after)) return after;
  return before;
}

/** The dates (in Gregorian `year`) a rule gives, with their names. */
function ruleDays(rule: HolidayRule, year: number, tetSpan: { from: number; to: number } | undefined, isWeeklyDayOff: (date: CivilDate) => boolean): Array<{ date: CivilDate; name: string }> {
  if (rule.solar) {
    const date = { year, ...rule.solar };
    return isRealDate(date) ? [{ date, name: rule.name }] : [];
  }
  if (rule.lunar) {
    // A lunar date late in lunar year N can fall in January of year N+1: try both lunar years.
    return [year - 1, year]
      .map((lunarYear) => lunarToSolar({ year: lunarYear, month: rule.lunar!.month, day: rule.lunar!.day, leap: false }))
      .filter((date): date is CivilDate => date !== null && date.year === year)
      .map((date) => ({ date, name: rule.name }));
  }
  if (rule.tet) return tetDays(rule, tetSpan ?? rule.tet, year).filter((day) => day.date.year === year);
  const day = nextToDay(rule, year, isWeeklyDayOff);
  return day ? [{ date: day, name: rule.name }] : [];
}

/**
 * Every day of Gregorian `year` that is not simply what its weekday makes it, in date order:
 * 1. the holidays of the rules in force that year (the year's table may change Tết's days: `tet`);
 * 2. the days listed in the year's table, which replace what the rules gave on their dates (`workday` cancels);
 * 3. unless the table says `compute_substitutes: false`, a substitute day off for every holiday on a weekly day off
 *    (Labour Code 2019 art. 111(3)): the next day that is an office day and not already a day of this list.
 * `isWeeklyDayOff` says which days the office does not work every week (from its schedule).
 */
export function yearDays(data: HolidayFile, year: number, isWeeklyDayOff: (date: CivilDate) => boolean): DayEntry[] {
  const table = data.years[String(year)];
  const byKey = new Map<string, DayEntry>();
  for (const rule of data.holidays) {
    if ((rule.since !== undefined && year < rule.since) || (rule.until !== undefined && year > rule.until)) continue;
    const tetSpan = rule.tet ? table?.tet : undefined;
    const notice = rule.tet && table?.tet?.notice ? table.tet.notice : (rule.law ?? null);
    for (const { date, name } of ruleDays(rule, year, tetSpan, isWeeklyDayOff)) {
      const key = dateKey(date);
      if (!byKey.has(key)) byKey.set(key, { date, kind: "holiday", name, ruleId: rule.id, notice });
    }
  }
  for (const listed of table?.days ?? []) {
    byKey.set(dateKey(listed.date), { date: listed.date, kind: listed.kind, name: listed.name, ruleId: null, notice: listed.notice });
  }
  if (table?.compute_substitutes !== false) {
    const holidaysOnDaysOff = [...byKey.values()].filter((day) => day.kind === "holiday" && isWeeklyDayOff(day.date)).sort((a, b) => julianDayNumber(a.date) - julianDayNumber(b.date));
    for (const holiday of holidaysOnDaysOff) {
      for (let i = 1; i <= SUBSTITUTE_SEARCH_DAYS; i++) {
        const candidate = addDays(holiday.date, i);
        if (isWeeklyDayOff(candidate) || byKey.has(dateKey(candidate))) continue;
        // A substitute that would fall in the next year belongs to that year's table (never the case for 1/1–2/9).
        if (candidate.year === year) {
          const onDay = `${vietnameseWeekday(holiday.date)} ${formatVietnameseDate(holiday.date)}`;
          byKey.set(dateKey(candidate), { date: candidate, kind: "substitute", name: `Nghỉ bù ${holiday.name}, ${onDay}`, ruleId: null, notice: "Bộ luật Lao động 2019, Điều 111 khoản 3" });
        }
        break;
      }
    }
  }
  return [...byKey.values()].sort((a, b) => julianDayNumber(a.date) - julianDayNumber(b.date));
}

/**
 * What contradicts itself in `year`'s table of `data`, one message per listed day: a make-up working day (làm bù) that
 * is not a weekly day off or that lands on a holiday, and a day given off in exchange (swapped) that is not an office
 * day. Each message names the date and says why; none when the table is consistent (or absent).
 */
export function yearTableProblems(data: HolidayFile, year: number, isWeeklyDayOff: (date: CivilDate) => boolean): Array<{ index: number; message: string }> {
  const table = data.years[String(year)];
  if (!table) return [];
  const withoutTable: HolidayFile = { ...data, years: { ...data.years, [String(year)]: { ...table, days: [] } } };
  const computed = new Map(yearDays(withoutTable, year, isWeeklyDayOff).map((day) => [dateKey(day.date), day]));
  const problems: Array<{ index: number; message: string }> = [];
  table.days.forEach((listed, index) => {
    const day = `${formatVietnameseDate(listed.date)} (${vietnameseWeekday(listed.date)})`;
    const holiday = computed.get(dateKey(listed.date));
    if (listed.kind === "makeup" && !isWeeklyDayOff(listed.date)) {
      problems.push({ index, message: `${day} is an office day already: a make-up working day (makeup) must be a weekly day off` });
    } else if (listed.kind === "makeup" && holiday?.kind === "holiday") {
      problems.push({ index, message: `${day} is ${holiday.name}: a make-up working day cannot fall on a holiday` });
    } else if (listed.kind === "swapped" && isWeeklyDayOff(listed.date)) {
      problems.push({ index, message: `${day} is a weekly day off already: a day given off in exchange (swapped) must be an office day` });
    }
  });
  return problems;
}
