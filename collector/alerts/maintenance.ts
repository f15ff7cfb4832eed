import type { Incident } from "../../protocol/incident.js";
import type { MaintenanceWindow } from "../../config/collectorSchema.js";

/**
 * The maintenance window that mutes `incident` at `nowMs` (UTC ms), or null. A window mutes an incident when
 * - `nowMs` is inside it: `startTs <= nowMs < endTs`;
 * - it names no provider, or the incident's provider is that provider (an incident without a provider, e.g. a whole
 *   site down, is not explained by one vendor's work);
 * - it names no sites, or every site of the incident is among them (an incident with no sites, the collector's own,
 *   is only muted by a window naming neither provider nor sites).
 * A window naming neither mutes everything while it lasts. The first matching window in configuration order wins.
 *
 * Muting is the "is this muted?" predicate of the dispatcher: a muted incident is recorded, nothing is sent for it
 * while muted; see dispatcher.ts for what happens when the window ends.
 */
export function mutingWindow(
  incident: Pick<Incident, "provider" | "sites">,
  windows: readonly MaintenanceWindow[],
  nowMs: number,
): MaintenanceWindow | null {
  return windows.find((window) => mutes(window, incident, nowMs)) ?? null;
}

function mutes(window: MaintenanceWindow, incident: Pick<Incident, "provider" | "sites">, nowMs: number): boolean {
  if (nowMs < window.startTs || nowMs >= window.endTs) return false;
  if (window.provider !== null && incident.provider !== window.provider) return false;
  if (window.sites !== null) {
    const covered = window.sites;
    if (incident.sites.length === 0) return false;
    if (!incident.sites.every((site) => covered.includes(site.site))) return false;
  }
  return true;
}
