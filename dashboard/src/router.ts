import type { IncidentFilter } from "./incidentRoutes.js";
import type { RangeName } from "./ranges.js";
import { parseIncidentFilter } from "./incidentRoutes.js";
import { parseRange } from "./ranges.js";
import type { ComparisonPeriod } from "./comparison/comparisonPeriod.js";
import { parsePeriod } from "./comparison/comparisonPeriod.js";
import { parseSlaRoute } from "./sla/slaRoute.js";

/**
 * The pages the hash router knows: `#/` (overview), `#/sites/<id>[?range=1h|6h|24h|7d|30d|1y]` (one site),
 * `#/incidents[?state=open|closed&site=&provider=&kind=]` (the incidents list), `#/incidents/<id>` (one incident) and
 * `#/comparison[?period=…|?from=dd/mm/yyyy&to=dd/mm/yyyy]` (the link comparison) and
 * `#/sla[?month=YYYY-MM]` (the SLA report).
 */
export type Route =
  | { name: "overview" }
  | { name: "site"; siteId: string; range: RangeName }
  | { name: "incidents"; filter: IncidentFilter }
  | { name: "incident"; incidentId: string }
  | { name: "comparison"; period: ComparisonPeriod }
  | { name: "sla"; month: string | null };

/** Parses `location.hash`; anything unrecognised is the overview. */
export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?", 2);
  try {
    const site = /^\/sites\/([^/]+)\/?$/.exec(path);
    if (site?.[1]) return { name: "site", siteId: decodeURIComponent(site[1]), range: parseRange(new URLSearchParams(query).get("range")) };
    if (/^\/incidents\/?$/.test(path)) return { name: "incidents", filter: parseIncidentFilter(new URLSearchParams(query)) };
    if (/^\/comparison\/?$/.test(path)) return { name: "comparison", period: parsePeriod(new URLSearchParams(query)) };
    const incident = /^\/incidents\/([^/]+)\/?$/.exec(path);
    if (incident?.[1]) return { name: "incident", incidentId: decodeURIComponent(incident[1]) };
    if (/^\/sla\/?$/.test(path)) return { name: "sla", ...parseSlaRoute(new URLSearchParams(query)) };
  } catch {
    // A malformed %-escape: fall through to the overview.
  }
  return { name: "overview" };
}
