import type { LinkKind, SiteStateName } from "../../protocol/api.js";
import type { LinkStateName } from "../../protocol/linkState.js";

/** A link as the incident rules see it. `sinceTs`: UTC ms the state began (0 when unknown). */
export interface LinkView {
  id: string;
  kind: LinkKind;
  provider: string;
  providerName: string;
  circuit: string;
  state: LinkStateName;
  sinceTs: number;
  lossPct: number | null;
  rttMs: number | null;
}

/**
 * A site as the incident rules see it: its state, when its agent last pushed (UTC ms), whether its agent still has a
 * backlog to send (a silent site's incident is classified only once the backfill is in), and which link carried the
 * last push.
 */
export interface SiteView {
  id: string;
  name: string;
  state: SiteStateName;
  lastSeenTs: number | null;
  backfillPending: boolean;
  lastPushVia: string | null;
  links: LinkView[];
}
