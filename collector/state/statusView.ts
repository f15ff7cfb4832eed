import type { LinkStatus, SiteStatus } from "../../protocol/api.js";
import type { ProviderConfig, SiteConfig } from "../../config/collectorSchema.js";
import type { StateEngine } from "./stateEngine.js";

/** Builds what the API shows of a site from its configuration and the engine's state at `nowMs`. */
export function siteStatusOf(
  site: SiteConfig,
  engine: StateEngine,
  providers: readonly ProviderConfig[],
  nowMs: number,
  clockSkewToleranceMs: number,
): SiteStatus {
  const contact = engine.contact(site.id);
  const links = site.links.map((link): LinkStatus => {
    const track = engine.track(site.id, link.id);
    return {
      id: link.id,
      kind: link.kind,
      provider: link.provider,
      providerName: providers.find((p) => p.id === link.provider)?.name ?? link.provider,
      circuit: link.circuit,
      bandwidthMbps: link.bandwidthMbps,
      state: track.machine.state,
      sinceTs: track.machine.sinceTs || null,
      flapping: track.machine.flapping,
      lastSampleTs: track.last?.ts ?? null,
      rttAvgMs: track.last?.rttAvgMs ?? null,
      lossPct: track.last?.lossPct ?? null,
    };
  });
  return {
    id: site.id,
    name: site.name,
    address: site.address,
    simulated: site.simulated,
    area: site.area ?? null,
    state: engine.siteState(site, nowMs),
    lastSeenTs: contact?.lastSeenTs ?? null,
    clockOffsetMs: contact?.clockOffsetMs ?? null,
    clockSkewed: contact ? Math.abs(contact.clockOffsetMs) > clockSkewToleranceMs : false,
    spool: contact ? { pendingRecords: contact.pendingRecords, droppedRecords: contact.droppedRecords, refusedRecords: contact.agentRefusedRecords } : null,
    refusedRecords: contact?.refusedRecords ?? 0,
    lastPushVia: contact?.viaLink ?? null,
    links,
  };
}
