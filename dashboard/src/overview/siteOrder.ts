import type { SiteStateName, SiteStatus } from "../../../protocol/api.js";

/** How the overview groups its rows: one table, or one group per state, per provider or per area. */
export type GroupBy = "none" | "state" | "provider" | "area";

/** How rows are ordered inside a group: by name, state (worst first), area or provider (each then by name). */
export type SortBy = "name" | "state" | "area" | "provider";

/** Every grouping, in the order the selector lists them. */
export const GROUP_BYS: readonly GroupBy[] = ["none", "area", "provider", "state"];

/** Every order, in the order the selector lists them. */
export const SORT_BYS: readonly SortBy[] = ["name", "state", "area", "provider"];

/** Site states worst first: the order of the state grouping and of sorting by state. */
export const STATES_WORST_FIRST: readonly SiteStateName[] = ["down", "silent", "degraded", "unknown", "up"];

/** The key of the single group when rows are not grouped. */
export const ALL_GROUP = "";

/** The key of the area group of sites without an area (listed last). */
export const NO_AREA_GROUP = "\u0000no-area";

/** A group a site belongs to: its key (stable across updates) and what sorts the groups. */
export interface GroupKey {
  key: string;
  /** Sorted with the collator, then by `rank`. */
  label: string;
  rank: number;
}

/**
 * The groups a site's row is shown in. A site is in one group, except by provider: one per provider of its links
 * (a site with a VNPT TSLCD link and a Viettel Internet link is under both), so each vendor sees all its sites.
 */
export function groupsOf(site: SiteStatus, groupBy: GroupBy): GroupKey[] {
  switch (groupBy) {
    case "none":
      return [{ key: ALL_GROUP, label: "", rank: 0 }];
    case "state":
      return [{ key: site.state, label: "", rank: STATES_WORST_FIRST.indexOf(site.state) }];
    case "area":
      return site.area ? [{ key: site.area, label: site.area, rank: 0 }] : [{ key: NO_AREA_GROUP, label: "", rank: 1 }];
    case "provider": {
      const seen = new Map<string, GroupKey>();
      for (const link of site.links) if (!seen.has(link.provider)) seen.set(link.provider, { key: link.provider, label: link.providerName || link.provider, rank: 0 });
      return [...seen.values()];
    }
  }
}

/** Orders groups: by rank, then label (the collator's order). */
export function compareGroups(collator: Intl.Collator, a: GroupKey, b: GroupKey): number {
  return a.rank - b.rank || collator.compare(a.label, b.label) || collator.compare(a.key, b.key);
}

/** The comparator of rows for `sortBy`; ties are broken by name, then id, so the order is total. */
export function siteComparator(collator: Intl.Collator, sortBy: SortBy): (a: SiteStatus, b: SiteStatus) => number {
  const byName = (a: SiteStatus, b: SiteStatus): number => collator.compare(a.name, b.name) || collator.compare(a.id, b.id);
  switch (sortBy) {
    case "name":
      return byName;
    case "state":
      return (a, b) => STATES_WORST_FIRST.indexOf(a.state) - STATES_WORST_FIRST.indexOf(b.state) || byName(a, b);
    case "area":
      // Sites without an area last.
      return (a, b) => Number(!a.area) - Number(!b.area) || collator.compare(a.area ?? "", b.area ?? "") || byName(a, b);
    case "provider":
      return (a, b) => collator.compare(providerKey(a), providerKey(b)) || byName(a, b);
  }
}

/** A site's providers as one sortable text: their names, sorted, joined. */
function providerKey(site: SiteStatus): string {
  return [...new Set(site.links.map((link) => link.providerName || link.provider))].sort().join(" ");
}

/** Lower case without diacritics, so "tan phong" finds "Phường Tân Phong". */
export function foldForSearch(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/gi, "d").toLowerCase().trim();
}

/** The text the filter box searches in: name, id, address, area and the links' providers and circuits. */
export function searchTextOf(site: SiteStatus): string {
  return foldForSearch([site.name, site.id, site.address ?? "", site.area ?? "", ...site.links.flatMap((link) => [link.providerName, link.provider, link.circuit])].join(" "));
}

/**
 * The index at which `item` goes in `sorted` (ascending by `compare`) to keep it sorted: after its equals, by binary
 * search, so a live update places a row in O(log n) comparisons.
 */
export function insertionIndex<T>(sorted: readonly T[], item: T, compare: (a: T, b: T) => number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(sorted[middle] as T, item) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
