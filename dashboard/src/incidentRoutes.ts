import type { IncidentKind } from "../../protocol/incident.js";

/** Every incident kind, in the order the kind filter lists them. */
export const INCIDENT_KINDS: readonly IncidentKind[] = ["link", "site", "provider", "collector"];

/** Which incidents the incidents page lists: one tab (open or closed) and optional filters (null: any). */
export interface IncidentFilter {
  state: "open" | "closed";
  site: string | null;
  provider: string | null;
  kind: IncidentKind | null;
}

/** The filter of `#/incidents?state=…&site=…&provider=…&kind=…`; anything missing or unknown means "any" (state: open). */
export function parseIncidentFilter(query: URLSearchParams): IncidentFilter {
  const kind = query.get("kind");
  return {
    state: query.get("state") === "closed" ? "closed" : "open",
    site: query.get("site") || null,
    provider: query.get("provider") || null,
    kind: INCIDENT_KINDS.find((known) => known === kind) ?? null,
  };
}

/** The query string of a filter (without "?"), filters that are null left out; also what GET /incidents takes. */
export function incidentFilterQuery(filter: IncidentFilter): URLSearchParams {
  const query = new URLSearchParams({ state: filter.state });
  if (filter.site) query.set("site", filter.site);
  if (filter.provider) query.set("provider", filter.provider);
  if (filter.kind) query.set("kind", filter.kind);
  return query;
}

/** The hash route of the incidents page with a filter; the open tab without filters when none is given. */
export function incidentsHref(filter?: IncidentFilter): string {
  if (!filter) return "#/incidents";
  return `#/incidents?${incidentFilterQuery(filter).toString()}`;
}

/** The hash route of one incident's page. */
export function incidentHref(incidentId: number | string): string {
  return `#/incidents/${encodeURIComponent(String(incidentId))}`;
}
