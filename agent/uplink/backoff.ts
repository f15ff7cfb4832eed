/**
 * Delay before retry number `attempt` (0 for the first retry): exponential from `baseMs`, capped at `maxMs`, with
 * "equal jitter" (half fixed, half random) so that many agents coming back at once do not retry in step. ms.
 */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * A Retry-After header (seconds, or an HTTP date) as ms from `nowMs`, clamped to [0, maxMs]; null when absent or
 * malformed.
 */
export function parseRetryAfterMs(header: string | null, nowMs: number, maxMs: number): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return null;
    ms = at - nowMs;
  }
  return Math.max(0, Math.min(maxMs, ms));
}
