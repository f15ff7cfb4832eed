import { setMaxListeners } from "node:events";
import type { Logger } from "../config/logger.js";
import {
  changePending,
  initialLinkState,
  judgeRound,
  nextLinkState,
  type LinkStateMachine,
  type LinkStatePolicy,
  type RoundObservation,
} from "../protocol/linkState.js";
import type { LinkSnapshot } from "../protocol/ingest.js";
import { sampleLatencyMs, sampleLossPct, type Sample } from "../protocol/sample.js";

/** A sample as a probe round produces it, before the spool gives it a seq. */
export type UnsequencedSample = Sample extends infer S ? (S extends Sample ? Omit<S, "seq"> : never) : never;

/** Which round a probe runs in: the monitor's round number, how many probes the round has, its start (UTC ms). */
export interface RoundIdentity {
  round: number;
  roundSize: number;
  ts: number;
}

/** What the monitor needs of a probe: its schedule and how to run one round of it. */
export interface ScheduledProbe {
  /** Time between rounds of this probe, ms. */
  intervalMs: number;
  /** Runs one round and returns its sample; never throws for a target failure. */
  run(round: RoundIdentity, signal: AbortSignal): Promise<UnsequencedSample>;
}

/** Collaborators of a probe monitor. */
export interface ProbeMonitorDeps {
  policy: LinkStatePolicy;
  /**
   * Time between rounds while a state change waits to be confirmed ({@link changePending}), ms; such a round runs
   * the monitor's most frequent probes (those that judge every round), even when not yet due. Absent, or longer
   * than the monitor's interval: the interval. Not while the monitor is flapping (its changes are never confirmed
   * for long, and would keep it at the retry pace).
   */
  retryIntervalMs?: number;
  logger: Logger;
  now: () => number;
  /** Stores a round's samples durably (the spool); called once per round. */
  record: (samples: UnsequencedSample[]) => void;
  /** Told every judged round (for the local status page's history), with the monitor's id and the samples. */
  onRound?: (monitorId: string, round: RoundObservation, samples: readonly UnsequencedSample[]) => void;
  /** Told when the monitor's state changes (the uplink then pushes at once, so the province sees it sooner). */
  onStateChange?: (monitorId: string) => void;
}

/**
 * Probes one thing in rounds: a WAN link (its targets), an application through one link, or a LAN device. A round
 * runs every probe that is due, all at once, and waits for all of them; rounds never overlap, and each monitor has
 * its own loop, so a slow target never delays another link. The state is judged per round with the shared link
 * state machine (the same rules for a link, an application path and a device).
 */
export class ProbeMonitor {
  private machine: LinkStateMachine = initialLinkState();
  private round = 0;
  private readonly lastRunMs: number[];
  private readonly stopController = new AbortController();
  private loop: Promise<void> | null = null;
  private readonly roundIntervalMs: number;

  constructor(
    /** What is monitored, for logs and snapshots: a link id, or "app:<id>@<link>", "lan:<id>". */
    readonly id: string,
    private readonly probes: readonly ScheduledProbe[],
    private readonly deps: ProbeMonitorDeps,
  ) {
    this.lastRunMs = probes.map(() => -Infinity);
    this.roundIntervalMs = Math.min(...probes.map((p) => p.intervalMs));
    // Every probe of a round listens to the stop signal (and removes its listener when done).
    setMaxListeners(Math.max(10, probes.length * 2), this.stopController.signal);
  }

  /** Starts the round loop. */
  start(): void {
    this.loop ??= this.runLoop();
  }

  /** Aborts the round under way (its partial results are dropped) and waits for the loop to end. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.loop;
  }

  /** The current state machine (read-only view). */
  current(): Readonly<LinkStateMachine> {
    return this.machine;
  }

  /** The current state as sent with every batch (meaningful for link monitors, whose id is the link id). */
  snapshot(): LinkSnapshot {
    return { link: this.id, state: this.machine.state, sinceTs: this.machine.sinceTs };
  }

  /** Runs one round now and returns its samples (also recorded). Exposed for tests. */
  async runRound(): Promise<UnsequencedSample[]> {
    const startedAt = this.deps.now();
    // While a change waits to be confirmed, the probes that judge every round run at once (a probe set to run
    // hourly is not pulled forward).
    const confirming = this.retrying();
    const due = this.probes.filter(
      (probe, i) => (confirming && probe.intervalMs === this.roundIntervalMs) || startedAt - this.lastRunMs[i]! >= probe.intervalMs - this.roundIntervalMs / 2,
    );
    if (due.length === 0) return [];
    const round = ++this.round;
    this.probes.forEach((probe, i) => {
      if (due.includes(probe)) this.lastRunMs[i] = startedAt;
    });
    const identity: RoundIdentity = { round, roundSize: due.length, ts: startedAt };
    const samples = await Promise.all(due.map((probe) => probe.run(identity, this.stopController.signal)));
    if (this.stopController.signal.aborted) return [];
    this.deps.record(samples);
    const observation = judgeRound(samples.map((s) => ({ ts: startedAt, ok: s.ok, lossPct: sampleLossPct(s as Sample), rttAvgMs: sampleLatencyMs(s as Sample) })));
    const { machine, events } = nextLinkState(this.machine, observation, this.deps.policy);
    this.machine = machine;
    this.deps.onRound?.(this.id, observation, samples);
    for (const event of events) {
      if (event.type === "state") {
        this.deps.logger.info("state changed", { monitor: this.id, from: event.from, to: event.to });
        this.deps.onStateChange?.(this.id);
      } else this.deps.logger.warn(event.flapping ? "flapping" : "stopped flapping", { monitor: this.id });
    }
    return samples;
  }

  /** Whether the next round is a retry: a change waits to be confirmed, and the monitor is not flapping. */
  private retrying(): boolean {
    return changePending(this.machine) && !this.machine.flapping;
  }

  /** The normal interval, or the retry interval for a retry round. */
  private nextIntervalMs(): number {
    const retryMs = this.deps.retryIntervalMs ?? Infinity;
    return this.retrying() ? Math.min(retryMs, this.roundIntervalMs) : this.roundIntervalMs;
  }

  private async runLoop(): Promise<void> {
    const signal = this.stopController.signal;
    while (!signal.aborted) {
      const startedAt = this.deps.now();
      try {
        await this.runRound();
      } catch (err) {
        // A probe must not throw; if one does, the link keeps being probed.
        this.deps.logger.error("probe round failed", { monitor: this.id, err });
      }
      const waitMs = Math.max(0, startedAt + this.nextIntervalMs() - this.deps.now());
      await abortableDelay(waitMs, signal);
    }
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(finish, ms);
    signal.addEventListener("abort", finish, { once: true });
    function finish(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", finish);
      resolve();
    }
  });
}
