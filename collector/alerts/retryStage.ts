import type { DeliveryAttempt } from "../../protocol/incident.js";
import type { Channel, DeliveryResult, Notification } from "./notification.js";

/** How often and how patiently one message is tried (alerting.retry). Delays in ms. */
export interface RetryPolicy {
  /** Attempts in all, at least 1. */
  attempts: number;
  /** Delay before the second attempt; it doubles each time. */
  firstDelayMs: number;
  /** Ceiling of any delay. */
  maxDelayMs: number;
  /**
   * Attempts already made for this same message by an earlier run (resuming after a restart): numbering continues
   * after them and only the rest of the budget is used (at least one attempt is always made). 0 when absent.
   */
  previousAttempts?: number;
}

/** What the retry stage needs from its surroundings. */
export interface RetryDeps {
  /** Waits `ms`; may resolve early or reject when `signal` aborts (both mean: stop). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** UTC ms; each attempt's `ts` is the time it started. */
  now(): number;
  /** Called once per attempt, in order, as soon as its outcome is known (before any wait). */
  record(attempt: DeliveryAttempt): void;
  /** Aborting stops the stage: no further attempt, the current wait ends, the channel's request is told. */
  signal: AbortSignal;
  /** Uniform in [0, 1), for the jitter; Math.random when absent. */
  random?(): number;
}

/**
 * The wait after attempt number `attempt` (1-based) failed: `firstDelayMs · 2^(attempt−1)`, with ±20 % jitter so
 * that many messages failing together do not retry in step, never above `maxDelayMs`. ms, rounded.
 */
export function retryDelayMs(attempt: number, policy: Pick<RetryPolicy, "firstDelayMs" | "maxDelayMs">, random: number): number {
  const base = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(Math.min(policy.maxDelayMs, base * (0.8 + 0.4 * random)));
}

/**
 * The retry stage: sends `notification` through `channel` until it is delivered, a failure is not retryable, the
 * attempts are used up, or `deps.signal` aborts. Every attempt is recorded through `deps.record`, `retryable`
 * saying whether it will be tried again (true only on the failed attempts followed by another — or, when the
 * signal aborted during the wait, by none in this run: the message is then still owed and a restarted dispatcher
 * resumes it). Resolves with the last attempt; never rejects for a delivery failure. A channel that throws (it
 * must not) is treated as a retryable failure.
 */
export async function deliverWithRetry(channel: Channel, notification: Notification, policy: RetryPolicy, deps: RetryDeps): Promise<DeliveryAttempt> {
  const first = (policy.previousAttempts ?? 0) + 1;
  const last = Math.max(first, policy.attempts);
  for (let attempt = first; ; attempt++) {
    const ts = deps.now();
    const result = await sendOnce(channel, notification, deps.signal);
    // Also true when the signal aborted: the message is then still owed, and the next run resumes it.
    const retryable = !result.ok && result.retryable && attempt < last;
    const recorded: DeliveryAttempt = {
      receiver: notification.receiver.id,
      channel: channel.name,
      message: notification.message,
      attempt,
      ts,
      ok: result.ok,
      detail: result.detail,
      retryable,
    };
    deps.record(recorded);
    if (!retryable || deps.signal.aborted) return recorded;
    try {
      await deps.sleep(retryDelayMs(attempt, policy, deps.random?.() ?? Math.random()), deps.signal);
    } catch {
      return recorded;
    }
    if (deps.signal.aborted) return recorded;
  }
}

async function sendOnce(channel: Channel, notification: Notification, signal: AbortSignal): Promise<DeliveryResult> {
  try {
    return await channel.send(notification, signal);
  } catch (err) {
    return { ok: false, retryable: true, detail: `channel threw: ${err instanceof Error ? err.message : String(err)}` };
  }
}
