import type { Logger } from "../../config/logger.js";
import { STORE_UP, idleProbeDue, nextStoreHealth, probeDue, type StoreHealthEvent, type StoreHealthPolicy, type StoreHealthState, type StoreObservation } from "./storeHealth.js";

/** While failing, how often the store is probed, ms (the default of {@link StoreHealthPolicy.probeIntervalMs}). */
export const STORE_PROBE_INTERVAL_MS = 1000;

/**
 * The Retry-After (seconds) of a refused ingest. Agents wait this long (at most their `max_backoff`) and keep the
 * batch in their spool; a few seconds keeps thousands of agents from knocking every second during an outage.
 */
export const STORE_RETRY_AFTER_S = 5;

/** Thrown instead of attempting a write while the store is known to be failing; the store was not touched. */
export class StoreUnavailableError extends Error {
  constructor(
    /** When the store began failing, UTC ms. */
    readonly sinceTs: number,
    /** The last error the store gave. */
    readonly lastError: string,
  ) {
    super(`the store is failing since ${new Date(sinceTs).toISOString()} (${lastError}); write not attempted`);
    this.name = "StoreUnavailableError";
  }
}

/** What the breaker works from. */
export interface StoreBreakerDeps {
  /**
   * A cheap real write (MetadataStore.probeWrite, SampleStore.probe); throws, or rejects, when the store cannot take
   * it. An asynchronous probe runs one at a time: ticks while it is under way only let time pass.
   */
  probe(nowMs: number): void | Promise<void>;
  /** Whether an error a write threw means the store cannot take writes (Store.isUnavailableError). */
  isUnavailable(err: unknown): boolean;
  /**
   * Runs a write with the probe's short wait for a lock (Store.withShortLockWait), for the writes let through after a
   * good probe: while the store may still be locked, each of them must not hold the event loop for the whole busy
   * timeout. Absent: they run as they are.
   */
  cautiously?<T>(write: () => T): T;
  /** The same for {@link StoreBreaker.writeAsync} (SampleStore.withShortLockWait). Absent: they run as they are. */
  cautiouslyAsync?<T>(write: () => Promise<T>): Promise<T>;
  policy: StoreHealthPolicy;
  /** The wall clock, UTC ms: the times of events. */
  now(): number;
  /** A monotonic clock, ms from any origin, for scheduling probes (default: performance.now). */
  monotonicNow?(): number;
  logger: Logger;
}

/** Told of every change of the store's health, after the breaker's state has changed. */
export type StoreHealthListener = (event: StoreHealthEvent) => void;

/**
 * The circuit breaker in front of the store's writes (see storeHealth.ts for the states). better-sqlite3 is
 * synchronous: a write to a locked database holds the event loop for the whole busy timeout. So once one write has
 * failed for a store reason, {@link write} refuses the next ones at once with a {@link StoreUnavailableError}, and only
 * {@link tick} touches the store, with a probe write every `probeIntervalMs`. After a probe succeeds (half-open),
 * writes go through again, with the short lock wait: the first one that succeeds closes the breaker, the first that
 * fails opens it again. Half-open for `halfOpenWaitMs` with no write under way, {@link tick} probes once more, and a
 * good probe closes it (nothing is waiting to be written, and the store takes writes).
 *
 * Writes may nest (a transaction of writes that each go through the breaker): only the outermost one's success
 * counts, and a failure counts once however many levels it passes through.
 *
 * Errors that are not the store's (a constraint, a bug) pass through and leave the state alone.
 */
export class StoreBreaker {
  readonly #deps: StoreBreakerDeps;
  readonly #listeners = new Set<StoreHealthListener>();
  /** Failures already counted, so that one passing through nested writes counts once. */
  readonly #counted = new WeakSet<object>();
  #state: StoreHealthState = STORE_UP;
  /** How many writes are running (nested in one another). */
  #depth = 0;
  /** An asynchronous probe is under way. */
  #probing = false;
  /** How many {@link writeAsync} calls are under way. */
  #asyncWrites = 0;
  /** When the probe that made the breaker half-open began, on the monotonic clock. */
  #halfOpenedMono = 0;

  constructor(deps: StoreBreakerDeps) {
    this.#deps = deps;
  }

  /** The current state (a frozen snapshot). */
  get state(): StoreHealthState {
    return this.#state;
  }

  /** True while writes go to the store: up (the breaker is closed), or half-open after a good probe. */
  get writable(): boolean {
    return this.#state.status !== "failing";
  }

