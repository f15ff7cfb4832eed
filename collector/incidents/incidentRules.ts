import type { IncidentSite } from "../../protocol/incident.js";
import type { NewIncident } from "./incidentStore.js";
import { linkName, localTime, symptomOf } from "./incidentText.js";
import type { LinkView, SiteView } from "./siteView.js";

/** A provider-wide outage: at least `minSites` sites, or `minPct` % of the provider's links, down within `windowMs`. */
export interface ProviderOutagePolicy {
  minSites: number;
  minPct: number;
  windowMs: number;
}

/** An incident the current state calls for (what would be opened now); `detectedTs` is set when it is opened. */
export type DesiredIncident = Omit<NewIncident, "detectedTs">;

/** A link of a site, as a candidate for a link or provider incident. */
export interface DownLink {
  site: SiteView;
  link: LinkView;
}

/** Whether the site calls for one site incident (silent, or every link down) instead of incidents of its links. */
export function callsForSiteIncident(site: SiteView): boolean {
  return site.state === "silent" || (site.links.length > 0 && site.links.every((l) => l.state === "down"));
}

/**
 * The site's links that are candidates for a link (or provider) incident: those down or degraded at a site that is
 * otherwise reachable. None when the site calls for a site incident, or has not reported yet.
 */
export function candidateLinks(site: SiteView): LinkView[] {
  if (callsForSiteIncident(site) || site.state === "unknown") return [];
  return site.links.filter((l) => l.state === "down" || l.state === "degraded");
}

/**
 * Whether a provider's `down` links (candidates, state down) call for one provider incident: a burst within
 * `policy.windowMs` at `minSites` sites, or at 2+ sites and `minPct` % of its `totalLinks`; or its incident is open
 * already (`open`) and any of its links is still down.
 */
export function callsForProviderIncident(down: readonly DownLink[], totalLinks: number, policy: ProviderOutagePolicy, open: boolean): boolean {
  if (down.length === 0) return false;
  if (open) return true;
  const burst = largestBurst(down, policy.windowMs);
  const burstSites = new Set(burst.map((d) => d.site.id)).size;
  const pct = (burst.length / Math.max(1, totalLinks)) * 100;
  return burstSites >= policy.minSites || (burstSites >= 2 && pct >= policy.minPct);
}

/** The site incident of a site that {@link callsForSiteIncident}. */
export function siteIncident(site: SiteView, timeZone: string): DesiredIncident {
  const silent = site.state === "silent";
  const startTs = silent ? (site.lastSeenTs ?? 0) : Math.min(...site.links.map((l) => l.sinceTs || Infinity));
  return {
    key: `site:${site.id}`,
    kind: "site",
    cause: silent ? "agent_silent" : "all_links_down",
    severity: "critical",
    provider: null,
    providerName: null,
    link: null,
    linkKind: null,
    circuit: null,
    sites: [{ site: site.id, siteName: site.name, links: site.links.map((l) => l.id) }],
    summary: silent ? `Mất liên lạc với trạm ${site.name}` : `Mất kết nối tất cả đường truyền tại ${site.name}`,
    evidence: silent
      ? [`Không nhận được báo cáo từ trạm từ ${localTime(startTs, timeZone)}`]
      : site.links.map((l) => `${symptomOf(l)}, từ ${localTime(l.sinceTs, timeZone)}`),
    startTs,
  };
}

/** The link incident of a candidate link (see {@link candidateLinks}) not taken over by a provider incident. */
export function linkIncident({ site, link }: DownLink, timeZone: string): DesiredIncident {
  const down = link.state === "down";
  const carrier = site.links.find((other) => other.id !== link.id && (other.state === "up" || other.state === "degraded"));
  const proof = carrier
    ? [`Trong thời gian này trạm vẫn gửi báo cáo qua ${linkName(carrier)}${site.lastPushVia && site.lastPushVia !== link.id ? ` (lần gửi gần nhất qua ${site.lastPushVia})` : ""}: lỗi nằm ở đường truyền ${linkName(link)}, không phải mất điện hay thiết bị tại trạm`]
    : [];
  return {
    key: `link:${site.id}:${link.id}`,
    kind: "link",
    cause: down ? "link_down" : "link_degraded",
    severity: down ? "major" : "minor",
    provider: link.provider,
    providerName: link.providerName,
    link: link.id,
    linkKind: link.kind,
    circuit: link.circuit,
    sites: [{ site: site.id, siteName: site.name, links: [link.id] }],
    summary: `${down ? "Mất kết nối" : "Suy giảm"} ${linkName(link)} tại ${site.name}`,
    evidence: [`${symptomOf(link)}, từ ${localTime(link.sinceTs, timeZone)}`, ...proof],
    startTs: link.sinceTs,
  };
}

