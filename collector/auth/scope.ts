import { z } from "zod";
import type { SiteStatus } from "../../protocol/api.js";
import type { Incident } from "../../protocol/incident.js";
import type { SlaScope } from "../../protocol/sla.js";
import { identifierSchema } from "../../protocol/sample.js";
import { stateOfLinks } from "../state/siteState.js";

/** The roles a user or an API token has (docs/security.md): the province administers, a vendor and a ward read their own. */
export const ROLES = ["province", "vendor", "ward"] as const;

/** See {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/**
 * Who a request is and what it may see, computed once per request (requestScope.ts): `province` sees everything;
 * `vendor` only the links whose provider is `provider` (and their incidents); `ward` only the site `site`.
 * `actor` names the user or token in the audit log and in acknowledgements.
 */
export type Scope =
  | { role: "province"; actor: string }
  | { role: "vendor"; actor: string; provider: string }
  | { role: "ward"; actor: string; site: string };

/** A role with the scope it needs: a vendor names its provider, a ward its site, the province neither. */
export const roleScopeSchema = z.discriminatedUnion("role", [
  z.strictObject({ role: z.literal("province") }),
  z.strictObject({ role: z.literal("vendor"), provider: identifierSchema }),
  z.strictObject({ role: z.literal("ward"), site: identifierSchema }),
]);

/** A role and its scope, without the actor (what is stored for a user or token). */
export type RoleScope = z.infer<typeof roleScopeSchema>;

/**
 * What a scope sees, as a string: two scopes with one key see the same sites, links and incidents (the actor aside),
 * so what is built for one (a site list, a live message) serves the other.
 */
export function scopeKey(scope: Scope): string {
  return scope.role === "province" ? "province" : scope.role === "vendor" ? `vendor:${scope.provider}` : `ward:${scope.site}`;
}

/** The scope of `actor` holding `grant`. */
export function scopeFor(actor: string, grant: RoleScope): Scope {
  return { ...grant, actor };
}

/** What the scope filter needs to know of a site: which provider each link is with. */
export interface SiteLinks {
  id: string;
  links: ReadonlyArray<{ id: string; provider: string }>;
}

/**
 * The one place that decides what a scope sees, used by the REST routes, the live feed and reports.
 * `sites`: the configured sites (link → provider); a site or link not configured is seen by the province only.
 */
export class ScopeFilter {
  private readonly providerOf = new Map<string, string>();
  /** Site → the providers of its links: a vendor's look-up per site, not per link of the province. */
  private readonly providersAt = new Map<string, Set<string>>();

  constructor(sites: readonly SiteLinks[]) {
    for (const site of sites) {
      const providers = new Set<string>();
      for (const link of site.links) {
        this.providerOf.set(`${site.id}/${link.id}`, link.provider);
        providers.add(link.provider);
      }
      this.providersAt.set(site.id, providers);
    }
  }

  /** Whether `scope` sees anything of site `siteId` (a vendor: one of its links is there). */
  seesSite(scope: Scope, siteId: string): boolean {
    if (scope.role === "province") return true;
    if (scope.role === "ward") return scope.site === siteId;
    return this.providersAt.get(siteId)?.has(scope.provider) ?? false;
  }

  /** Whether `scope` sees link `linkId` of site `siteId`. */
  seesLink(scope: Scope, siteId: string, linkId: string): boolean {
    if (scope.role === "province") return true;
    if (scope.role === "ward") return scope.site === siteId;
    return this.providerOf.get(`${siteId}/${linkId}`) === scope.provider;
  }

  /** `status` as `scope` may see it: null when it sees nothing of the site; a vendor gets only its own links. */
  siteStatus(scope: Scope, status: SiteStatus): SiteStatus | null {
    if (!this.seesSite(scope, status.id)) return null;
    if (scope.role !== "vendor") return status;
    // A vendor sees its own links, and the site's state and push link as those links alone make them: another
    // provider's outage must not show through as "degraded".
    const links = status.links.filter((link) => this.seesLink(scope, status.id, link.id));
    const state = status.state === "silent" || status.state === "unknown" ? status.state : stateOfLinks(links.map((link) => link.state));
    const lastPushVia = links.some((link) => link.id === status.lastPushVia) ? status.lastPushVia : null;
    return { ...status, links, state, lastPushVia };
  }

  /** The statuses `scope` may see, each as {@link siteStatus} gives it. */
  siteStatuses(scope: Scope, statuses: readonly SiteStatus[]): SiteStatus[] {
    const seen: SiteStatus[] = [];
    for (const status of statuses) {
      const visible = this.siteStatus(scope, status);
      if (visible) seen.push(visible);
    }
    return seen;
  }

  /**
   * `incident` as `scope` may see it, or null: a vendor sees its provider's incidents (link and provider incidents
   * naming it); a ward the incidents that concern its site, with the other sites left out of the list.
   */
  incident<T extends Incident>(scope: Scope, incident: T): T | null {
    if (scope.role === "province") return incident;
    if (scope.role === "vendor") return incident.provider === scope.provider ? incident : null;
    const own = incident.sites.filter((entry) => entry.site === scope.site);
    return own.length > 0 ? { ...incident, sites: own } : null;
  }
}

/** The part of the SLA report `scope` may see: the province all of it, a vendor its provider's circuits, a ward its site's. */
export function slaScopeOf(scope: Scope): SlaScope {
  if (scope.role === "vendor") return { kind: "provider", provider: scope.provider };
  if (scope.role === "ward") return { kind: "site", site: scope.site };
  return { kind: "all" };
}
