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

/**
 * The ways to try, in order: links that are not down (in configured order), then links that are down (a state can
 * be stale), then the routing table. A link whose route to the collector would leave through another interface is
 * left out (its reason is returned), so a push never claims a link that did not carry it.
 */
export async function choosePushRoutes(collectorUrl: URL, links: readonly PushLink[], signal: AbortSignal): Promise<{ routes: PushRoute[]; skipped: Array<{ link: string; reason: string }> }> {
  const host = collectorUrl.hostname.replace(/^\[|\]$/g, "");
  const skipped: Array<{ link: string; reason: string }> = [];
  const routes: PushRoute[] = [];
  if (links.length > 0) {
    let address = isIP(host) ? host : null;
    if (!address) {
      try {
        address = (await lookup(host)).address;
      } catch (err) {
        skipped.push(...links.map((link) => ({ link: link.id, reason: `cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` })));
      }
    }
    const ordered = [...links.filter((l) => l.state !== "down"), ...links.filter((l) => l.state === "down")];
    for (const link of address ? ordered : []) {
      const egress = await decideEgress(address!, link.binding, signal);
      if (egress.ok) routes.push({ link: link.id, localAddress: egress.localAddress });
      else skipped.push({ link: link.id, reason: egress.reason });
    }
  }
  routes.push({ link: null, localAddress: undefined });
  return { routes, skipped };
}
