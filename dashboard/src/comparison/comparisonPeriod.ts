/** Periods the link comparison offers, ending now; or a custom range of whole days. */
export type PeriodName = "24h" | "7d" | "30d" | "90d" | "1y";

const DAY_MS = 86_400_000;

/** The presets in the order the selector shows them, with their length in ms. */
export const PERIODS: ReadonlyArray<{ name: PeriodName; lengthMs: number }> = [
  { name: "24h", lengthMs: DAY_MS },
  { name: "7d", lengthMs: 7 * DAY_MS },
  { name: "30d", lengthMs: 30 * DAY_MS },
  { name: "90d", lengthMs: 90 * DAY_MS },
  { name: "1y", lengthMs: 365 * DAY_MS },
];

/** The period shown when none is chosen. */
export const DEFAULT_PERIOD: PeriodName = "7d";

/** UTC+7 (the province's time, no daylight saving), ms. */
const UTC7_OFFSET_MS = 7 * 3_600_000;

/** A chosen period: a preset ending now, or whole days `fromDay`…`toDay` (dd/mm/yyyy, both included, UTC+7). */
export type ComparisonPeriod = { kind: "preset"; name: PeriodName } | { kind: "days"; fromDay: string; toDay: string };

/** Midnight UTC+7 of a `dd/mm/yyyy` day, UTC ms; null when it is not a real date. */
export function parseDay(text: string): number | null {
  const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (!match) return null;
  const [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ts = Date.UTC(year, month - 1, day);
  const date = new Date(ts);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return ts - UTC7_OFFSET_MS;
}

/** The period in a `#/comparison?period=…` or `?from=dd/mm/yyyy&to=dd/mm/yyyy` query; anything else is the default. */
export function parsePeriod(query: URLSearchParams): ComparisonPeriod {
  const fromDay = query.get("from");
  const toDay = query.get("to");
  if (fromDay && toDay && parseDay(fromDay) !== null && parseDay(toDay) !== null) return { kind: "days", fromDay, toDay };
  const name = query.get("period");
  return { kind: "preset", name: PERIODS.find((p) => p.name === name)?.name ?? DEFAULT_PERIOD };
}

/** The hash route of the comparison for a period. */
export function comparisonHref(period: ComparisonPeriod): string {
  const query = period.kind === "preset" ? new URLSearchParams({ period: period.name }) : new URLSearchParams({ from: period.fromDay, to: period.toDay });
  return `#/comparison?${query.toString()}`;
}

/**
 * The window [fromMs, toMs) of a period at `nowMs` (UTC ms): a preset ends at now; days run from the first day's
 * midnight to the midnight after the last (UTC+7), the two swapped when given in reverse; null when a day is invalid.
 */
export function periodWindow(period: ComparisonPeriod, nowMs: number): { fromMs: number; toMs: number } | null {
  if (period.kind === "preset") {
    const lengthMs = PERIODS.find((p) => p.name === period.name)?.lengthMs ?? 7 * DAY_MS;
    return { fromMs: nowMs - lengthMs, toMs: nowMs };
  }
  const a = parseDay(period.fromDay);
  const b = parseDay(period.toDay);
  if (a === null || b === null) return null;
  return { fromMs: Math.min(a, b), toMs: Math.max(a, b) + DAY_MS };
}
