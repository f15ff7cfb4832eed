import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { LinkOutcome, SampleStore } from "../store/samples/sampleStore.js";
import { LinkReplay, freshReplayState, type LinkDayTimeline, type LinkReplayState, type ReplayPolicy } from "./linkTimeline.js";

/**
 * One site's local day as replayed from its stored samples (UTC ms): the day [fromTs, toTs), replayed up to `throughTs`
 * (the day's end, or less for a day still running); each configured link's replay state at the day's start (`start`,
 * to tell whether the day before changed since) and at `throughTs` (`end`), and its timeline.
 */
export interface SiteDay {
  site: string;
  day: string;
  fromTs: number;
  toTs: number;
  throughTs: number;
  start: Record<string, LinkReplayState>;
  end: Record<string, LinkReplayState>;
  links: Record<string, LinkDayTimeline>;
}

/** Outcomes read per query: a page is read in a few milliseconds, so no read holds the event loop long. */
export const SLA_OUTCOME_PAGE_SIZE = 5000;

/** A new day for `links`, starting from the replay states `start` (a link absent there starts fresh), nothing replayed yet. */
export function emptySiteDay(site: string, day: string, bounds: { fromTs: number; toTs: number }, links: readonly string[], start: Record<string, LinkReplayState>): SiteDay {
  const startStates = Object.fromEntries(links.map((link) => [link, start[link] ?? freshReplayState()]));
  return { site, day, fromTs: bounds.fromTs, toTs: bounds.toTs, throughTs: bounds.fromTs, start: startStates, end: structuredClone(startStates), links: Object.fromEntries(links.map((link) => [link, { changes: [], spans: [] }])) };
}

/**
 * Replays the site's link samples with `day.throughTs` ≤ ts < `untilTs` (UTC ms, at most the day's end) onto `day`
 * (changed in place, and returned): samples are read from the sample store a page at a time, in the order ts, link,
 * probe, giving the event loop back between pages; the samples of one link with one ts are one round (the agent stamps
 * every probe of a round with the round's start), which got through when any of them did. Samples of links the day
 * does not list are ignored.
 */
export async function replaySiteDay(samples: Pick<SampleStore, "linkOutcomes">, day: SiteDay, untilTs: number, policy: ReplayPolicy, pageSize = SLA_OUTCOME_PAGE_SIZE): Promise<SiteDay> {
  const until = Math.min(untilTs, day.toTs);
  if (until <= day.throughTs) return day;
  const replays = new Map<string, LinkReplay>();
  for (const [link, timeline] of Object.entries(day.links)) replays.set(link, new LinkReplay(day.end[link] ?? freshReplayState(), timeline, day.fromTs, policy));
  const pending = new Map<string, { ts: number; ok: boolean }>();
  const flush = (link: string): void => {
    const round = pending.get(link);
    if (round) replays.get(link)?.add(round);
    pending.delete(link);
  };
  let after: LinkOutcome | null = null;
  for (;;) {
    // linkOutcomes' upper bound is inclusive: `until` itself belongs to the next stretch.
    const page: LinkOutcome[] = await samples.linkOutcomes(day.site, day.throughTs, until - 1, { after, limit: pageSize });
    for (const outcome of page) {
      if (!replays.has(outcome.link)) continue;
      const round = pending.get(outcome.link);
      if (round && round.ts === outcome.ts) round.ok ||= outcome.ok;
      else {
        flush(outcome.link);
        pending.set(outcome.link, { ts: outcome.ts, ok: outcome.ok });
      }
    }
    if (page.length < pageSize) break;
    after = page.at(-1)!;
    await yieldToEventLoop();
  }
  // Every sample of a round has the round's ts, so a stretch ending before `until` holds whole rounds.
  for (const link of [...pending.keys()]) flush(link);
  for (const [link, replay] of replays) day.end[link] = replay.state;
  day.throughTs = until;
  return day;
}
