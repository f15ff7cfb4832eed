/**
 * A simulated site's agent: its spool and the loop that pushes it, as the real agent's uplink does (agent/uplink/
 * uplink.ts): pending records oldest first, at most `batchSize` per batch, back to back while a backlog remains,
 * acknowledged only through the collector's answer, Retry-After (429, 503) honoured, jittered exponential backoff
 * otherwise. One difference, on purpose: a push is started by the site's round tick (see scheduler.ts), so a site
 * pushes at a fixed phase of the push interval instead of one interval after its last answer; the offered load is
 * then exactly sites / interval.
 */
import { backoffDelayMs, parseRetryAfterMs } from "../agent/uplink/backoff.js";
import { setImmediate as nextTurn } from "node:timers/promises";
import { batchBodyAsync, buildBatch, linkSnapshot } from "./batchBuilder.js";
import { pushAttempt, type AttemptOutcome } from "./pushAttempt.js";
import { SimulatedSpool } from "./siteSpool.js";
import type { SiteModel } from "./siteModel.js";
import type { Sample } from "../protocol/sample.js";
import type { TurnPacer } from "./turnPacer.js";

/** An acknowledged push. Times are `performance.now()` ms; latency runs from its first attempt to the acknowledgement. */
export interface AcknowledgedPush {
  site: string;
  /** Records in the batch, and its first and last seq. */
  samples: number;
  firstSeq: number;
  lastSeq: number;
  /** New samples the collector stored (its `accepted`; 0 for a 409 replay). */
  accepted: number;
  status: 200 | 409;
  attempts: number;
  firstAttemptMs: number;
  acknowledgedMs: number;
  /** Records still pending after this acknowledgement (a backlog still being delivered when > 0). */
  pendingAfter: number;
}

/** What a push loop tells whoever watches it (a bench, the demo). Called synchronously; must not throw. */
export interface PushObserver {
  acknowledged(push: AcknowledgedPush): void;
  /** An attempt that did not acknowledge: its outcome (status null: no answer). */
  retried(site: string, outcome: Extract<AttemptOutcome, { kind: "retry" }>): void;
}

/** Settings of one simulated agent. Durations ms, times UTC ms. */
export interface SimulatedAgentOptions {
  collectorUrl: string;
  token: string;
  pushIntervalMs: number;
  /** Most records per batch: the agent's `collector.batch_size` (500 by default). */
  batchSize: number;
  requestTimeoutMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** The site's clock, UTC ms (stamps `sentAt` and the snapshot). */
  now: () => number;
  random: () => number;
  /** When the site's links came up, for the snapshot, UTC ms. */
  upSinceTs: number;
  observer: PushObserver;
  /** Shared by the agents of one process, so that many building a batch at once take turns (see turnPacer.ts). */
  pacer?: TurnPacer;
}

/** The real agent's defaults: 10 s pushes, 500 records per batch, 15 s request time-out, backoff 1 s – 5 min. */
export const AGENT_PUSH_DEFAULTS = { pushIntervalMs: 10_000, batchSize: 500, requestTimeoutMs: 15_000, minBackoffMs: 1000, maxBackoffMs: 300_000 } as const;

/** See the module comment. `tick()` records a round period and starts a push; `stop()` drains. */
export class SimulatedAgent {
  /** The site's spool (add a backlog with `spool.addBacklog` before the first tick). */
  readonly spool: SimulatedSpool;
  private loop: Promise<void> | null = null;
  private tickWaiting = false;
  private stopping = false;
  private wake: (() => void) | null = null;
  private readonly drainAbort = new AbortController();
  /** An attempt got no answer and nothing later acknowledged its records (a refusal does not): the collector may or may not hold them. */
  private unanswered = false;

  constructor(
    readonly site: SiteModel,
    private readonly options: SimulatedAgentOptions,
  ) {
    this.spool = new SimulatedSpool(site);
  }

  /** One round period began at `ts` (UTC ms): its samples go to the spool and a push starts (unless one is under way). */
  tick(ts: number): void {
    this.spool.recordPeriod(ts);
    this.tickWaiting = true;
    this.wake?.();
  }

