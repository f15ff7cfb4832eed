import type { Logger } from "../../config/logger.js";
import { STORE_UP, nextStoreHealth, probeDue, type StoreHealthEvent, type StoreHealthPolicy, type StoreHealthState, type StoreObservation } from "./storeHealth.js";

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
  /** A cheap real write (Store.probeWrite); throws when the store cannot take it. */
  probe(nowMs: number): void;
  /** Whether an error a write threw means the store cannot take writes (Store.isUnavailableError). */
  isUnavailable(err: unknown): boolean;
  policy: StoreHealthPolicy;
  now(): number;
  logger: Logger;
  /** Told of every change, after the breaker's state has changed. A throw is logged, never passed on to the writer. */
  onEvent(event: StoreHealthEvent): void;
}

/**
 * The circuit breaker in front of the store's writes (see storeHealth.ts for the states). better-sqlite3 is
 * synchronous: a write to a locked database holds the event loop for the whole busy timeout. So once one write has
 * failed for a store reason, {@link write} refuses the next ones at once with a {@link StoreUnavailableError}, and only
 * {@link tick} touches the store, with a probe write every `probeIntervalMs`, until one succeeds.
 *
 * Errors that are not the store's (a constraint, a bug) pass through and leave the state alone.
 */
export class StoreBreaker {
  readonly #deps: StoreBreakerDeps;
  #state: StoreHealthState = STORE_UP;

  constructor(deps: StoreBreakerDeps) {
    this.#deps = deps;
  }

  /** The current state (a frozen snapshot). */
  get state(): StoreHealthState {
    return this.#state;
  }

  /** True while writes go to the store (the breaker is closed). */
  get writable(): boolean {
    return this.#state.status === "up";
  }

  /**
   * Runs `write` and returns its result, unless the store is failing: then throws {@link StoreUnavailableError}
   * without calling it. A store failure it throws opens the breaker (and is thrown on).
   */
  write<T>(write: () => T): T {
    const state = this.#state;
    if (state.status === "failing") throw new StoreUnavailableError(state.sinceTs, state.lastError);
    const startedTs = this.#deps.now();
    try {
      return write();
    } catch (err) {
      if (this.#deps.isUnavailable(err)) this.#observe({ type: "failed", ts: startedTs, error: errorText(err) });
      throw err;
    }
  }

  /** Probes the store when due (see the class comment) and notices an outage; call it often (every 250 ms). */
  tick(): void {
    const nowMs = this.#deps.now();
    if (!probeDue(this.#state, nowMs, this.#deps.policy)) {
      this.#observe({ type: "clock", ts: nowMs });
      return;
    }
    try {
      this.#deps.probe(nowMs);
    } catch (err) {
      // Whatever the probe write throws, the store did not take it.
      this.#deps.logger.debug("store probe failed", { err });
      this.#observe({ type: "failed", ts: nowMs, error: errorText(err) });
      return;
    }
    this.#observe({ type: "succeeded", ts: nowMs });
  }

  #observe(observation: StoreObservation): void {
    const { state, events } = nextStoreHealth(this.#state, observation, this.#deps.policy);
    this.#state = Object.freeze(state);
    for (const event of events) {
      this.#log(event);
      try {
        this.#deps.onEvent(event);
      } catch (err) {
        this.#deps.logger.error("store health listener failed", { event: event.type, err });
      }
    }
  }

  #log(event: StoreHealthEvent): void {
    const { logger } = this.#deps;
    const since = new Date(event.sinceTs).toISOString();
    if (event.type === "failing") logger.error("store failing: writes refused until a probe succeeds", { since, error: event.error });
    else if (event.type === "outage") logger.error("store unreachable", { since, failingMs: event.detectedTs - event.sinceTs, error: event.error });
    else logger.info("store writable again", { since, failingMs: event.restoredTs - event.sinceTs, failures: event.failures, outage: event.outage });
  }
}

/** One line for logs, the incident's evidence and /healthz: "SQLITE_BUSY: database is locked". */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && !err.message.startsWith(code) ? `${code}: ${err.message}` : err.message;
}
