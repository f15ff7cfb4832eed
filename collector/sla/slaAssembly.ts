import type { SlaOutage, SlaTimeSplit } from "../../protocol/sla.js";
import type { SlaLinkState } from "./linkTimeline.js";
import type { OfficeMask } from "./officeMask.js";
import type { SiteDay } from "./siteDayReplay.js";

/** Time per SLA category, ms. */
export interface CategoryTimes {
  upMs: number;
  downMs: number;
  unknownMs: number;
  excludedMs: number;
}

/** One link's month: times 24/7 and in office hours, and its outages (every stretch of `down`, clipped, UTC ms). */
export interface LinkMonth {
  allHours: CategoryTimes;
  officeHours: CategoryTimes;
  outages: SlaOutage[];
}

/** What a link's month is read from: the period counted [fromTs, toTs) (UTC ms) and the settings of the replay. */
export interface AssemblyWindow {
  fromTs: number;
  /** End of what is counted: the month's end, or how far the site is replayed when that is earlier. */
  toTs: number;
  maxRoundGapMs: number;
}

type Category = SlaLinkState | "excluded";

/**
 * Pure: a link's month from its replayed days (in order; a day that does not list the link counts as unknown), its
 * excluded stretches ([start, end), UTC ms, any order, may overlap) and the office hours. At each moment the link is
 * `excluded` when an excluded stretch covers it, else `unknown` when no round stands for it (see LinkDayTimeline:
 * the last round stands for `maxRoundGapMs` after it, at most up to how far its day is replayed), else the state
 * the replay gave.
 */
export function assembleLinkMonth(days: readonly SiteDay[], link: string, excluded: ReadonlyArray<readonly [number, number]>, window: AssemblyWindow, office: OfficeMask): LinkMonth {
  const changes: Array<[number, SlaLinkState]> = [];
  const spans: Array<[number, number]> = [];
  for (const day of days) {
    const timeline = day.links[link];
    if (!timeline) {
      changes.push([day.fromTs, "unknown"]);
      continue;
    }
    changes.push(...timeline.changes);
    spans.push(...timeline.spans.map(([a, b]) => [a, b] as [number, number]));
  }
  const covered = mergeSpans(spans);
  const last = covered[covered.length - 1];
  const lastDay = days[days.length - 1];
  if (last && lastDay) last[1] = Math.max(last[1], Math.min(last[1] + window.maxRoundGapMs, lastDay.throughTs));
  const excludedSpans = mergeSpans(excluded.map(([a, b]) => [a, b] as [number, number]));

  const { fromTs, toTs } = window;
  const bounds = new Set<number>([fromTs, toTs]);
  const within = (ts: number): void => {
    if (ts > fromTs && ts < toTs) bounds.add(ts);
  };
  for (const [ts] of changes) within(ts);
  for (const [a, b] of covered) (within(a), within(b));
  for (const [a, b] of excludedSpans) (within(a), within(b));
  const points = [...bounds].sort((a, b) => a - b);

  const result: LinkMonth = { allHours: zeroTimes(), officeHours: zeroTimes(), outages: [] };
  const stateAt = cursor(changes, (c) => c[0]);
  const coverAt = spanCursor(covered);
  const excludedAt = spanCursor(excludedSpans);
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    const category: Category = excludedAt(start) ? "excluded" : !coverAt(start) ? "unknown" : (stateAt(start)?.[1] ?? "unknown");
    add(result.allHours, category, end - start);
    add(result.officeHours, category, office.officeMs(start, end));
    if (category === "down") {
      const previous = result.outages[result.outages.length - 1];
      if (previous && previous.endTs === start) previous.endTs = end;
      else result.outages.push({ startTs: start, endTs: end });
    }
  }
  return result;
}

/** No time yet. */
export function zeroTimes(): CategoryTimes {
  return { upMs: 0, downMs: 0, unknownMs: 0, excludedMs: 0 };
}

/** Adds `b` into `a`. */
export function addTimes(a: CategoryTimes, b: CategoryTimes): void {
  a.upMs += b.upMs;
  a.downMs += b.downMs;
  a.unknownMs += b.unknownMs;
  a.excludedMs += b.excludedMs;
}

/** The times with availability (up / (up + down)) and coverage ((up + down) / (up + down + unknown)), %, rounded to 0.001. */
export function timeSplitOf(times: CategoryTimes): SlaTimeSplit {
  const measured = times.upMs + times.downMs;
  const counted = measured + times.unknownMs;
  return {
    ...times,
    availabilityPct: measured > 0 ? roundPct((times.upMs / measured) * 100) : null,
    coveragePct: counted > 0 ? roundPct((measured / counted) * 100) : null,
  };
}

function roundPct(pct: number): number {
  return Math.round(pct * 1000) / 1000;
}

function add(times: CategoryTimes, category: Category, ms: number): void {
  if (ms <= 0) return;
  if (category === "up") times.upMs += ms;
  else if (category === "down") times.downMs += ms;
  else if (category === "unknown") times.unknownMs += ms;
  else times.excludedMs += ms;
}

/** Sorted, overlapping or touching spans merged. */
function mergeSpans(spans: Array<[number, number]>): Array<[number, number]> {
  const sorted = spans.filter(([a, b]) => b >= a).sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}

/** The last item whose key is ≤ ts, for ts asked in ascending order. */
function cursor<T>(items: readonly T[], key: (item: T) => number): (ts: number) => T | undefined {
  let i = -1;
  return (ts) => {
    while (i + 1 < items.length && key(items[i + 1]!) <= ts) i++;
    return i >= 0 ? items[i] : undefined;
  };
}

/** Whether a span [start, end) of `spans` (sorted, disjoint) covers ts, for ts asked in ascending order. */
function spanCursor(spans: ReadonlyArray<readonly [number, number]>): (ts: number) => boolean {
  let i = 0;
  return (ts) => {
    while (i < spans.length && spans[i]![1] <= ts) i++;
    const span = spans[i];
    return span !== undefined && span[0] <= ts && ts < span[1];
  };
}
