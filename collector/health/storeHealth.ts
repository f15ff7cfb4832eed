/**
 * Whether the collector's store takes writes: the pure state machine behind the store circuit breaker
 * (storeBreaker.ts). Timestamps (`…Ts`) are UTC ms from the wall clock, for events, logs and the incident; probes are
 * scheduled on a monotonic clock (`…Mono`, ms from an arbitrary origin), which a wall clock stepped back by NTP or by
 * hand cannot stall.
 *
 * - `up` (the breaker is closed): writes go to the store.
 * - `failing` (open): a write failed because the store cannot take writes (locked, disk full, I/O error…); writes are
 *   refused at once without touching the store, and a cheap probe write is tried every `probeIntervalMs`.
 * - `halfOpen`: a probe succeeded. The probe rewrites one existing row, which may succeed while real writes still
 *   fail (a full disk, a lock taken in bursts), so it only lets real writes through again: the first that succeeds
 *   brings the store back `up`; the first that fails makes it `failing` again, still failing since the first failure
 *   (`sinceTs` is kept, and so is the count towards the outage). When no write comes for `halfOpenWaitMs` (nothing
 *   is waiting to be written: no site pushes), a second good probe brings it back `up` (`idleProbed`): half-open never
 *   lasts, so a failure after a healthy spell is a new outage with its own clock.
 * - Failing for `outageAfterMs` without a real write succeeding is an outage: the collector's own incident is opened.
 */

/** How the breaker behaves. Durations in ms. */
export interface StoreHealthPolicy {
  /** While failing, the least time between two write attempts (the probe), ms. */
  probeIntervalMs: number;
  /** Failing this long without a success is an outage (the collector incident opens), ms. */
  outageAfterMs: number;
  /**
   * Half-open this long with no write under way, a good probe alone brings the store back up, ms (default
   * {@link STORE_HALF_OPEN_WAIT_MS}).
   */
  halfOpenWaitMs?: number;
}

/**
 * The default {@link StoreHealthPolicy.halfOpenWaitMs}, ms: twice the Retry-After of a refused ingest
 * (storeBreaker.ts), so the agents refused during the failure are back, and their writes tell, before a probe does.
 */
export const STORE_HALF_OPEN_WAIT_MS = 10_000;

/** What failing and half-open have in common: since when (the first failed write), the last error, how many failed, whether the outage was declared. */
interface NotUp {
  sinceTs: number;
  lastError: string;
  failures: number;
  outage: boolean;
}

/**
 * The store's health. While failing: `lastAttemptMono` when the last attempt (write or probe) began, on the
 * monotonic clock. While half-open: `probedTs` when the probe that succeeded began.
 */
export type StoreHealthState =
  | { status: "up" }
  | ({ status: "failing"; lastAttemptMono: number } & NotUp)
  | ({ status: "halfOpen"; probedTs: number } & NotUp);

/**
 * What was seen: a real write begun at `ts` succeeded; the probe begun at `ts` succeeded (`idleProbed`: a probe made
 * while half-open with no write for `halfOpenWaitMs`); a write or probe begun at `ts` (`monoMs` on the monotonic clock)
 * failed because the store cannot take writes; or only that time passed.
 */
export type StoreObservation =
  | { type: "succeeded"; ts: number }
  | { type: "probed"; ts: number }
  | { type: "idleProbed"; ts: number }
  | { type: "failed"; ts: number; monoMs: number; error: string }
  | { type: "clock"; ts: number };

/**
 * What changed: the store began failing (writes are refused from now on); it has been failing for `outageAfterMs`
 * (`detectedTs`: when that was noticed); a probe succeeded (writes are let through again); a real write failed after
 * that (refused again, still failing since `sinceTs`); a real write succeeded: it takes writes again (`outage`: whether
 * an outage had been declared).
 */
export type StoreHealthEvent =
  | { type: "failing"; sinceTs: number; error: string }
  | { type: "outage"; sinceTs: number; detectedTs: number; error: string }
  | { type: "probed"; sinceTs: number; probedTs: number }
  | { type: "relapsed"; sinceTs: number; failedTs: number; error: string }
  | { type: "restored"; sinceTs: number; restoredTs: number; outage: boolean; failures: number };

type Step = { state: StoreHealthState; events: StoreHealthEvent[] };

