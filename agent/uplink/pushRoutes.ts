import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { LinkStateName } from "../../protocol/linkState.js";
import { decideEgress } from "../probes/egress.js";
import type { ProbeBinding } from "../probes/probe.js";

/** A WAN link the uplink may push over: its id, how sockets are bound to it, its current state. */
export interface PushLink {
  id: string;
  binding: ProbeBinding;
  state: LinkStateName;
}

/** One way to reach the collector: through a link (bound to its source address), or through the routing table. */
export interface PushRoute {
  link: string | null;
  localAddress: string | undefined;
}

/** A link left out of a push, and why (see {@link pushRoutes}). */
export interface SkippedLink {
  skipped: string;
  reason: string;
}

/**
 * The ways to try, in order: links that are not down (in configured order), then links that are down (a state can
 * be stale), then the routing table. A link whose route to the collector would leave through another interface is
 * left out (yielded as a {@link SkippedLink}), so a push never claims a link that did not carry it. Each link's route
 * is checked only when the caller asks for the next way: a push acknowledged over the first link checks no other
 * (each check runs `ip route get`, a process; docs/benchmarks.md).
 */
export async function* pushRoutes(collectorUrl: URL, links: readonly PushLink[], signal: AbortSignal): AsyncGenerator<PushRoute | SkippedLink> {
  const host = collectorUrl.hostname.replace(/^\[|\]$/g, "");
  if (links.length > 0) {
    let address = isIP(host) ? host : null;
    if (!address) {
      try {
        address = (await lookup(host)).address;
      } catch (err) {
        for (const link of links) yield { skipped: link.id, reason: `cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
      }
    }
    const ordered = [...links.filter((l) => l.state !== "down"), ...links.filter((l) => l.state === "down")];
    for (const link of address ? ordered : []) {
      const egress = await decideEgress(address!, link.binding, signal);
      yield egress.ok ? { link: link.id, localAddress: egress.localAddress } : { skipped: link.id, reason: egress.reason };
    }
  }
  yield { link: null, localAddress: undefined };
}
