import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { MaintenanceWindow, ProviderConfig, SiteConfig } from "../../config/collectorSchema.js";
import { MAX_LISTED_OUTAGES, type SlaCircuit, type SlaProvider, type SlaReport, type SlaScope } from "../../protocol/sla.js";
import { addTimes, assembleLinkMonth, timeSplitOf, zeroTimes } from "./slaAssembly.js";
import { POWER_LOOKBACK_MS, incidentConcerns, maintenanceOf, responseOf, siteOutages, type SlaIncident, type SlaIncidentSource } from "./slaIncidents.js";
import type { LocalCalendar } from "./localCalendar.js";
import { OfficeMask, type IsOfficeTime } from "./officeMask.js";
import type { SiteDay } from "./siteDayReplay.js";

/** How long a month's figures are reused while its replayed days have not changed, ms (acknowledgements still move MTTA). */
export const SLA_REPORT_CACHE_MS = 60_000;

/** Most incidents one month's report reads (a province has a few hundred a month). */
export const MAX_SLA_INCIDENTS = 100_000;

/** The coverage below which no verdict is given, %: a 99.5 % target allows 3.6 h of a month down; 10 % unseen is 72 h. */
export const SLA_MIN_COVERAGE_PCT = 90;

/** Met, missed, or null: nothing measured, or too little (coverage under `minCoveragePct`) to say. */
function verdict(times: { availabilityPct: number | null; coveragePct: number | null }, targetPct: number, minCoveragePct: number): boolean | null {
  if (times.availabilityPct === null || times.coveragePct === null || times.coveragePct < minCoveragePct) return null;
  return times.availabilityPct >= targetPct;
}

/** Sites assembled between two yields to the event loop. */
const SITES_PER_SLICE = 20;

/** What reports are built from. Time is passed in. */
export interface SlaReportsDeps {
  sites: readonly SiteConfig[];
  providers: readonly ProviderConfig[];
  maintenance: readonly MaintenanceWindow[];
  maxRoundGapMs: number;
  /**
   * Below this coverage (% of the counted time that was measured) a circuit or provider gets no verdict (`met`
   * null): too little was seen to say the target was met or missed. Default {@link SLA_MIN_COVERAGE_PCT}.
   */
  minCoveragePct?: number;
  calendar: LocalCalendar;
  /** The replayed days of a site from `fromDay` to `toDay` ("YYYY-MM-DD", inclusive), in order (SlaDayStore.between). */
  days(site: string, fromDay: string, toDay: string): SiteDay[];
  /** How far the site is replayed (UTC ms), null before its first pass; and a counter that changes with a month's days. */
  replay: { throughTs(site: string): number | null; version(month: string): number; isStale(site: string, month: string): boolean };
  incidents: SlaIncidentSource;
  isOfficeTime: IsOfficeTime;
  now: () => number;
  /** Default {@link SLA_REPORT_CACHE_MS}. */
  cacheMs?: number;
}

/** A month's circuits, as cached: built at `builtAt` from the days at `version`. */
interface MonthFigures {
  version: number;
  builtAt: number;
  circuits: SlaCircuit[];
  incidents: SlaIncident[];
  throughBySite: Map<string, number>;
}

/**
 * SLA reports per local month (docs/sla.md): each circuit's month assembled from its site's replayed days
 * (slaAssembly.ts) with maintenance and outages put down to the site excluded, the vendor's response to incidents
 * started in the month, and the providers' totals; any scope (all, one provider, one site) is cut from the month's
 * circuits, which are cached while the month's days are unchanged (and at most `cacheMs`). A month is assembled a
 * slice of sites at a time, giving the event loop back between slices, so a report of every site never stalls ingest.
 */
export class SlaReports {
  readonly #deps: SlaReportsDeps;
  readonly #months = new Map<string, MonthFigures>();
  readonly #building = new Map<string, Promise<MonthFigures>>();
  readonly #masks = new Map<string, Promise<OfficeMask>>();

  readonly #minCoveragePct: number;

  constructor(deps: SlaReportsDeps) {
    this.#deps = deps;
    this.#minCoveragePct = deps.minCoveragePct ?? SLA_MIN_COVERAGE_PCT;
  }

