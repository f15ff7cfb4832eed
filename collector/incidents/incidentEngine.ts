import type { Logger } from "../../config/logger.js";
import type { SampleStore } from "../store/samples/sampleStore.js";
import { GapOutcomeLoader } from "./gapOutcomes.js";
import { reconcile, type IncidentListener, type Judgement, type ReconcilerDeps } from "./incidentReconciler.js";
import { callsForProviderIncident, callsForSiteIncident, candidateLinks, linkIncident, providerIncident, siteIncident, type DesiredIncident, type ProviderOutagePolicy } from "./incidentRules.js";
import type { IncidentStore } from "./incidentStore.js";
import type { OpenIncidentChange, OpenIncidents } from "./openIncidentIndex.js";
import type { SiteView } from "./siteView.js";
import { SiteViewIndex } from "./siteViewIndex.js";

export type { IncidentListener } from "./incidentReconciler.js";

/** Everything the engine works from. Time is passed in. */
export interface IncidentEngineDeps {
  /** Where incidents are written (through the store breaker in the collector). */
  store: IncidentStore;
  /** The open incidents by key, kept up to date by every write to the incident store (openIncidentIndex.ts). */
  open: OpenIncidents;
  /** Where a silent site's link outcomes are read from to classify its silence (asynchronously, see gapOutcomes.ts). */
  samples: Pick<SampleStore, "linkOutcomes">;
  /** Outcomes read per query when classifying a silence (default GAP_OUTCOME_PAGE_SIZE, gapOutcomes.ts). */
  gapPageSize?: number;
  policy: ProviderOutagePolicy;
  timeZone: string;
  now: () => number;
  /** Every configured site's id, in configuration order: all are judged at the first evaluation. */
  sites: readonly string[];
  /** One site as the incident rules see it at `nowMs`; null for a site not (or no longer) configured. */
  siteView: (siteId: string, nowMs: number) => SiteView | null;
  listener: IncidentListener;
  logger: Logger;
}

const ENGINE_KINDS = new Set(["link", "site", "provider"]);

/**
 * Keeps the open incidents equal to what the sites' state calls for ({@link desiredIncidents}, applied by
 * {@link reconcile}), incrementally: {@link evaluate} looks only at the sites reported changed ({@link siteChanged})
 * and at the providers whose down links those changes touched. A provider's rule reads its counts and down links
 * from a {@link SiteViewIndex}; when a provider's outage starts or ends, the link incidents of its down links are
 * judged again (absorbed into it, or released). What is to be judged is kept until an evaluation succeeds, so an
 * evaluation skipped (the store failing) or failed part-way is made up by the next one. An incident closed by
 * someone else (resolved by hand) has its site or provider judged again; after the open set was reloaded from the
 * store, everything is. A silent site's silence is classified from outcomes read asynchronously from the sample store
 * (gapOutcomes.ts): the evaluation that first wants them starts the read, and the site is judged again once it is in,
 * so an evaluation never waits on the sample store.
 */
export class IncidentEngine {
  readonly #views = new SiteViewIndex();
  readonly #pendingSites = new Set<string>();
  readonly #pendingProviders = new Set<string>();
  /** Keys to look at even if no site judged names them (incidents of sites or links no longer configured). */
  readonly #pendingKeys = new Set<string>();
  /** The engine is writing: the open-set changes it hears of are its own. */
  #applying = false;
  readonly #gaps: GapOutcomeLoader;
  readonly #reconcilerDeps: ReconcilerDeps;

