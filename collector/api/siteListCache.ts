import type { SiteStatus } from "../../protocol/api.js";
import { scopeKey, type Scope, type ScopeFilter } from "../auth/scope.js";

/** How old the province's site list may be before it is built again, ms: GET /sites and the live hello reuse it. */
export const SITE_LIST_MAX_AGE_MS = 1000;

/** Scopes whose filtered list is kept per build; a build with more (many wards at once) filters the rest each time. */
const KEPT_SCOPES = 256;

/** One scope's site list from one build: the statuses, their JSON (as bytes), an ETag naming the build and scope. */
export interface SiteListView {
  statuses: readonly SiteStatus[];
  /** `JSON.stringify(statuses)`, UTF-8. */
  body: Buffer;
  /** Weak ETag, the same for the same build and scope key. */
  etag: string;
  /** When the build's statuses were computed, UTC ms (the collector's clock). */
  builtAtMs: number;
}

/** What the cache builds from. */
export interface SiteListCacheDeps {
  /** Every configured site's status now (the province's view). */
  build: () => SiteStatus[];
  /** What each scope sees (collector/auth/scope.ts). */
  filter: Pick<ScopeFilter, "siteStatuses">;
  /** UTC ms. */
  now: () => number;
  /** Default {@link SITE_LIST_MAX_AGE_MS}. */
  maxAgeMs?: number;
}

/**
 * The province's site list built and serialised at most once per `maxAgeMs` however many ask (GET /sites, the live
 * feed's hello), instead of 3,321 statuses per request. A vendor's or ward's list is filtered from that build by the
 * ScopeFilter and serialised once per build and scope key, so one scope's list is never served to another: the key is
 * what the scope sees ({@link scopeKey}). A list is at most `maxAgeMs` old; the live feed covers what changed since.
 */
export class SiteListCache {
  private readonly maxAgeMs: number;
  private build: { atMs: number; number: number; statuses: SiteStatus[] } | null = null;
  private builds = 0;
  private readonly views = new Map<string, SiteListView>();
  /** Distinguishes this process's ETags from an earlier run's (whose build numbers started at 1 too). */
  private readonly epoch: string;

  constructor(private readonly deps: SiteListCacheDeps) {
    this.maxAgeMs = deps.maxAgeMs ?? SITE_LIST_MAX_AGE_MS;
    this.epoch = deps.now().toString(36);
  }

  /** The list `scope` sees, from a build at most `maxAgeMs` old (built now when the last one is older). */
  forScope(scope: Scope): SiteListView {
    const nowMs = this.deps.now();
    if (this.build === null || nowMs - this.build.atMs >= this.maxAgeMs || nowMs < this.build.atMs) {
      this.builds += 1;
      this.build = { atMs: nowMs, number: this.builds, statuses: this.deps.build() };
      this.views.clear();
    }
    const key = scopeKey(scope);
    const kept = this.views.get(key);
    if (kept) return kept;
    const statuses = scope.role === "province" ? this.build.statuses : this.deps.filter.siteStatuses(scope, this.build.statuses);
    const view: SiteListView = {
      statuses,
      body: Buffer.from(JSON.stringify(statuses)),
      etag: `W/"sites-${this.epoch}-${this.build.number}-${key}"`,
      builtAtMs: this.build.atMs,
    };
    if (this.views.size < KEPT_SCOPES) this.views.set(key, view);
    return view;
  }
}
