/** The SLA page's route: `#/sla?month=YYYY-MM`; a missing or malformed month is the current one (null here). */
export interface SlaRoute {
  month: string | null;
}

/** Reads the page's query (`month`); anything that is not YYYY-MM is null. */
export function parseSlaRoute(query: URLSearchParams): SlaRoute {
  const month = query.get("month");
  return { month: month && /^\d{4}-(0[1-9]|1[0-2])$/.test(month) ? month : null };
}

/** The hash of the SLA page for `month` (or the current month). */
export function slaHref(month: string | null = null): string {
  return month ? `#/sla?month=${month}` : "#/sla";
}

/** The current month in the province's time zone (UTC+7, no summer time), "YYYY-MM", at `nowMs` (UTC ms). */
export function currentMonth(nowMs: number): string {
  return new Date(nowMs + 7 * 3_600_000).toISOString().slice(0, 7);
}