  constructor(private readonly deps: IncidentEngineDeps) {
    this.#gaps = new GapOutcomeLoader({ samples: deps.samples, loaded: (siteId) => this.siteChanged(siteId), logger: deps.logger, ...(deps.gapPageSize ? { pageSize: deps.gapPageSize } : {}) });
    this.#reconcilerDeps = { ...deps, gapOutcomes: (siteId, fromTs, nowMs) => this.#gaps.take(siteId, fromTs, nowMs) };
    deps.open.subscribe((change) => this.#heard(change));
    this.#judgeEverything();
  }

  /** Marks the site to be judged at the next evaluation (its state, contact or silence changed). */
  siteChanged(siteId: string): void {
    this.#pendingSites.add(siteId);
  }

  /**
   * Resolves once the silent periods' outcomes being read now are in (their sites are then marked changed, for the
   * next {@link evaluate}); for tests and shutdown. Never rejects.
   */
  outcomesLoaded(): Promise<void> {
    return this.#gaps.settled();
  }

  /**
   * What keeps `incident`'s cause present now, in words ("link tan-phong/tslcd is still down"), or null when the
   * rules would no longer call for it (or it is not the engine's: a collector incident). Resolving an incident by
   * hand while its cause is present would only have it opened again, and reported again, at the next judgement.
   */
  causeStillPresent(incident: { kind: string; provider: string | null; link: string | null; sites: ReadonlyArray<{ site: string }> }): string | null {
    const siteId = incident.sites[0]?.site;
    if (incident.kind === "provider" && incident.provider) {
      const down = this.#views.downLinks(incident.provider);
      const called = callsForProviderIncident(down, this.#views.totalLinks(incident.provider), this.deps.policy, true);
      return called ? `${down.length} links of provider ${incident.provider} are still down` : null;
    }
    if (siteId === undefined || (incident.kind !== "link" && incident.kind !== "site")) return null;
    const view = this.deps.siteView(siteId, this.deps.now());
    if (!view) return null;
    if (incident.kind === "site") return callsForSiteIncident(view) ? `site ${siteId} is still ${view.state}` : null;
    const link = candidateLinks(view).find((candidate) => candidate.id === incident.link);
    return link ? `link ${siteId}/${link.id} is still ${link.state}` : null;
  }

  /** Judges what changed since the last evaluation and acts on the difference with the open incidents. */
  evaluate(): void {
    if (this.#pendingSites.size === 0 && this.#pendingProviders.size === 0 && this.#pendingKeys.size === 0) return;
    // Taken now: what is marked while this evaluation runs (the open set reloaded) is for the next one.
    const pending = { sites: [...this.#pendingSites], providers: new Set(this.#pendingProviders), keys: [...this.#pendingKeys] };
    this.#pendingSites.clear();
    this.#pendingProviders.clear();
    this.#pendingKeys.clear();
    const nowMs = this.deps.now();
    try {
      for (const siteId of pending.sites) {
        for (const provider of this.#views.update(siteId, this.deps.siteView(siteId, nowMs))) pending.providers.add(provider);
      }
      const judgement = this.#judge(pending.sites, pending.providers, pending.keys);
      this.#applying = true;
      reconcile(this.#reconcilerDeps, judgement, (siteId) => this.#views.view(siteId), nowMs);
    } catch (err) {
      // Judged again next time: nothing written is undone, and what was not written is still to do.
      for (const siteId of pending.sites) this.#pendingSites.add(siteId);
      for (const provider of pending.providers) this.#pendingProviders.add(provider);
      for (const key of pending.keys) this.#pendingKeys.add(key);
      throw err;
    } finally {
      this.#applying = false;
    }
  }

  /** The judgement over the given sites, providers and extra keys (the views of those sites being up to date). */
  #judge(pendingSites: readonly string[], pendingProviders: ReadonlySet<string>, pendingKeys: readonly string[]): Judgement {
    const { open, policy, timeZone } = this.deps;
    const keys = new Set(pendingKeys);
    const sites = new Set(pendingSites);
    const providers: DesiredIncident[] = [];
    const outage = new Map<string, boolean>();
    for (const provider of pendingProviders) {
      const key = `provider:${provider}`;
      const down = this.#views.downLinks(provider);
      const isOpen = open.byKey(key) !== undefined;
      const called = callsForProviderIncident(down, this.#views.totalLinks(provider), policy, isOpen);
      outage.set(provider, called);
      keys.add(key);
      if (called) providers.push(providerIncident(provider, down, this.#views.totalLinks(provider), timeZone));
      // Its outage starts or ends: its down links are absorbed into it, or released as link incidents.
      if (called !== isOpen) for (const { site } of down) sites.add(site.id);
    }
    // A provider not judged is in outage exactly when its incident is open (the last judgement of it made it so).
    const inOutage = (provider: string): boolean => outage.get(provider) ?? open.byKey(`provider:${provider}`) !== undefined;
    const siteIncidents: DesiredIncident[] = [];
    const linkIncidents: DesiredIncident[] = [];
    for (const siteId of sites) {
      keys.add(`site:${siteId}`);
      const view = this.#views.view(siteId);
      if (!view) continue;
      for (const link of view.links) keys.add(`link:${siteId}:${link.id}`);
      if (callsForSiteIncident(view)) siteIncidents.push(siteIncident(view, timeZone));
      for (const link of candidateLinks(view)) {
        if (link.state !== "down" || !inOutage(link.provider)) linkIncidents.push(linkIncident({ site: view, link }, timeZone));
      }
    }
    return { keys, desired: [...siteIncidents, ...providers, ...linkIncidents] };
  }

  /** Every configured site, every open incident's key, site and provider: judged at the next evaluation. */
  #judgeEverything(): void {
    for (const siteId of this.deps.sites) this.#pendingSites.add(siteId);
    for (const incident of this.deps.open.all()) this.#lookAgainAt(incident);
  }

  #lookAgainAt(incident: { kind: string; key: string; provider: string | null; sites: ReadonlyArray<{ site: string }> }): void {
    if (!ENGINE_KINDS.has(incident.kind)) return;
    this.#pendingKeys.add(incident.key);
    if (incident.kind === "provider" && incident.provider) {
      this.#pendingProviders.add(incident.provider);
      // Closed by hand, its outage may end with no change of its own: its down links are then released.
      for (const { site } of this.#views.downLinks(incident.provider)) this.#pendingSites.add(site.id);
    } else if (incident.sites[0]) this.#pendingSites.add(incident.sites[0].site);
  }

  #heard(change: OpenIncidentChange): void {
    if (change.type === "reloaded") this.#judgeEverything();
    else if (change.type === "closed" && !this.#applying) this.#lookAgainAt(change.incident);
  }
}