  /**
   * Calls `listener` with every change from now on, after the state changed; returns what unsubscribes it. A
   * listener that throws is logged, never passed on to the writer.
   */
  subscribe(listener: StoreHealthListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Runs `write` and returns its result, unless the store is failing: then throws {@link StoreUnavailableError}
   * without calling it. A store failure it throws opens the breaker (and is thrown on); while half-open, its success
   * closes it.
   */
  write<T>(write: () => T): T {
    const state = this.#state;
    if (state.status === "failing") throw new StoreUnavailableError(state.sinceTs, state.lastError);
    const outermost = this.#depth === 0;
    const startedTs = this.#deps.now();
    const startedMono = this.#monotonicNow();
    let result: T;
    this.#depth++;
    try {
      const { cautiously } = this.#deps;
      result = outermost && state.status === "halfOpen" && cautiously ? cautiously(write) : write();
    } catch (err) {
      if (this.#deps.isUnavailable(err) && !this.#alreadyCounted(err)) {
        this.#observe({ type: "failed", ts: startedTs, monoMs: startedMono, error: errorText(err) });
      }
      throw err;
    } finally {
      this.#depth--;
    }
    if (outermost && this.#state.status === "halfOpen") this.#observe({ type: "succeeded", ts: startedTs });
    return result;
  }

  /**
   * The asynchronous {@link write}, for a store whose writes are awaited (a sample store): refused at once with
   * {@link StoreUnavailableError} while the store is failing; a store failure it rejects with opens the breaker (and
   * is rejected on); while half-open, its success closes it. Not nested: each call is a write of its own, and several
   * may run at once (the first to finish decides a half-open breaker). A slow store is bounded by the store itself
   * (its request timeout), which rejects with an unavailable error.
   */
  async writeAsync<T>(write: () => Promise<T>): Promise<T> {
    const state = this.#state;
    if (state.status === "failing") throw new StoreUnavailableError(state.sinceTs, state.lastError);
    const startedTs = this.#deps.now();
    const startedMono = this.#monotonicNow();
    let result: T;
    this.#asyncWrites++;
    try {
      const { cautiouslyAsync } = this.#deps;
      result = state.status === "halfOpen" && cautiouslyAsync ? await cautiouslyAsync(write) : await write();
    } catch (err) {
      if (this.#deps.isUnavailable(err) && !this.#alreadyCounted(err)) {
        this.#observe({ type: "failed", ts: startedTs, monoMs: startedMono, error: errorText(err) });
      }
      throw err;
    } finally {
      this.#asyncWrites--;
    }
    if (this.#state.status === "halfOpen") this.#observe({ type: "succeeded", ts: startedTs });
    return result;
  }

  /**
   * Probes the store when due (see the class comment) and notices an outage; call it often (every 250 ms). While
   * failing, a probe every `probeIntervalMs`; half-open for `halfOpenWaitMs` with no write under way, one more.
   */
  tick(): void {
    const nowMs = this.#deps.now();
    const monoMs = this.#monotonicNow();
    if (this.#probing) {
      this.#observe({ type: "clock", ts: nowMs });
    } else if (probeDue(this.#state, monoMs, this.#deps.policy)) {
      this.#probe(nowMs, monoMs, "probed");
    } else if (this.#depth === 0 && this.#asyncWrites === 0 && idleProbeDue(this.#state, this.#halfOpenedMono, monoMs, this.#deps.policy)) {
      this.#probe(nowMs, monoMs, "idleProbed");
    } else {
      this.#observe({ type: "clock", ts: nowMs });
    }
  }

  /** Runs the probe (begun at `nowMs`, `monoMs`); its success is observed as `success`. */
  #probe(nowMs: number, monoMs: number, success: "probed" | "idleProbed"): void {
    const failed = (err: unknown): void => {
      // Whatever the probe write throws, the store did not take it.
      this.#deps.logger.debug("store probe failed", { err });
      this.#observe({ type: "failed", ts: nowMs, monoMs, error: errorText(err) });
    };
    const succeeded = (): void => {
      const before = this.#state.status;
      this.#observe({ type: success, ts: nowMs });
      if (before !== "halfOpen" && this.state.status === "halfOpen") this.#halfOpenedMono = monoMs;
    };
    let pending: void | Promise<void>;
    try {
      pending = this.#deps.probe(nowMs);
    } catch (err) {
      failed(err);
      return;
    }
    if (pending === undefined) {
      succeeded();
      return;
    }
    this.#probing = true;
    pending.then(
      () => {
        this.#probing = false;
        succeeded();
      },
      (err: unknown) => {
        this.#probing = false;
        failed(err);
      },
    );
  }

  #monotonicNow(): number {
    return this.#deps.monotonicNow ? this.#deps.monotonicNow() : performance.now();
  }

  #alreadyCounted(err: unknown): boolean {
    if (typeof err !== "object" || err === null) return false;
    if (this.#counted.has(err)) return true;
    this.#counted.add(err);
    return false;
  }

  #observe(observation: StoreObservation): void {
    const { state, events } = nextStoreHealth(this.#state, observation, this.#deps.policy);
    this.#state = Object.freeze(state);
    for (const event of events) {
      this.#log(event);
      for (const listener of [...this.#listeners]) {
        try {
          listener(event);
        } catch (err) {
          this.#deps.logger.error("store health listener failed", { event: event.type, err });
        }
      }
    }
  }

  #log(event: StoreHealthEvent): void {
    const { logger } = this.#deps;
    const since = new Date(event.sinceTs).toISOString();
    if (event.type === "failing") logger.error("store failing: writes refused until a probe succeeds", { since, error: event.error });
    else if (event.type === "outage") logger.error("store unreachable", { since, failingMs: event.detectedTs - event.sinceTs, error: event.error });
    else if (event.type === "probed") logger.info("store probe succeeded: writes let through again", { since });
    else if (event.type === "relapsed") logger.warn("store write failed after a good probe: writes refused again", { since, error: event.error });
    else logger.info("store writable again", { since, failingMs: event.restoredTs - event.sinceTs, failures: event.failures, outage: event.outage });
  }
}

/** One line for logs, the incident's evidence and /healthz: "SQLITE_BUSY: database is locked". */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && !err.message.startsWith(code) ? `${code}: ${err.message}` : err.message;
}
