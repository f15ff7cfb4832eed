import type { ProviderConfig, SiteConfig } from "../../config/collectorSchema.js";
import type { StateEngine } from "../state/stateEngine.js";
import type { SiteView } from "./siteView.js";

/** Provider names by id, for {@link siteViewOf} (a link whose provider is not listed shows its id). */
export function providerNames(providers: readonly ProviderConfig[]): ReadonlyMap<string, string> {
  return new Map(providers.map((provider) => [provider.id, provider.name]));
}

/** One configured site as the incident rules see it, from the state engine at `nowMs` (UTC ms). */
export function siteViewOf(site: SiteConfig, names: ReadonlyMap<string, string>, engine: StateEngine, nowMs: number): SiteView {
  const contact = engine.contact(site.id);
  return {
    id: site.id,
    name: site.name,
    state: engine.siteState(site, nowMs),
    lastSeenTs: contact?.lastSeenTs ?? null,
    backfillPending: (contact?.pendingRecords ?? 0) > 0,
    lastPushVia: contact?.viaLink ?? null,
    links: site.links.map((link) => {
      const track = engine.track(site.id, link.id);
      return {
        id: link.id,
        kind: link.kind,
        provider: link.provider,
        providerName: names.get(link.provider) ?? link.provider,
        circuit: link.circuit,
        state: track.machine.state,
        sinceTs: track.machine.sinceTs,
        lossPct: track.last?.lossPct ?? null,
        rttMs: track.last?.rttAvgMs ?? null,
      };
    }),
  };
}
