import type { CollectorConfig } from "../../config/collectorSchema.js";
import type { StateEngine } from "../state/stateEngine.js";
import type { SiteView } from "./siteView.js";

/** Every configured site as the incident rules see it, from the state engine at `nowMs`. */
export function buildSiteViews(config: CollectorConfig, engine: StateEngine, nowMs: number): SiteView[] {
  return config.sites.map((site) => {
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
          providerName: config.providers.find((p) => p.id === link.provider)?.name ?? link.provider,
          circuit: link.circuit,
          state: track.machine.state,
          sinceTs: track.machine.sinceTs,
          lossPct: track.last?.lossPct ?? null,
          rttMs: track.last?.rttAvgMs ?? null,
        };
      }),
    };
  });
}
