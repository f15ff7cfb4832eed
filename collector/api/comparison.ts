import type { ComparisonApp, ComparisonFigures, ComparisonSite, ComparisonTotal, LinkKind, SiteStatus } from "../../protocol/api.js";
import type { PathSummary } from "../store/samples/pathSummary.js";

/** Rounds, ok rounds and the latency sum (ms × ok rounds) of one application over one kind of link, added up. */
interface Tally {
  rounds: number;
  okRounds: number;
  /** Ok rounds that have a latency, and the sum of their latency (weighted by those rounds), ms. */
  latencyRounds: number;
  latencySumMs: number;
}

const KINDS: readonly LinkKind[] = ["dedicated", "internet"];

/**
 * Pure: folds path summaries of applications (role `app`, one per site, app, link) into the link comparison: per
 * application, per site, the figures over its dedicated links and over its Internet links (a site with two Internet
 * links: both together), and the province's totals. Rounds add up; availability is ok rounds over rounds; the mean
 * latency is weighted by ok rounds (each path's mean is over its ok rounds). Paths of sites or links not in `sites`
 * (removed from the configuration) are left out. Apps by id, sites by name (`collator`).
 */
export function compareApplications(paths: readonly PathSummary[], sites: readonly Pick<SiteStatus, "id" | "name" | "links">[], collator: Intl.Collator): ComparisonApp[] {
  const siteById = new Map(sites.map((site) => [site.id, site]));
  const apps = new Map<string, { kind: string; bySite: Map<string, Record<LinkKind, Tally | null>> }>();
  for (const path of paths) {
    const site = siteById.get(path.site);
    const linkKind = site?.links.find((link) => link.id === path.link)?.kind;
    if (!site || !linkKind || path.rounds <= 0) continue;
    let app = apps.get(path.probe);
    if (!app) {
      app = { kind: path.kind, bySite: new Map() };
      apps.set(path.probe, app);
    }
    let tallies = app.bySite.get(site.id);
    if (!tallies) {
      tallies = { dedicated: null, internet: null };
      app.bySite.set(site.id, tallies);
    }
    const tally = (tallies[linkKind] ??= { rounds: 0, okRounds: 0, latencyRounds: 0, latencySumMs: 0 });
    const okRounds = (path.rounds * path.okPct) / 100;
    tally.rounds += path.rounds;
    tally.okRounds += okRounds;
    if (path.latencyAvgMs !== null && okRounds > 0) {
      tally.latencyRounds += okRounds;
      tally.latencySumMs += path.latencyAvgMs * okRounds;
    }
  }
  return [...apps.entries()]
    .sort(([a], [b]) => collator.compare(a, b))
    .map(([appId, app]): ComparisonApp => {
      const siteRows: ComparisonSite[] = [...app.bySite.entries()].map(([siteId, tallies]) => ({
        site: siteId,
        siteName: siteById.get(siteId)?.name ?? siteId,
        dedicated: tallies.dedicated ? figuresOf(tallies.dedicated) : null,
        internet: tallies.internet ? figuresOf(tallies.internet) : null,
      }));
      siteRows.sort((a, b) => collator.compare(a.siteName, b.siteName) || collator.compare(a.site, b.site));
      const total = Object.fromEntries(KINDS.map((kind) => [kind, totalOf([...app.bySite.values()].flatMap((t) => (t[kind] ? [t[kind]] : [])))])) as ComparisonApp["total"];
      return { app: appId, kind: app.kind, total, sites: siteRows };
    });
}

function figuresOf(tally: Tally): ComparisonFigures {
  return {
    rounds: tally.rounds,
    availabilityPct: tally.rounds > 0 ? (tally.okRounds * 100) / tally.rounds : null,
    latencyMeanMs: tally.latencyRounds > 0 ? tally.latencySumMs / tally.latencyRounds : null,
  };
}

function totalOf(tallies: Tally[]): ComparisonTotal | null {
  if (tallies.length === 0) return null;
  const sum: Tally = { rounds: 0, okRounds: 0, latencyRounds: 0, latencySumMs: 0 };
  for (const t of tallies) {
    sum.rounds += t.rounds;
    sum.okRounds += t.okRounds;
    sum.latencyRounds += t.latencyRounds;
    sum.latencySumMs += t.latencySumMs;
  }
  const siteMeans = tallies.flatMap((t) => (t.latencyRounds > 0 ? [t.latencySumMs / t.latencyRounds] : []));
  return { ...figuresOf(sum), sites: tallies.length, siteLatencyP50Ms: median(siteMeans) };
}

/** The median of `values` (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
