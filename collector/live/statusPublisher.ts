import type { SiteStatus } from "../../protocol/api.js";

/**
 * Decides which site statuses to push live: at once when a state (site or link) changed, otherwise at most every
 * `refreshMs` per site, so thousands of agents pushing every few seconds do not flood the browsers.
 */
export class StatusPublisher {
  private readonly lastSent = new Map<string, { key: string; atMs: number }>();

  constructor(
    private readonly publish: (status: SiteStatus) => void,
    private readonly refreshMs = 5000,
  ) {}

  /** Offers the site's current status; publishes it if it changed state or is due for a refresh. */
  offer(status: SiteStatus, nowMs: number): void {
    const key = [status.state, status.clockSkewed, ...status.links.map((l) => `${l.id}:${l.state}:${l.flapping}`)].join("|");
    const last = this.lastSent.get(status.id);
    if (last && last.key === key && nowMs - last.atMs < this.refreshMs) return;
    this.lastSent.set(status.id, { key, atMs: nowMs });
    this.publish(status);
  }
}
