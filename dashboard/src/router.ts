import type { RangeName } from "./ranges.js";
import { parseRange } from "./ranges.js";

/** The pages the hash router knows: `#/` (overview) and `#/sites/<id>[?range=1h|6h|24h|7d]` (one site). */
export type Route = { name: "overview" } | { name: "site"; siteId: string; range: RangeName };

/** Parses `location.hash`; anything unrecognised is the overview. */
export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?", 2);
  const match = /^\/sites\/([^/]+)\/?$/.exec(path);
  if (match?.[1]) {
    try {
      const siteId = decodeURIComponent(match[1]);
      return { name: "site", siteId, range: parseRange(new URLSearchParams(query).get("range")) };
    } catch {
      // A malformed %-escape: fall through to the overview.
    }
  }
  return { name: "overview" };
}