  /** The report of `month` ("YYYY-MM", the province's time zone) for `scope`. */
  async report(month: string, scope: SlaScope): Promise<SlaReport> {
    const figures = await this.#figures(month);
    const { fromTs, toTs } = this.#deps.calendar.monthBounds(month);
    const circuits = figures.circuits.filter((c) => (scope.kind === "provider" ? c.provider === scope.provider : scope.kind === "site" ? c.site === scope.site : true));
    const sitesInScope = new Set(circuits.map((c) => c.site));
    const throughTs = Math.min(toTs, ...[...sitesInScope].map((site) => figures.throughBySite.get(site) ?? fromTs));
    const providers = this.#deps.providers.filter((p) => circuits.some((c) => c.provider === p.id)).map((p) => this.#providerOf(p, circuits, figures.incidents, fromTs, toTs));
    const recomputing = [...sitesInScope].some((site) => this.#deps.replay.isStale(site, month));
    return { month, timeZone: this.#deps.calendar.timeZone, fromTs, toTs, throughTs, partial: throughTs < toTs || recomputing, recomputing, scope, providers, circuits };
  }

  #figures(month: string): Promise<MonthFigures> {
    const version = this.#deps.replay.version(month);
    const cached = this.#months.get(month);
    const cacheMs = this.#deps.cacheMs ?? SLA_REPORT_CACHE_MS;
    if (cached && cached.version === version && this.#deps.now() - cached.builtAt < cacheMs) return Promise.resolve(cached);
    let building = this.#building.get(month);
    if (!building) {
      building = this.#build(month, version).finally(() => this.#building.delete(month));
      this.#building.set(month, building);
    }
    return building;
  }

  async #build(month: string, version: number): Promise<MonthFigures> {
    const { calendar, sites, providers, maintenance, maxRoundGapMs } = this.#deps;
    const nowMs = this.#deps.now();
    const { fromTs, toTs } = calendar.monthBounds(month);
    const days = calendar.daysOf(month);
    const incidents = this.#deps.incidents.incidentsStartedIn({ fromTs: fromTs - POWER_LOOKBACK_MS, toTs, limit: MAX_SLA_INCIDENTS });
    const ofMonth = incidents.filter((i) => i.timeline.startTs >= fromTs);
    const office = await this.#mask(month, fromTs, toTs);
    const targets = new Map(providers.map((p) => [p.id, p.slaTargetPct]));
    const circuits: SlaCircuit[] = [];
    const throughBySite = new Map<string, number>();
    for (let i = 0; i < sites.length; i++) {
      const site = sites[i]!;
      const through = Math.min(toTs, this.#deps.replay.throughTs(site.id) ?? fromTs);
      throughBySite.set(site.id, through);
      const siteDays = this.#deps.days(site.id, days[0]!, days[days.length - 1]!);
      const powerCuts = siteOutages(site.id, incidents, nowMs);
      for (const link of site.links) {
        const excluded = [...maintenanceOf(site.id, link, maintenance), ...powerCuts];
        const linkMonth = assembleLinkMonth(siteDays, link.id, excluded, { fromTs, toTs: Math.max(fromTs, through), maxRoundGapMs }, office);
        const allHours = timeSplitOf(linkMonth.allHours);
        const targetPct = targets.get(link.provider) ?? 99.5;
        circuits.push({
          site: site.id,
          siteName: site.name,
          link: link.id,
          linkKind: link.kind,
          circuit: link.circuit,
          provider: link.provider,
          allHours,
          officeHours: timeSplitOf(linkMonth.officeHours),
          outages: linkMonth.outages.length,
          outageMs: linkMonth.outages.reduce((sum, o) => sum + (o.endTs - o.startTs), 0),
          outageList: linkMonth.outages.slice(0, MAX_LISTED_OUTAGES),
          response: responseOf(ofMonth.filter((incident) => incidentConcerns(incident, site.id, link.id))),
          targetPct,
          met: verdict(allHours, targetPct, this.#minCoveragePct),
        });
      }
      if ((i + 1) % SITES_PER_SLICE === 0) await yieldToEventLoop();
    }
    const providerOrder = new Map(providers.map((p, i) => [p.id, i]));
    circuits.sort((a, b) => providerOrder.get(a.provider)! - providerOrder.get(b.provider)! || compare(a.site, b.site) || compare(a.link, b.link));
    const figures: MonthFigures = { version, builtAt: nowMs, circuits, incidents: ofMonth, throughBySite };
    this.#months.set(month, figures);
    return figures;
  }

  /** A provider's totals over the circuits in scope; its incidents that concern any of them, each counted once. */
  #providerOf(provider: ProviderConfig, inScope: readonly SlaCircuit[], incidents: readonly SlaIncident[], fromTs: number, toTs: number): SlaProvider {
    const circuits = inScope.filter((c) => c.provider === provider.id);
    const all = zeroTimes();
    const office = zeroTimes();
    for (const c of circuits) {
      addTimes(all, c.allHours);
      addTimes(office, c.officeHours);
    }
    const concerned = incidents.filter((i) => i.provider === provider.id && i.timeline.startTs >= fromTs && i.timeline.startTs < toTs && circuits.some((c) => incidentConcerns(i, c.site, c.link)));
    const allHours = timeSplitOf(all);
    return {
      provider: provider.id,
      providerName: provider.name,
      circuits: circuits.length,
      allHours,
      officeHours: timeSplitOf(office),
      outages: circuits.reduce((n, c) => n + c.outages, 0),
      outageMs: circuits.reduce((n, c) => n + c.outageMs, 0),
      response: responseOf(concerned),
      targetPct: provider.slaTargetPct,
      met: verdict(allHours, provider.slaTargetPct, this.#minCoveragePct),
    };
  }

  /** The month's office minutes, computed once per month (a few of them kept). */
  #mask(month: string, fromTs: number, toTs: number): Promise<OfficeMask> {
    let mask = this.#masks.get(month);
    if (!mask) {
      mask = OfficeMask.build(fromTs, toTs, this.#deps.isOfficeTime);
      if (this.#masks.size >= 4) this.#masks.delete(this.#masks.keys().next().value!);
      this.#masks.set(month, mask);
    }
    return mask;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
