import type { Logger } from "../../config/logger.js";
import type { AgentLinkConfig, ConnectivityConfig, RouteGroupConfig } from "../../config/agentSchema.js";
import type { FailoverEvent } from "../../protocol/event.js";
import { decideGroupLink, type LinkCondition, type RouteSwitch } from "./failoverPolicy.js";
import { runHook } from "./hookAction.js";
import { replaceRoutes, type ActionResult, type RouteChange } from "./routeAction.js";

/** A failover event before the spool gives it a seq. */
export type UnsequencedEvent = Omit<FailoverEvent, "seq">;

/** Collaborators of the failover manager; the actions are injectable so tests can watch them. */
export interface FailoverDeps {
  site: string;
  connectivity: ConnectivityConfig;
  links: readonly AgentLinkConfig<unknown>[];
  conditions: () => ReadonlyMap<string, LinkCondition>;
  logger: Logger;
  now: () => number;
  /** Stores the event durably (the spool) so it reaches the collector. */
  record: (event: UnsequencedEvent) => void;
  replaceRoutes?: (changes: readonly RouteChange[]) => Promise<ActionResult>;
  runHook?: typeof runHook;
}

/** Which link each destination group uses now. */
export interface GroupRouting {
  group: string;
  activeLink: string;
  since: number | null;
}

/**
 * Keeps each destination group on the best healthy link (see {@link decideGroupLink}) and, when it moves a group,
 * runs the configured action once: nothing (`observe`, the default), `route` (ip route replace of the group's
 * prefixes via the new link's gateway) or `hook` (a program told the event). Every decision and its result is logged
 * and recorded for the collector. Evaluations never overlap.
 */
export class FailoverManager {
  private readonly routing = new Map<string, GroupRouting>();
  private evaluating: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: FailoverDeps) {
    for (const group of deps.connectivity.groups) this.routing.set(group.id, { group: group.id, activeLink: group.links[0]!, since: null });
  }

  /**
   * Re-evaluates every `everyMs` until stopped. With the `route` action, first points every group at its preferred
   * link, so the routes match what the manager believes even if an earlier run left a group on another link.
   */
  start(everyMs = 1000): void {
    if (this.timer) return;
    if (this.deps.connectivity.action === "route") void this.evaluateAfter(this.alignRoutes());
    this.timer = setInterval(() => void this.evaluate(), everyMs);
  }

  /** Stops evaluating and waits for an action under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.evaluating;
  }

  /** Current routing of every group. */
  status(): GroupRouting[] {
    return [...this.routing.values()].map((entry) => ({ ...entry }));
  }

  /** Looks at every group once; resolves when any actions it started are done. */
  evaluate(): Promise<void> {
    this.evaluating ??= this.evaluateGroups().finally(() => {
      this.evaluating = null;
    });
    return this.evaluating;
  }

  private evaluateAfter(first: Promise<void>): Promise<void> {
    this.evaluating = first.finally(() => {
      this.evaluating = null;
    });
    return this.evaluating;
  }

  private async alignRoutes(): Promise<void> {
    for (const group of this.deps.connectivity.groups) {
      const link = this.deps.links.find((l) => l.id === group.links[0])!;
      const changes = group.prefixes.map((prefix) => ({ prefix, gateway: link.gateway!, device: link.interface }));
      const result = await (this.deps.replaceRoutes ?? replaceRoutes)(changes);
      const log = result.ok ? this.deps.logger.info.bind(this.deps.logger) : this.deps.logger.error.bind(this.deps.logger);
      log("routes set to the preferred link at start", { group: group.id, link: link.id, ok: result.ok, detail: result.detail });
    }
  }

  private async evaluateGroups(): Promise<void> {
    const conditions = this.deps.conditions();
    for (const group of this.deps.connectivity.groups) {
      const routing = this.routing.get(group.id)!;
      const decision = decideGroupLink(group.links, routing.activeLink, conditions, this.deps.now(), this.deps.connectivity.holdMs);
      if (decision) await this.switchGroup(group, routing, decision);
    }
  }

  private async switchGroup(group: RouteGroupConfig, routing: GroupRouting, decision: RouteSwitch): Promise<void> {
    routing.activeLink = decision.to;
    routing.since = this.deps.now();
    const result = await this.act(group, decision);
    const event: UnsequencedEvent = {
      ts: this.deps.now(),
      type: "failover",
      group: group.id,
      fromLink: decision.from,
      toLink: decision.to,
      reason: decision.reason,
      action: this.deps.connectivity.action,
      ok: result.ok,
      detail: result.detail.slice(0, 1000),
    };
    const log = result.ok ? this.deps.logger.info.bind(this.deps.logger) : this.deps.logger.error.bind(this.deps.logger);
    log("failover", { ...event });
    this.deps.record(event);
  }

  private act(group: RouteGroupConfig, decision: RouteSwitch): Promise<ActionResult> {
    const { connectivity } = this.deps;
    switch (connectivity.action) {
      case "observe":
        return Promise.resolve({ ok: true, detail: "observe only: no change made" });
      case "route": {
        const link = this.deps.links.find((l) => l.id === decision.to)!;
        const changes = group.prefixes.map((prefix) => ({ prefix, gateway: link.gateway!, device: link.interface }));
        return (this.deps.replaceRoutes ?? replaceRoutes)(changes);
      }
      case "hook":
        return (this.deps.runHook ?? runHook)(
          connectivity.hook!.command,
          { site: this.deps.site, group: group.id, prefixes: group.prefixes, fromLink: decision.from, toLink: decision.to, reason: decision.reason },
          connectivity.hook!.timeoutMs,
        );
    }
  }
}
