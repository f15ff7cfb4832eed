import type { LinkStateName } from "../../protocol/linkState.js";

/** A link's state as the failover policy sees it: the state and since when (UTC ms). */
export interface LinkCondition {
  state: LinkStateName;
  sinceTs: number;
}

/** Why a group moved to another link. */
export type SwitchReason = "preferred_down" | "preferred_back";

/** A decision to move a destination group from one link to another. */
export interface RouteSwitch {
  from: string;
  to: string;
  reason: SwitchReason;
}

/**
 * Pure: which link a destination group should use now. `links` is the group's order of preference; `active` the
 * link it uses. Moves away from the active link only when the state machine calls it `down` (which already takes
 * `fail_after` rounds), to the first link in order that is not down; moves back to a link earlier in the order only
 * after it has been `up` for `holdMs`. So the group never switches back faster than the hold time, and a link that
 * is merely `degraded` keeps its traffic.
 */
export function decideGroupLink(
  links: readonly string[],
  active: string,
  conditions: ReadonlyMap<string, LinkCondition>,
  nowMs: number,
  holdMs: number,
): RouteSwitch | null {
  const stateOf = (link: string): LinkStateName => conditions.get(link)?.state ?? "unknown";
  const activeIndex = links.indexOf(active);
  const better = links.slice(0, Math.max(0, activeIndex)).find((link) => {
    const condition = conditions.get(link);
    return condition?.state === "up" && nowMs - condition.sinceTs >= holdMs;
  });
  if (better) return { from: active, to: better, reason: "preferred_back" };
  if (stateOf(active) !== "down") return null;
  const fallback = links.find((link) => link !== active && stateOf(link) !== "down");
  return fallback ? { from: active, to: fallback, reason: "preferred_down" } : null;
}