/** The state of a store that has not failed. */
export const STORE_UP: StoreHealthState = Object.freeze({ status: "up" });

/** Pure: the next state and the events of the step. */
export function nextStoreHealth(state: StoreHealthState, observation: StoreObservation, policy: StoreHealthPolicy): Step {
  if (state.status === "failing") return fromFailing(state, observation, policy);
  if (state.status === "halfOpen") return fromHalfOpen(state, observation, policy);
  if (observation.type !== "failed") return { state, events: [] };
  const { ts, monoMs, error } = observation;
  const failing: FailingState = { status: "failing", sinceTs: ts, lastAttemptMono: monoMs, lastError: error, failures: 1, outage: false };
  return declareOutage(failing, ts, policy, [{ type: "failing", sinceTs: ts, error }]);
}

type FailingState = Extract<StoreHealthState, { status: "failing" }>;
type HalfOpenState = Extract<StoreHealthState, { status: "halfOpen" }>;

function fromFailing(state: FailingState, observation: StoreObservation, policy: StoreHealthPolicy): Step {
  switch (observation.type) {
    case "probed": {
      const { lastAttemptMono: _last, ...notUp } = state;
      return { state: { ...notUp, status: "halfOpen", probedTs: observation.ts }, events: [{ type: "probed", sinceTs: state.sinceTs, probedTs: observation.ts }] };
    }
    case "failed": {
      const failing = { ...state, lastAttemptMono: Math.max(state.lastAttemptMono, observation.monoMs), lastError: observation.error, failures: state.failures + 1 };
      return declareOutage(failing, observation.ts, policy, []);
    }
    case "clock":
      return declareOutage(state, observation.ts, policy, []);
    case "succeeded":
    case "idleProbed":
      // Writes are refused while failing: a success now is of a write (or a probe) begun before the failure, and proves nothing.
      return { state, events: [] };
  }
}

function fromHalfOpen(state: HalfOpenState, observation: StoreObservation, policy: StoreHealthPolicy): Step {
  switch (observation.type) {
    case "succeeded":
    case "idleProbed":
      return { state: STORE_UP, events: [{ type: "restored", sinceTs: state.sinceTs, restoredTs: observation.ts, outage: state.outage, failures: state.failures }] };
    case "failed": {
      const { probedTs: _probed, ...notUp } = state;
      const { ts, monoMs, error } = observation;
      const failing: FailingState = { ...notUp, status: "failing", lastAttemptMono: monoMs, lastError: error, failures: state.failures + 1 };
      return declareOutage(failing, ts, policy, [{ type: "relapsed", sinceTs: state.sinceTs, failedTs: ts, error }]);
    }
    case "probed":
    case "clock":
      // A good probe stops the outage clock: whether the store is back is for the next real write to say.
      return { state, events: [] };
  }
}

/**
 * Whether a half-open store, half-open since `halfOpenedMono` (the monotonic clock, ms) with no write under way, should
 * be probed again at `monoNowMs` to bring it back up ({@link StoreHealthPolicy.halfOpenWaitMs}).
 */
export function idleProbeDue(state: StoreHealthState, halfOpenedMono: number, monoNowMs: number, policy: StoreHealthPolicy): boolean {
  if (state.status !== "halfOpen") return false;
  const elapsedMs = monoNowMs - halfOpenedMono;
  return elapsedMs < 0 || elapsedMs >= (policy.halfOpenWaitMs ?? STORE_HALF_OPEN_WAIT_MS);
}

/**
 * Whether the store should be probed at `monoNowMs` (the monotonic clock): it is failing and nothing was tried for
 * `probeIntervalMs` (or the clock reads before the last attempt, which a monotonic clock never does).
 */
export function probeDue(state: StoreHealthState, monoNowMs: number, policy: StoreHealthPolicy): boolean {
  if (state.status !== "failing") return false;
  const elapsedMs = monoNowMs - state.lastAttemptMono;
  return elapsedMs < 0 || elapsedMs >= policy.probeIntervalMs;
}

function declareOutage(state: FailingState, nowMs: number, policy: StoreHealthPolicy, events: StoreHealthEvent[]): Step {
  if (state.outage || nowMs - state.sinceTs < policy.outageAfterMs) return { state, events };
  return { state: { ...state, outage: true }, events: [...events, { type: "outage", sinceTs: state.sinceTs, detectedTs: nowMs, error: state.lastError }] };
}
