import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { identifierSchema } from "../../protocol/sample.js";
import { loadYamlFile } from "../loader.js";
import { isRealDate, type CivilDate } from "./civilDate.js";

/**
 * The holiday table shipped with wardwatch (config/calendar/vn-holidays.yaml, copied beside the compiled module by
 * the build): the holidays of the Labour Code and the yearly notices known at release. A province file adds to it.
 */
export const SHIPPED_HOLIDAYS_FILE = resolve(dirname(fileURLToPath(import.meta.url)), "vn-holidays.yaml");

/** The years the calendar computes (the lunar calendar is checked over them). */
export const CALENDAR_YEARS = { first: 1900, last: 2100 } as const;

const yearSchema = z.number().int().min(CALENDAR_YEARS.first).max(CALENDAR_YEARS.last);

/** "dd/mm" (e.g. "02/09"): a day of the solar year, or with `lunar` of the lunar year (day 1–30). */
const dayMonthSchema = (lunar: boolean) =>
  z.string().transform((text, ctx) => {
    const match = /^(\d{1,2})\/(\d{1,2})$/.exec(text.trim());
    const value = match ? { day: Number(match[1]), month: Number(match[2]) } : null;
    const ok = value !== null && (lunar ? value.day >= 1 && value.day <= 30 && value.month >= 1 && value.month <= 12 : isRealDate({ year: 2024, ...value }));
    if (!ok) {
      ctx.addIssue({ code: "custom", message: `'${text}' is not a ${lunar ? "lunar " : ""}day dd/mm (e.g. ${lunar ? "10/03" : "02/09"})` });
      return z.NEVER;
    }
    return value!;
  });

/** "dd/mm/yyyy" (e.g. "10/01/2026"), a real date. */
const fullDateSchema = z.string().transform((text, ctx): CivilDate => {
  const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  const value = match ? { day: Number(match[1]), month: Number(match[2]), year: Number(match[3]) } : null;
  if (!value || !isRealDate(value)) {
    ctx.addIssue({ code: "custom", message: `'${text}' is not a date dd/mm/yyyy (e.g. 10/01/2026)` });
    return z.NEVER;
  }
  return value;
});

/** Days of Tết off, relative to mùng 1 (0): -1 is the last day of the old year, 3 is mùng 4. Five days by law. */
const tetSpanSchema = z
  .strictObject({
    from: z.number().int().min(-5).max(0),
    to: z.number().int().min(0).max(9),
    notice: z.string().min(1).max(300).optional(),
  })
  .refine((span) => span.to - span.from + 1 <= 10, { message: "at most 10 days of Tết" });

/** How the second day of a two-day holiday beside a fixed date is chosen (see holidayRules.ts). */
const pickSchema = z.enum(["bridge", "before", "after"]);

/**
 * A holiday rule: one of `solar` (a fixed date, "30/04"), `lunar` (a lunar date, "10/03"), `tet` (the Lunar New
 * Year's days around mùng 1) or `next_to` (the day before or after a fixed date, chosen by `pick`), in force from
 * `since` to `until` (years, both included; always when absent).
 */
const holidayRuleSchema = z
  .strictObject({
    id: identifierSchema,
    name: z.string().min(1).max(200),
    since: yearSchema.optional(),
    until: yearSchema.optional(),
    solar: dayMonthSchema(false).optional(),
    lunar: dayMonthSchema(true).optional(),
    tet: tetSpanSchema.optional(),
    next_to: dayMonthSchema(false).optional(),
    pick: pickSchema.optional(),
    law: z.string().min(1).max(300).optional(),
  })
  .superRefine((rule, ctx) => {
    const given = (["solar", "lunar", "tet", "next_to"] as const).filter((key) => rule[key] !== undefined);
    if (given.length !== 1) ctx.addIssue({ code: "custom", message: `give exactly one of solar, lunar, tet or next_to${given.length > 1 ? ` (not ${given.join(" and ")})` : ""}` });
    if (rule.pick !== undefined && rule.next_to === undefined) ctx.addIssue({ code: "custom", path: ["pick"], message: "pick goes with next_to" });
    if (rule.since !== undefined && rule.until !== undefined && rule.until < rule.since) ctx.addIssue({ code: "custom", path: ["until"], message: `until (${rule.until}) is before since (${rule.since})` });
  });

/** What a day listed in a year's table is. */
export const LISTED_DAY_KINDS = ["holiday", "substitute", "swapped", "makeup", "workday"] as const;

