import type { SiteStatus } from "../../protocol/api.js";

/** How often the live feed sends a frame of changed sites, ms: a state change reaches the browsers within one frame. */
export const LIVE_FRAME_MS = 250;

/** How often a site whose state did not change (only rtt, loss, last seen) is sent again at most, ms. */
export const LIVE_REFRESH_MS = 20_000;

/** What of a status counts as a change to send at once: the site's and each link's state, clock skew, the path of its pushes. */
function stateKeyOf(status: SiteStatus): string {
  return [status.state, status.clockSkewed, status.lastPushVia, ...status.links.map((l) => `${l.id}:${l.state}:${l.flapping}`)].join("|");
}

/**
 * Decides which site statuses each frame of the live feed carries. It is offered a site when the site changed (a
 * push, or its silence began), never every site on a timer; {@link frame} then gives each offered site at most once:
 * at once when its state changed (site or link state, flapping, clock skew, the link its pushes came through) since
 * it was last sent, else (only rtt, loss or last seen changed) once `refreshMs` has passed since it was last sent, so
 * thousands of agents pushing every few seconds do not flood the browsers. The status sent is the one current at the
 * frame. Pure apart from `statusOf`; time is passed in.
 */
export class StatusPublisher {
  private readonly lastSent = new Map<string, { key: string; atMs: number }>();
  /** Sites offered since the last frame. */
  private readonly offered = new Set<string>();
  /** Sites with a change held back → when it may be sent (UTC ms). */
  private readonly heldBack = new Map<string, number>();

  constructor(private readonly refreshMs = LIVE_REFRESH_MS) {}

  /** Notes that site `siteId` changed; the next {@link frame} looks at it. */
  offer(siteId: string): void {
    this.offered.add(siteId);
  }

  /**
   * The statuses of the frame at `nowMs` (UTC ms), each site at most once, as `statusOf` gives them now: the offered
   * sites whose state changed since they were last sent, and the held-back ones whose refresh is due.
   */
  frame(nowMs: number, statusOf: (siteId: string) => SiteStatus | null): SiteStatus[] {
    const sending = new Map<string, SiteStatus>();
    const send = (status: SiteStatus, key: string): void => {
      this.lastSent.set(status.id, { key, atMs: nowMs });
      this.heldBack.delete(status.id);
      sending.set(status.id, status);
    };
    for (const siteId of this.offered) {
      const status = statusOf(siteId);
      if (!status) continue;
      const key = stateKeyOf(status);
      const last = this.lastSent.get(siteId);
      if (last && last.key === key && nowMs - last.atMs < this.refreshMs && nowMs >= last.atMs) {
        if (!this.heldBack.has(siteId)) this.heldBack.set(siteId, last.atMs + this.refreshMs);
        continue;
      }
      send(status, key);
    }
    this.offered.clear();
    for (const [siteId, dueMs] of this.heldBack) {
      if (dueMs > nowMs) continue;
      this.heldBack.delete(siteId);
      const status = statusOf(siteId);
      if (status) send(status, stateKeyOf(status));
    }
    return [...sending.values()];
  }
}
