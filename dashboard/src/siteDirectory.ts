import type { LiveMessage, SiteStatus } from "../../protocol/api.js";

/** What changed in the directory: every site (a snapshot), or one site. */
export type DirectoryChange = { kind: "all" } | { kind: "site"; site: SiteStatus };

/** Called after each change, with the directory already updated. */
export type DirectoryListener = (change: DirectoryChange) => void;

/**
 * The latest status of every site the dashboard knows, fed by REST snapshots and live messages.
 * A REST answer never overwrites a site a live message updated after that request was sent, so a
 * slow GET /sites cannot roll a chip back to an older state.
 */
export class SiteDirectory {
  private readonly sites = new Map<string, SiteStatus>();
  /** Per site, the revision of the change that last wrote it. */
  private readonly writtenAt = new Map<string, number>();
  private revision = 0;
  private hasSnapshot = false;
  private readonly listeners = new Set<DirectoryListener>();

  /** True once a complete list (GET /sites or a live hello) has been received. */
  get complete(): boolean {
    return this.hasSnapshot;
  }

  /** Every known site, in no particular order. */
  all(): SiteStatus[] {
    return [...this.sites.values()];
  }

  /** One site, or undefined when unknown. */
  get(siteId: string): SiteStatus | undefined {
    return this.sites.get(siteId);
  }

  /** A token to pass to applySnapshot/applySite for data fetched from now on. */
  mark(): number {
    return this.revision;
  }

  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: DirectoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies a live message: hello replaces the whole list, a frame (`sites`) replaces each site it carries, `site`
   * one site; other messages are not about sites.
   */
  applyLive(message: LiveMessage): void {
    if (message.type === "hello") this.replaceAll(message.sites);
    else if (message.type === "sites") for (const site of message.sites) this.applySite(site);
    else if (message.type === "site") this.applySite(message.site);
  }

  /**
   * Applies a GET /sites answer for a request made at `requestedAt` (from mark()). Sites written by
   * a newer change are kept; sites absent from the answer are dropped unless written since.
   */
  applySnapshot(sites: SiteStatus[], requestedAt: number): void {
    const fresh = new Set(sites.map((site) => site.id));
    for (const id of [...this.sites.keys()]) {
      if (!fresh.has(id) && (this.writtenAt.get(id) ?? 0) <= requestedAt) {
        this.sites.delete(id);
        this.writtenAt.delete(id);
      }
    }
    this.revision += 1;
    for (const site of sites) {
      if ((this.writtenAt.get(site.id) ?? 0) > requestedAt) continue;
      this.sites.set(site.id, site);
      this.writtenAt.set(site.id, this.revision);
    }
    this.hasSnapshot = true;
    this.emit({ kind: "all" });
  }

  /** Applies one site's status (a live message, or a GET /sites/:id answer made at `requestedAt`). */
  applySite(site: SiteStatus, requestedAt?: number): void {
    if (requestedAt !== undefined && (this.writtenAt.get(site.id) ?? 0) > requestedAt) return;
    this.revision += 1;
    this.sites.set(site.id, site);
    this.writtenAt.set(site.id, this.revision);
    this.emit({ kind: "site", site });
  }

  private replaceAll(sites: SiteStatus[]): void {
    this.sites.clear();
    this.writtenAt.clear();
    this.revision += 1;
    for (const site of sites) {
      this.sites.set(site.id, site);
      this.writtenAt.set(site.id, this.revision);
    }
    this.hasSnapshot = true;
    this.emit({ kind: "all" });
  }

  private emit(change: DirectoryChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
