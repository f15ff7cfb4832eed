import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { SiteConfig } from "../../config/collectorSchema.js";
import type { Logger } from "../../config/logger.js";
import type { SampleRecord, SampleStore } from "../store/samples/sampleStore.js";
import type { ReplayPolicy } from "./linkTimeline.js";
import { nextDayKey, previousDayKey, previousMonth, type LocalCalendar } from "./localCalendar.js";
import { emptySiteDay, replaySiteDay, type SiteDay } from "./siteDayReplay.js";
import type { SiteDayRange, SlaDayStore } from "./slaDayStore.js";

/** Most site-days one pass replays by default: the rest waits for the next pass, which follows at once. */
export const DEFAULT_DAYS_PER_PASS = 2000;

/** How long replayed days are kept, days (a report of last year's same month stays possible). */
export const SLA_DAY_RETENTION_DAYS = 400;

/** What the refresher works from. Time is passed in (`now`, UTC ms). */
export interface SlaRefresherDeps {
  days: SlaDayStore;
  samples: Pick<SampleStore, "linkOutcomes">;
  sites: readonly SiteConfig[];
  calendar: LocalCalendar;
  policy: ReplayPolicy;
  /** How far behind `now` replays stop, ms: samples measured later may still be on their way. */
  settleMs: number;
  now: () => number;
  logger: Logger;
  /** Most site-days replayed per pass (default {@link DEFAULT_DAYS_PER_PASS}). */
  daysPerPass?: number;
}

/** What one pass did: site-days replayed, and whether work was left for the next pass. */
export interface RefreshResult {
  replayed: number;
  pending: boolean;
}

/**
 * Keeps every configured site's local days replayed from its stored samples (siteDayReplay.ts) into the SLA store, off
 * the ingest path: each pass extends each site's last day up to `now − settle` (starting a site at the 1st of the
 * previous month), and replays again the days a late write made stale. A write is late when it lands before how far
 * its site is replayed ({@link noteWritten}, told by the ingest path: O(1) per sample, a store write only the first
 * time a day goes stale); the stale day is replayed from the day before's end, and when its end changed the day after
 * is replayed too. So a report after an agent's backfill equals the report of the same samples arriving live.
 *
 * Every replayed day bumps its month's {@link version}, which report caches compare.
 */