/** The provider incident over its `down` links (in site order, then link order) out of its `totalLinks`. */
export function providerIncident(provider: string, down: readonly DownLink[], totalLinks: number, timeZone: string): DesiredIncident {
  const first = down[0]!.link;
  const bySite = new Map<string, IncidentSite>();
  for (const { site, link } of down) {
    const entry = bySite.get(site.id) ?? { site: site.id, siteName: site.name, links: [] };
    entry.links.push(link.id);
    bySite.set(site.id, entry);
  }
  const startTs = Math.min(...down.map((d) => d.link.sinceTs));
  return {
    key: `provider:${provider}`,
    kind: "provider",
    cause: "provider_outage",
    severity: "critical",
    provider,
    providerName: first.providerName,
    link: null,
    linkKind: null,
    circuit: null,
    sites: [...bySite.values()],
    summary: `Sự cố diện rộng của nhà mạng ${first.providerName}: ${bySite.size} trạm mất kết nối`,
    evidence: [
      `${down.length}/${totalLinks} đường truyền của ${first.providerName} mất kết nối, bắt đầu từ ${localTime(startTs, timeZone)}`,
      ...down.map(({ site, link }) => `${site.name} — ${linkName(link)} (${link.circuit}) từ ${localTime(link.sinceTs, timeZone)}`),
    ],
    startTs,
  };
}

/** The largest group of down links whose start times lie within `windowMs` of each other. */
export function largestBurst(down: readonly DownLink[], windowMs: number): DownLink[] {
  const sorted = [...down].sort((a, b) => a.link.sinceTs - b.link.sinceTs);
  let best: DownLink[] = [];
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]!.link.sinceTs - sorted[i]!.link.sinceTs > windowMs) i++;
    if (j - i + 1 > best.length) best = sorted.slice(i, j + 1);
  }
  return best;
}

/**
 * Pure: the incidents the sites' current state calls for, one per cause. A silent site, or one whose every link is
 * down, is one site incident (not one per link). A provider's links down at many sites in one burst are one provider
 * incident (and stay one while any of its links is still down, once `openProviders` has it). A link down or degraded
 * at a site that is otherwise reachable is a link incident: the proof it is the link.
 */
export function desiredIncidents(sites: readonly SiteView[], policy: ProviderOutagePolicy, openProviders: ReadonlySet<string>, timeZone: string): DesiredIncident[] {
  const desired: DesiredIncident[] = [];
  const candidates: DownLink[] = [];
  for (const site of sites) {
    if (callsForSiteIncident(site)) desired.push(siteIncident(site, timeZone));
    for (const link of candidateLinks(site)) candidates.push({ site, link });
  }
  const linksOf = (provider: string) => sites.reduce((n, s) => n + s.links.filter((l) => l.provider === provider).length, 0);
  const absorbed = new Set<DownLink>();
  for (const provider of new Set(candidates.map((c) => c.link.provider))) {
    const down = candidates.filter((c) => c.link.provider === provider && c.link.state === "down");
    if (callsForProviderIncident(down, linksOf(provider), policy, openProviders.has(provider))) {
      desired.push(providerIncident(provider, down, linksOf(provider), timeZone));
      for (const d of down) absorbed.add(d);
    }
  }
  for (const candidate of candidates) if (!absorbed.has(candidate)) desired.push(linkIncident(candidate, timeZone));
  return desired;
}
