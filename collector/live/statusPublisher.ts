import type { SiteStatus } from "../../protocol/api.js";

/**
 * Decides which site statuses to push live. It is offered a site's status when the site changed (a push, or its
 * silence began), never every site on a timer: a state change (site or link) is published at once, anything else at
 * most every `refreshMs` per site, so thousands of agents pushing every few seconds do not flood the browsers. An
 * offer held back is published by {@link flushDue} once its refresh is due, so browsers see the latest status.
 */
export class StatusPublisher {
  private readonly lastSent = new Map<string, { key: string; atMs: number }>();
  /** Sites whose latest offer was held back → when it may be published (UTC ms). */
  private readonly heldBack = new Map<string, number>();

  constructor(
    private readonly publish: (status: SiteStatus) => void,
    private readonly refreshMs = 5000,
  ) {}

  /** Offers the site's current status; publishes it if it changed state or is due for a refresh. */
  offer(status: SiteStatus, nowMs: number): void {
    const key = [status.state, status.clockSkewed, ...status.links.map((l) => `${l.id}:${l.state}:${l.flapping}`)].join("|");
    const last = this.lastSent.get(status.id);
    if (last && last.key === key && nowMs - last.atMs < this.refreshMs) {
      this.heldBack.set(status.id, last.atMs + this.refreshMs);
      return;
    }
    this.lastSent.set(status.id, { key, atMs: nowMs });
    this.heldBack.delete(status.id);
    this.publish(status);
  }

  /** Publishes the current status (`statusOf`) of each site whose held-back offer is due at `nowMs`. */
  flushDue(nowMs: number, statusOf: (siteId: string) => SiteStatus | null): void {
    for (const [siteId, dueMs] of this.heldBack) {
      if (dueMs > nowMs) continue;
      this.heldBack.delete(siteId);
      const status = statusOf(siteId);
      if (status) this.offer(status, nowMs);
    }
  }
}
