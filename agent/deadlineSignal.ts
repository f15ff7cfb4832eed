/**
 * A signal for one bounded piece of work (a probe round, a push): aborts when `outer` does or after `timeoutMs`.
 * `release` must be called when the work ends. (Not AbortSignal.any with the agent's long-lived stop signal: on
 * Node 20 each such signal, once listened to, stays reachable from the stop signal, about 2 KB per call, measured.)
 */
export function deadlineSignal(outer: AbortSignal, timeoutMs: number): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(outer.reason);
  outer.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException("deadline", "TimeoutError")), timeoutMs);
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      outer.removeEventListener("abort", onAbort);
    },
  };
}
