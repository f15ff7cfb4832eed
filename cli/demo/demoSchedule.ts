/**
 * What goes wrong in `wardwatch demo`'s simulated province, and when: a fixed, repeating script, so that a newcomer
 * sees a link fail within the first minute, a site lose both links (it cannot push, and backfills when one is back),
 * a site lose power (nothing measured, nothing to backfill), and now and then one provider's Internet links fail
 * together (a provider outage). Pure: times are ms from the demo's origin, or UTC ms.
 */
import type { LinkFailure, SimulatedLinkId } from "../../simulator/siteModel.js";

/** One cycle of the script, ms: it starts again, on other sites, every cycle. */
export const DEMO_CYCLE_MS = 10 * 60_000;

/** One scripted event of a cycle: `link` of site number `site` fails from `atMs` (into the cycle) for `forMs`. */
interface ScriptedFailure {
  /** Which site, as an offset: the site of cycle k is (offset + 5k) mod the number of sites. */
  siteOffset: number;
  /** "both": both links down, so the agent cannot push until one is back; "power": the site is off. */
  link: SimulatedLinkId | "both" | "power";
  atMs: number;
  forMs: number;
}

/** A single link down (one vendor's incident), another site's dedicated line down, a site with both links down. */
const CYCLE_SCRIPT: readonly ScriptedFailure[] = [
  { siteOffset: 2, link: "inet", atMs: 5_000, forMs: 150_000 },
  { siteOffset: 4, link: "tslcd", atMs: 20_000, forMs: 240_000 },
  { siteOffset: 9, link: "both", atMs: 200_000, forMs: 120_000 },
  { siteOffset: 13, link: "power", atMs: 330_000, forMs: 150_000 },
];

/** Every other cycle, one provider's Internet links all fail at once, from this far into the cycle, for this long. */
const PROVIDER_OUTAGE = { atMs: 60_000, forMs: 180_000 } as const;

/** A site of the simulated province, as the script sees it: its index and its Internet link's provider. */
export interface ScriptedSite {
  index: number;
  inetProvider: string;
}

/** A time range, UTC ms, start inclusive, end exclusive. */
export interface TimeRange {
  fromTs: number;
  untilTs: number;
}

/** What the script does to one site: its links' failures (both at once: it cannot push), and when it is off. */
export interface SiteScript {
  failures: LinkFailure[];
  powerOff: TimeRange[];
}

/**
 * The script of `site` between `fromTs` and `untilTs` (UTC ms), for a demo whose script started at `originTs`,
 * among `siteCount` sites; the provider outages hit `outageProviders` in turn (one per outage). Times before the
 * origin belong to the cycles before it (the history the sites backfill at start).
 */
export function scriptFor(site: ScriptedSite, siteCount: number, outageProviders: readonly string[], originTs: number, fromTs: number, untilTs: number): SiteScript {
  const failures: LinkFailure[] = [];
  const powerOff: TimeRange[] = [];
  const firstCycle = Math.floor((fromTs - originTs) / DEMO_CYCLE_MS) - 1;
  const lastCycle = Math.ceil((untilTs - originTs) / DEMO_CYCLE_MS);
  for (let cycle = firstCycle; cycle <= lastCycle; cycle++) {
    const cycleTs = originTs + cycle * DEMO_CYCLE_MS;
    for (const event of CYCLE_SCRIPT) {
      if (mod(event.siteOffset + 5 * cycle, siteCount) !== site.index) continue;
      const range = { fromTs: cycleTs + event.atMs, untilTs: cycleTs + event.atMs + event.forMs };
      if (event.link === "power") {
        powerOff.push(range);
        continue;
      }
      const links: SimulatedLinkId[] = event.link === "both" ? ["tslcd", "inet"] : [event.link];
      for (const link of links) failures.push({ link, ...range });
    }
    if (mod(cycle, 2) === 0 && outageProviders.length > 0 && outageProviders[mod(cycle / 2, outageProviders.length)] === site.inetProvider) {
      failures.push({ link: "inet", fromTs: cycleTs + PROVIDER_OUTAGE.atMs, untilTs: cycleTs + PROVIDER_OUTAGE.atMs + PROVIDER_OUTAGE.forMs });
    }
  }
  const within = <T extends { fromTs: number; untilTs: number | null }>(ranges: T[]): T[] =>
    ranges.filter((r) => (r.untilTs === null || r.untilTs > fromTs) && r.fromTs < untilTs).sort((a, b) => a.fromTs - b.fromTs);
  return { failures: within(failures), powerOff: within(powerOff) };
}

/** Whether `ts` (UTC ms) falls in one of `ranges`. */
export function inRanges(ranges: readonly TimeRange[], ts: number): boolean {
  return ranges.some((range) => ts >= range.fromTs && ts < range.untilTs);
}

function mod(value: number, by: number): number {
  return ((value % by) + by) % by;
}