  /** Starts the push loop (it waits for a tick, or pushes at once when a backlog is pending). */
  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops after the attempt under way: no new attempt, except that an attempt that got no answer is repeated until
   * one comes (so that every record's fate is known), until `drainSignal` aborts. Resolves when the loop has ended.
   */
  async stop(drainSignal: AbortSignal): Promise<void> {
    this.stopping = true;
    const onAbort = (): void => this.drainAbort.abort();
    if (drainSignal.aborted) onAbort();
    else drainSignal.addEventListener("abort", onAbort, { once: true });
    this.wake?.();
    await this.loop;
    drainSignal.removeEventListener("abort", onAbort);
  }

  /** True when an attempt got no answer and nothing acknowledged its records since (only possible after a stop was cut short). */
  uncertain(): boolean {
    return this.unanswered;
  }

  private async run(): Promise<void> {
    const { batchSize } = this.options;
    let backfilling = this.spool.stats().pendingRecords > 0;
    let failures = 0;
    let firstAttemptMs: number | null = null;
    let attempts = 0;
    let prepared: { ackedSeq: number; throughSeq: number; records: Sample[]; samplesJson: string } | null = null;
    for (;;) {
      // Many sites may come here at once (a burst of returning sites): let the event loop breathe between their batches.
      await (this.options.pacer ? this.options.pacer.turn() : nextTurn());
      if (this.stopping && !this.unanswered) return;
      if (this.drainAbort.signal.aborted) return;
      if (!this.stopping && !backfilling && !this.tickWaiting && failures === 0) {
        await this.sleep(null);
        continue;
      }
      this.tickWaiting = false;
      // A retry of the same records (as the agent reads them again from its spool) reuses them and their JSON.
      if (prepared?.ackedSeq !== this.spool.acknowledgedSeq() || prepared.throughSeq !== this.spool.pendingThroughSeq(batchSize)) {
        const read = this.spool.readPending(batchSize);
        prepared = { ackedSeq: this.spool.acknowledgedSeq(), throughSeq: read.at(-1)?.seq ?? this.spool.acknowledgedSeq(), records: read, samplesJson: JSON.stringify(read) };
      }
      const records = prepared.records;
      if (records.length === 0) {
        backfilling = false;
        continue;
      }
      const lastSeq = records.at(-1)!.seq;
      const batch = buildBatch(this.site, records, {
        sentAt: this.options.now(),
        pushIntervalMs: this.options.pushIntervalMs,
        spool: this.spool.stats(),
        snapshot: linkSnapshot(this.site, this.options.now(), this.options.upSinceTs),
      });
      firstAttemptMs ??= performance.now();
      attempts++;
      const signal = AbortSignal.any([this.drainAbort.signal, AbortSignal.timeout(this.options.requestTimeoutMs)]);
      const backlogRecords = this.spool.stats().pendingRecords - records.length;
      const body = await batchBodyAsync(batch, prepared.samplesJson);
      const outcome = await pushAttempt(this.options.collectorUrl, this.options.token, body, lastSeq, backlogRecords, signal);
      if (outcome.kind === "acknowledged") {
        this.unanswered = false;
        if (outcome.lastSeq !== null) this.spool.ack(outcome.lastSeq);
        failures = 0;
        backfilling = records.length >= batchSize;
        this.options.observer.acknowledged({
          site: this.site.id,
          samples: records.length,
          firstSeq: records[0]!.seq,
          lastSeq,
          accepted: outcome.accepted,
          status: outcome.status,
          attempts,
          firstAttemptMs,
          acknowledgedMs: performance.now(),
          pendingAfter: this.spool.stats().pendingRecords,
        });
        firstAttemptMs = null;
        attempts = 0;
        continue;
      }
      // No answer at all: the collector may have stored the batch. Any answer other than 200/409 means it did not
      // store this attempt, but says nothing of an earlier unanswered one: only an acknowledgement settles that.
      if (outcome.status === null) this.unanswered = true;
      this.options.observer.retried(this.site.id, outcome);
      if (this.stopping && !this.unanswered) return;
      const backoff = parseRetryAfterMs(outcome.retryAfter, this.options.now(), this.options.maxBackoffMs) ?? backoffDelayMs(failures, this.options.minBackoffMs, this.options.maxBackoffMs, this.options.random);
      // Draining, an unanswered batch is only repeated to learn its fate: soon, not after a long backoff.
      const delay = this.stopping ? Math.min(backoff, this.options.minBackoffMs) : backoff;
      failures++;
      await this.sleep(delay);
    }
  }

  /** Waits `ms` (null: until woken), or until a tick or a stop wakes it early; a wait after a failure ignores ticks. */
  private sleep(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === null ? null : setTimeout(done, ms);
      const self = this;
      const drain = this.drainAbort.signal;
      function done(): void {
        if (timer) clearTimeout(timer);
        drain.removeEventListener("abort", done);
        self.wake = null;
        resolve();
      }
      // A backoff is never cut short by a tick (as the agent's pushSoon), only by a stop or the drain's end.
      this.wake = ms === null ? done : () => (this.stopping ? done() : undefined);
      drain.addEventListener("abort", done, { once: true });
    });
  }
}