export class SlaRefresher {
  readonly #deps: SlaRefresherDeps;
  readonly #ranges: Map<string, SiteDayRange>;
  readonly #stale = new Set<string>();
  readonly #versions = new Map<string, number>();
  #lastPruneTs = 0;
  #running: Promise<RefreshResult> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(deps: SlaRefresherDeps) {
    this.#deps = deps;
    this.#ranges = deps.days.ranges();
    for (const { site, day } of deps.days.staleDays()) this.#stale.add(staleKey(site, day));
  }

  /** A counter that changes whenever a day of `month` ("YYYY-MM") is replayed (again). */
  version(month: string): number {
    return this.#versions.get(month) ?? 0;
  }

  /** How far the site's days are replayed (UTC ms), or null before its first pass. */
  throughTs(site: string): number | null {
    return this.#ranges.get(site)?.lastThroughTs ?? null;
  }

  /** Whether any stale day waits to be replayed again. */
  get hasStaleDays(): boolean {
    return this.#stale.size > 0;
  }

  /** Whether a day of `month` ("YYYY-MM") of `site` waits to be replayed again (a late write landed in it). */
  isStale(site: string, month: string): boolean {
    const prefix = staleKey(site, month);
    for (const key of this.#stale) if (key.startsWith(prefix)) return true;
    return false;
  }

  /**
   * Told of samples just stored: those of a link measured before how far their site is replayed make their day stale.
   * Never throws (a failure to record it is logged; the day is still replayed again in this process).
   */
  noteWritten(records: readonly SampleRecord[]): void {
    for (const record of records) {
      if (record.sample.role !== "link") continue;
      const range = this.#ranges.get(record.site);
      if (!range || record.ts >= range.lastThroughTs) continue;
      const day = this.#deps.calendar.dayKeyOf(record.ts);
      if (day < range.firstDay) continue; // before anything replayed for the site: never in a report
      const key = staleKey(record.site, day);
      if (this.#stale.has(key)) continue;
      this.#stale.add(key);
      try {
        this.#deps.days.markStale(record.site, day);
      } catch (err) {
        this.#deps.logger.warn("SLA: stale day not recorded in sla.db (replayed again in this run only)", { site: record.site, day, err });
      }
    }
  }

  /** Runs one pass (or joins the one under way). */
  refresh(): Promise<RefreshResult> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** Runs a pass every `intervalMs` (at once again while work is left). Failures are logged; the next pass tries again. */
  start(intervalMs: number): void {
    const schedule = (delayMs: number): void => {
      if (this.#stopped) return;
      this.#timer = setTimeout(() => {
        this.refresh().then(
          (result) => schedule(result.pending ? 0 : intervalMs),
          (err: unknown) => {
            this.#deps.logger.error("SLA refresh failed; tried again at the next pass", { err });
            schedule(intervalMs);
          },
        );
      }, delayMs);
      this.#timer.unref();
    };
    schedule(0);
  }

  /** Stops the passes and waits for the one under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  async #pass(): Promise<RefreshResult> {
    const { calendar, days, sites, now, settleMs } = this.#deps;
    const horizon = now() - settleMs;
    const budget = { left: this.#deps.daysPerPass ?? DEFAULT_DAYS_PER_PASS, replayed: 0 };
    for (const site of sites) {
      if (this.#stopped || budget.left <= 0) break;
      if (!this.#ranges.has(site.id) && !(await this.#startSite(site, horizon))) {
        await yieldToEventLoop();
        continue;
      }
      await this.#replayStale(site, budget);
      await this.#extend(site, horizon, budget);
      await yieldToEventLoop();
    }
    if (horizon - this.#lastPruneTs > 86_400_000) {
      this.#lastPruneTs = horizon;
      days.prune(calendar.dayKeyOf(horizon - SLA_DAY_RETENTION_DAYS * 86_400_000));
    }
    return { replayed: budget.replayed, pending: budget.left <= 0 };
  }

  /**
   * Starts the site's days at the day of its first stored link sample since the 1st of the previous month (so a
   * collector upgraded with last month's samples can report last month). Until the site has a sample nothing is
   * stored for it and false is returned: the days of a site that never measured are unknown without being replayed
   * (a country's worth of new sites would otherwise replay some 30 empty days each at the first start). A backfill
   * comes oldest first, so its first batch already sets the start.
   */
  async #startSite(site: SiteConfig, horizon: number): Promise<boolean> {
    const { calendar, samples } = this.#deps;
    const from = calendar.dayBounds(`${previousMonth(calendar.monthOf(horizon))}-01`).fromTs;
    const [first] = await samples.linkOutcomes(site.id, from, horizon - 1, { after: null, limit: 1 });
    if (!first) return false;
    const key = calendar.dayKeyOf(first.ts);
    this.#store(emptySiteDay(site.id, key, calendar.dayBounds(key), site.links.map((l) => l.id), {}));
    return true;
  }

  /** Replays the site's stale days again, oldest first, each from the day before's end; a changed end makes the next stale. */
  async #replayStale(site: SiteConfig, budget: { left: number; replayed: number }): Promise<void> {
    const { days } = this.#deps;
    const range = this.#ranges.get(site.id)!;
    const prefix = staleKey(site.id, "");
    const staleDays = [...this.#stale].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length)).sort();
    while (staleDays.length > 0 && budget.left > 0) {
      const day = staleDays.shift()!;
      // Forgotten before the replay: a write landing in the day while it is read marks it again.
      this.#stale.delete(staleKey(site.id, day));
      days.clearStale(site.id, day);
      const old = day >= range.firstDay && day <= range.lastDay ? days.get(site.id, day) : null;
      if (old) {
        const before = day === range.firstDay ? null : days.get(site.id, previousDayKey(day));
        const fresh = emptySiteDay(site.id, day, { fromTs: old.fromTs, toTs: old.toTs }, Object.keys(old.links), before?.end ?? old.start);
        await replaySiteDay(this.#deps.samples, fresh, old.throughTs, this.#deps.policy);
        this.#store(fresh);
        budget.left -= 1;
        budget.replayed += 1;
        const next = day < range.lastDay ? days.get(site.id, nextDayKey(day)) : null;
        if (next && JSON.stringify(next.start) !== JSON.stringify(fresh.end) && !staleDays.includes(next.day)) {
          staleDays.unshift(next.day);
          this.#stale.add(staleKey(site.id, next.day));
          days.markStale(site.id, next.day);
        }
      }
    }
  }

  /** Replays the site's last day up to `horizon`, starting the days after it as needed. */
  async #extend(site: SiteConfig, horizon: number, budget: { left: number; replayed: number }): Promise<void> {
    const { days, calendar } = this.#deps;
    const range = this.#ranges.get(site.id)!;
    let last = days.get(site.id, range.lastDay);
    while (last && last.throughTs < horizon && budget.left > 0) {
      if (last.throughTs >= last.toTs) {
        const key = nextDayKey(last.day);
        const links = site.links.map((l) => l.id);
        last = emptySiteDay(site.id, key, calendar.dayBounds(key), links, last.end);
      }
      // Claimed before the read: a write landing below it while the day is read makes the day stale (read again).
      range.lastDay = last.day;
      range.lastThroughTs = Math.max(range.lastThroughTs, Math.min(horizon, last.toTs));
      await replaySiteDay(this.#deps.samples, last, horizon, this.#deps.policy);
      this.#store(last);
      budget.left -= 1;
      budget.replayed += 1;
    }
  }

  #store(day: SiteDay): void {
    this.#deps.days.put(day);
    const range = this.#ranges.get(day.site);
    if (!range) this.#ranges.set(day.site, { firstDay: day.day, lastDay: day.day, lastThroughTs: day.throughTs });
    else if (day.day >= range.lastDay) {
      range.lastDay = day.day;
      range.lastThroughTs = day.throughTs;
    }
    const month = day.day.slice(0, 7);
    this.#versions.set(month, (this.#versions.get(month) ?? 0) + 1);
  }
}

function staleKey(site: string, day: string): string {
  return `${site}\u0000${day}`;
}
