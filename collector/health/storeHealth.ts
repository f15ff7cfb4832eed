/**
 * Whether the collector's store takes writes: the pure state machine behind the store circuit breaker
 * (storeBreaker.ts). Times UTC ms.
 *
 * - `up` (the breaker is closed): writes go to the store.
 * - `failing` (open): a write failed because the store cannot take writes (locked, disk full, I/O error…); writes are
 *   refused at once without touching the store, and a cheap probe write is tried every `probeIntervalMs` (the
 *   half-open test). The first probe, or write, that succeeds brings the store back `up`.
 * - Failing for `outageAfterMs` without any success is an outage: the collector's own incident is opened.
 */

/** How the breaker behaves. Durations in ms. */
export interface StoreHealthPolicy {
  /** While failing, the least time between two write attempts (the probe), ms. */
  probeIntervalMs: number;
  /** Failing this long without a success is an outage (the collector incident opens), ms. */
  outageAfterMs: number;
}

/**
 * The store's health. While failing: `sinceTs` when the first failed write began, `lastAttemptTs` when the last one
 * (write or probe) began, `lastError` its error text, `failures` how many failed, `outage` whether the outage was
 * declared.
 */
export type StoreHealthState =
  | { status: "up" }
  | { status: "failing"; sinceTs: number; lastAttemptTs: number; lastError: string; failures: number; outage: boolean };

/**
 * What was seen: a write (or probe) begun at `ts` succeeded, or failed because the store cannot take writes; or only
 * that time passed (`clock`).
 */
export type StoreObservation = { type: "succeeded"; ts: number } | { type: "failed"; ts: number; error: string } | { type: "clock"; ts: number };

/**
 * What changed: the store began failing (writes are refused from now on); it has been failing for `outageAfterMs`
 * (`detectedTs`: when that was noticed); it takes writes again (`outage`: whether an outage had been declared).
 */
export type StoreHealthEvent =
  | { type: "failing"; sinceTs: number; error: string }
  | { type: "outage"; sinceTs: number; detectedTs: number; error: string }
  | { type: "restored"; sinceTs: number; restoredTs: number; outage: boolean; failures: number };

/** The state of a store that has not failed. */
export const STORE_UP: StoreHealthState = Object.freeze({ status: "up" });

/** Pure: the next state and the events of the step. */
export function nextStoreHealth(state: StoreHealthState, observation: StoreObservation, policy: StoreHealthPolicy): { state: StoreHealthState; events: StoreHealthEvent[] } {
  if (state.status === "up") {
    if (observation.type !== "failed") return { state, events: [] };
    const failing: StoreHealthState = { status: "failing", sinceTs: observation.ts, lastAttemptTs: observation.ts, lastError: observation.error, failures: 1, outage: false };
    return declareOutage(failing, observation.ts, policy, [{ type: "failing", sinceTs: observation.ts, error: observation.error }]);
  }
  switch (observation.type) {
    case "succeeded":
      return { state: STORE_UP, events: [{ type: "restored", sinceTs: state.sinceTs, restoredTs: observation.ts, outage: state.outage, failures: state.failures }] };
    case "failed": {
      const failing = { ...state, lastAttemptTs: Math.max(state.lastAttemptTs, observation.ts), lastError: observation.error, failures: state.failures + 1 };
      return declareOutage(failing, observation.ts, policy, []);
    }
    case "clock":
      return declareOutage(state, observation.ts, policy, []);
  }
}

/** Whether the store should be probed at `nowMs`: it is failing and nothing was tried for `probeIntervalMs`. */
export function probeDue(state: StoreHealthState, nowMs: number, policy: StoreHealthPolicy): boolean {
  return state.status === "failing" && nowMs - state.lastAttemptTs >= policy.probeIntervalMs;
}

function declareOutage(
  state: Extract<StoreHealthState, { status: "failing" }>,
  nowMs: number,
  policy: StoreHealthPolicy,
  events: StoreHealthEvent[],
): { state: StoreHealthState; events: StoreHealthEvent[] } {
  if (state.outage || nowMs - state.sinceTs < policy.outageAfterMs) return { state, events };
  return { state: { ...state, outage: true }, events: [...events, { type: "outage", sinceTs: state.sinceTs, detectedTs: nowMs, error: state.lastError }] };
}
