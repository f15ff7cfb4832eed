/**
 * How many backlog batches the collector takes at once, adapted to its load: the live pushes of every site come first,
 * and backlog only gets the event loop's spare time. Bounding backlog batches by a fixed share of the slots is not
 * enough: each one is a 500-record batch costing tens of ms of the single event loop, so a handful queued ahead of a
 * live push delay it as much as they like when the machine is short of CPU. So the allowance is governed by additive
 * increase, multiplicative decrease on the event loop's utilisation (the share of wall time it was not waiting for
 * I/O, node's `performance.eventLoopUtilization()`), judged once per window: above the target while live pushes came,
 * half as many (down to none: live pushes alone may need the whole loop); otherwise one more (up to the configured
 * most), but only when backlog was refused for want of room in that window (an allowance nobody used proves nothing,
 * so sites coming back all at once after a quiet time start from one batch at a time, not from the most). A window
 * without live pushes never cuts back: there is no one to make room for.
 * Pure: the observations and the time are passed in. */

/** The governor's state. Times UTC ms. */
export interface BackfillGovernorState {
  /** Backlog batches that may be in flight now (0 … policy.maxBackfillInFlight). */
  allowed: number;
  /** Start of the window being judged. */
  windowStartMs: number;
}

/** The governor's settings. */
export interface BackfillGovernorPolicy {
  /** `ingest.max_backfill_in_flight`. */
  maxBackfillInFlight: number;
  /** Utilisation (0–1) above which backlog is cut back. */
  targetUtilization: number;
  /** How long a window is judged over, ms. */
  windowMs: number;
}

/** The defaults: keep a fifth of the loop free for live pushes, judged every second. */
export const BACKFILL_GOVERNOR_DEFAULTS = { targetUtilization: 0.8, windowMs: 1000 } as const;

/** The state before any window was judged: one backlog batch at a time. */
export function initialBackfillGovernor(nowMs: number): BackfillGovernorState {
  return { allowed: 1, windowStartMs: nowMs };
}

/**
 * What was seen over one window: the event loop's utilisation (0–1), the live pushes admitted, and whether a backlog
 * push was refused because the allowance was used up.
 */
export interface GovernorWindow {
  utilization: number;
  livePushes: number;
  backfillRefused: boolean;
}

/** Whether the window of `state` has ended at `nowMs` (then {@link nextBackfillGovernor} judges it). */
export function windowEnded(state: BackfillGovernorState, nowMs: number, policy: BackfillGovernorPolicy): boolean {
  return nowMs - state.windowStartMs >= policy.windowMs;
}

/** Judges the window that ended at `nowMs` by what was seen over it, and opens the next one. */
export function nextBackfillGovernor(state: BackfillGovernorState, seen: GovernorWindow, nowMs: number, policy: BackfillGovernorPolicy): BackfillGovernorState {
  const crowded = seen.utilization > policy.targetUtilization && seen.livePushes > 0;
  const grown = seen.backfillRefused ? state.allowed + 1 : state.allowed;
  const allowed = crowded ? Math.floor(state.allowed / 2) : Math.min(policy.maxBackfillInFlight, grown);
  return { allowed, windowStartMs: nowMs };
}

/**
 * A meter of this process's event loop utilisation: each call returns the share (0–1) of wall time since the previous
 * call (or since the meter was made) that the loop spent working rather than waiting for I/O.
 */
export function eventLoopUtilizationMeter(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const since = performance.eventLoopUtilization(now, last);
    last = now;
    return since.utilization;
  };
}
