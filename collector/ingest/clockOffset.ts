/** How the collector reads an agent's clock at one push. */
export interface ClockReading {
  /** Collector clock minus agent clock as measured at this push, ms (positive: the agent's clock is behind). */
  offsetMs: number;
  /** True when |offsetMs| exceeds the tolerance: the site is flagged and its timestamps corrected. */
  skewed: boolean;
  /** Added to every timestamp of the batch to put it on the collector's time line, ms: the site's correction in effect. */
  correctionMs: number;
}

/** How many pushes the lowest offset is taken over (this one and the ones before it). */
export const CLOCK_OFFSET_WINDOW_PUSHES = 3;

/**
 * Compares the agent's send time with the collector's receive time and decides the correction in effect for the site.
 * Transit time counts into the offset, which is why small offsets (within `toleranceMs`) are left alone: only a clock
 * that is clearly wrong is corrected, so a commune box without working NTP cannot put samples in the future or the
 * distant past.
 *
 * The correction is sticky: it changes only when the offset moves more than `toleranceMs` away from the one in effect
 * (`previousCorrectionMs`, 0 for a site never heard from), and then to that offset, or to 0 when it is within the
 * tolerance (the clock was fixed). The offset judged is the lowest of this push's and `recentOffsetsMs` (the site's
 * previous few, see {@link CLOCK_OFFSET_WINDOW_PUSHES}): a delay (a slow link, a busy collector, a batch waiting behind
 * its site's previous one) only ever makes an offset look larger, so one late push cannot move the correction, while a
 * clock that really stepped moves it within the window. So transit-time jitter never moves samples, and a resend of a
 * measurement gets the same stored timestamp as the first copy (a stored sample's identity includes it).
 */
export function readAgentClock(agentSentAt: number, receivedAt: number, toleranceMs: number, previousCorrectionMs = 0, recentOffsetsMs: readonly number[] = []): ClockReading {
  const offsetMs = receivedAt - agentSentAt;
  const judgedMs = Math.min(offsetMs, ...recentOffsetsMs);
  const skewed = Math.abs(judgedMs) > toleranceMs;
  const moved = Math.abs(judgedMs - previousCorrectionMs) > toleranceMs;
  const correctionMs = !moved ? previousCorrectionMs : skewed ? judgedMs : 0;
  return { offsetMs, skewed, correctionMs };
}

/**
 * The last few clock offsets measured per site (ms), for {@link readAgentClock}. Kept in memory only for sites the
 * caller has checked are configured; after a restart a site's window starts from its saved correction, so the first
 * pushes cannot move it the wrong way either.
 */
export class ClockOffsetWindows {
  private readonly bySite = new Map<string, number[]>();

  /** The site's recent offsets, oldest first (`savedCorrectionMs` alone before this process heard from it; none for a new site). */
  recent(site: string, savedCorrectionMs: number | null): readonly number[] {
    return this.bySite.get(site) ?? (savedCorrectionMs === null ? [] : [savedCorrectionMs]);
  }

  /** Records the offset measured at a push of `site` that was taken. */
  record(site: string, offsetMs: number): void {
    const window = this.bySite.get(site) ?? [];
    window.push(offsetMs);
    if (window.length > CLOCK_OFFSET_WINDOW_PUSHES - 1) window.shift();
    this.bySite.set(site, window);
  }
}
