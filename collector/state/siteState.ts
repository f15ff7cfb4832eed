import type { LinkStateName } from "../../protocol/linkState.js";
import type { SiteStateName } from "../../protocol/api.js";

/**
 * A site's state from its links and its agent's last contact:
 * `unknown` before any push; `silent` when no push came for `silentAfterPushes` push intervals;
 * otherwise `up` (every judged link up), `down` (every link down), `degraded` (any link down or degraded),
 * `unknown` (no link judged yet).
 */
export function siteStateOf(
  linkStates: readonly LinkStateName[],
  contact: { lastSeenTs: number; pushIntervalMs: number } | null,
  nowMs: number,
  silentAfterPushes: number,
): SiteStateName {
  if (!contact) return "unknown";
  if (nowMs - contact.lastSeenTs > silentAfterPushes * contact.pushIntervalMs) return "silent";
  return stateOfLinks(linkStates);
}

/** A heard-from site's state from the states of `linkStates` alone (all of its links, or those one vendor sees). */
export function stateOfLinks(linkStates: readonly LinkStateName[]): SiteStateName {
  const judged = linkStates.filter((s) => s !== "unknown");
  if (judged.length === 0) return "unknown";
  if (linkStates.every((s) => s === "down")) return "down";
  if (judged.some((s) => s === "down" || s === "degraded")) return "degraded";
  return "up";
}
