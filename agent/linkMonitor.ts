import type { Logger } from "../config/logger.js";
import {
  initialLinkState,
  judgeRound,
  nextLinkState,
  type LinkStateMachine,
  type LinkStatePolicy,
} from "../protocol/linkState.js";
import type { LinkSnapshot } from "../protocol/ingest.js";
import { sampleLatencyMs, sampleLossPct, type Sample } from "../protocol/sample.js";

/** A sample as a probe round produces it, before the spool gives it a seq. */
export type UnsequencedSample = Sample extends infer S ? (S extends Sample ? Omit<S, "seq"> : never) : never;

/** What the monitor needs of a probe: its schedule and how to run one round of it. */
export interface ScheduledProbe {
  /** Time between rounds of this probe, ms. */
  intervalMs: number;
  /** Runs one round and returns its sample (given the round's identity); never throws for a target failure. */
  run(round: { link: string; round: number; roundSize: number; ts: number }, signal: AbortSignal): Promise<UnsequencedSample>;
}

/** Collaborators of a link monitor. */
export interface LinkMonitorDeps {
  policy: LinkStatePolicy;
  logger: Logger;
  now: () => number;
  /** Stores a round's samples durably (the spool); called once per round. */
  record: (samples: UnsequencedSample[]) => void;
}

/**
 * Probes one WAN link in rounds. A round runs every probe that is due, all at once, and waits for all of them;
 * rounds never overlap, and each link has its own loop, so a slow target never delays another link. The link's
 * state is judged per round with the shared state machine.
 */
export class LinkMonitor {
  private machine: LinkStateMachine = initialLinkState();
  private round = 0;
  private readonly lastRunMs: number[];
  private readonly stopController = new AbortController();
  private loop: Promise<void> | null = null;
  private readonly roundIntervalMs: number;

  constructor(
    readonly linkId: string,
    private readonly probes: readonly ScheduledProbe[],
    private readonly deps: LinkMonitorDeps,
  ) {
    this.lastRunMs = probes.map(() => -Infinity);
    this.roundIntervalMs = Math.min(...probes.map((p) => p.intervalMs));
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

  /** The link's current state, as sent with every batch. */
  snapshot(): LinkSnapshot {
    return { link: this.linkId, state: this.machine.state, sinceTs: this.machine.sinceTs };
  }

  /** Runs one round now and returns its samples (also recorded). Exposed for tests. */
  async runRound(): Promise<UnsequencedSample[]> {
    const startedAt = this.deps.now();
    const due = this.probes.filter((probe, i) => startedAt - this.lastRunMs[i]! >= probe.intervalMs - this.roundIntervalMs / 2);
    if (due.length === 0) return [];
    const round = ++this.round;
    this.probes.forEach((probe, i) => {
      if (due.includes(probe)) this.lastRunMs[i] = startedAt;
    });
    const identity = { link: this.linkId, round, roundSize: due.length, ts: startedAt };
    const samples = await Promise.all(due.map((probe) => probe.run(identity, this.stopController.signal)));
    if (this.stopController.signal.aborted) return [];
    this.deps.record(samples);
    const { machine, events } = nextLinkState(this.machine, judgeRound(samples.map((s) => ({ ts: startedAt, ok: s.ok, lossPct: sampleLossPct(s as Sample), rttAvgMs: sampleLatencyMs(s as Sample) }))), this.deps.policy);
    this.machine = machine;
    for (const event of events) {
      if (event.type === "state") this.deps.logger.info("link state changed", { link: this.linkId, from: event.from, to: event.to });
      else this.deps.logger.warn(event.flapping ? "link flapping" : "link stopped flapping", { link: this.linkId });
    }
    return samples;
  }

  private async runLoop(): Promise<void> {
    const signal = this.stopController.signal;
    while (!signal.aborted) {
      const startedAt = this.deps.now();
      try {
        await this.runRound();
      } catch (err) {
        // A probe must not throw; if one does, the link keeps being probed.
        this.deps.logger.error("probe round failed", { link: this.linkId, err });
      }
      const waitMs = Math.max(0, startedAt + this.roundIntervalMs - this.deps.now());
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