/**
 * A day of a year's table, from the notice named: `holiday` (an extra day off), `substitute` (nghỉ bù for a holiday
 * on a weekly day off), `swapped` (an office day given off, worked on a `makeup` day instead), `makeup` (ngày làm
 * bù: a weekly day off that is worked), `workday` (an ordinary office day after all: cancels a computed day off).
 */
const listedDaySchema = z.strictObject({
  date: fullDateSchema,
  kind: z.enum(LISTED_DAY_KINDS),
  name: z.string().min(1).max(200),
  notice: z.string().min(1).max(300),
});

/** One year's table: the notice as a whole, Tết's days if not the rule's, whether to compute substitute days, the days listed. */
const yearTableSchema = z
  .strictObject({
    notice: z.string().min(1).max(300).optional(),
    tet: tetSpanSchema.optional(),
    /** false: the notice lists every substitute day itself, none is computed. */
    compute_substitutes: z.boolean().optional(),
    days: z.array(listedDaySchema).max(100).default([]),
  });

/** A holiday file (the shipped one or a province's): rules, and tables by year. */
export const holidayFileSchema = z
  .strictObject({
    holidays: z.array(holidayRuleSchema).max(100).default([]),
    years: z.record(z.string().regex(/^\d{4}$/, "must be a year (e.g. 2026)"), yearTableSchema).default({}),
  })
  .superRefine((file, ctx) => {
    file.holidays.forEach((rule, i) => {
      if (file.holidays.findIndex((r) => r.id === rule.id) !== i) ctx.addIssue({ code: "custom", path: ["holidays", i, "id"], message: `duplicate holiday id '${rule.id}'` });
    });
    for (const [year, table] of Object.entries(file.years)) {
      const y = Number(year);
      if (y < CALENDAR_YEARS.first || y > CALENDAR_YEARS.last) ctx.addIssue({ code: "custom", path: ["years", year], message: `the calendar covers ${CALENDAR_YEARS.first}–${CALENDAR_YEARS.last}` });
      const seen = new Set<string>();
      table.days.forEach((day, i) => {
        const key = `${day.date.year}-${day.date.month}-${day.date.day}`;
        if (day.date.year !== y) ctx.addIssue({ code: "custom", path: ["years", year, "days", i, "date"], message: `${day.date.day}/${day.date.month}/${day.date.year} is not in ${year}` });
        if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["years", year, "days", i, "date"], message: `${day.date.day}/${day.date.month}/${day.date.year} is listed twice` });
        seen.add(key);
      });
    }
  });

/** A holiday file as parsed. */
export type HolidayFile = z.output<typeof holidayFileSchema>;
/** One rule of {@link HolidayFile}. */
export type HolidayRule = HolidayFile["holidays"][number];
/** One year's table of {@link HolidayFile}. */
export type YearTable = HolidayFile["years"][string];

/**
 * `base` with `addition` laid over it: a rule with the same id replaces the base's (in place; new ones are added
 * at the end); a year's `notice`, `tet` and `compute_substitutes` replace the base's when given, and its listed
 * days replace the base's days of the same date.
 */
export function mergeHolidayFiles(base: HolidayFile, addition: HolidayFile): HolidayFile {
  const holidays = base.holidays.map((rule) => addition.holidays.find((r) => r.id === rule.id) ?? rule);
  holidays.push(...addition.holidays.filter((rule) => !base.holidays.some((r) => r.id === rule.id)));
  const years: Record<string, YearTable> = { ...base.years };
  for (const [year, table] of Object.entries(addition.years)) {
    const previous = years[year];
    if (!previous) {
      years[year] = table;
      continue;
    }
    const sameDate = (a: CivilDate, b: CivilDate): boolean => a.year === b.year && a.month === b.month && a.day === b.day;
    years[year] = {
      ...previous,
      ...(table.notice !== undefined ? { notice: table.notice } : {}),
      ...(table.tet !== undefined ? { tet: table.tet } : {}),
      ...(table.compute_substitutes !== undefined ? { compute_substitutes: table.compute_substitutes } : {}),
      days: [...previous.days.filter((day) => !table.days.some((d) => sameDate(d.date, day.date))), ...table.days],
    };
  }
  return { holidays, years };
}

/**
 * Reads the shipped holiday table and, when given, the province's file over it (see {@link mergeHolidayFiles}).
 * Throws ConfigError naming the file, line and key of every problem.
 */
export function loadHolidays(provinceFile: string | null, shippedFile: string = SHIPPED_HOLIDAYS_FILE): HolidayFile {
  const shipped = loadYamlFile(shippedFile, holidayFileSchema);
  return provinceFile === null ? shipped : mergeHolidayFiles(shipped, loadYamlFile(provinceFile, holidayFileSchema));
}
