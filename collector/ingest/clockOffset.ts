/** How the collector reads an agent's clock at one push. */
export interface ClockReading {
  /** Collector clock minus agent clock as measured at this push, ms (positive: the agent's clock is behind). */
  offsetMs: number;
  /** True when |offsetMs| exceeds the tolerance: the site is flagged and its timestamps corrected. */
  skewed: boolean;
  /** Added to every timestamp of the batch to put it on the collector's time line, ms: the site's correction in effect. */
  correctionMs: number;
}

/**
 * Compares the agent's send time with the collector's receive time and decides the correction in effect for the site.
 * Transit time counts into the offset, which is why small offsets (within `toleranceMs`) are left alone: only a clock
 * that is clearly wrong is corrected, so a commune box without working NTP cannot put samples in the future or the
 * distant past.
 *
 * The correction is sticky: it changes only when the measured offset moves more than `toleranceMs` away from the one
 * in effect (`previousCorrectionMs`, 0 for a site never heard from), and then to the measured offset, or to 0 when that
 * is within the tolerance (the clock was fixed). So transit-time jitter never moves samples, and a resend of a
 * measurement gets the same stored timestamp as the first copy (a stored sample's identity includes it).
 */
export function readAgentClock(agentSentAt: number, receivedAt: number, toleranceMs: number, previousCorrectionMs = 0): ClockReading {
  const offsetMs = receivedAt - agentSentAt;
  const skewed = Math.abs(offsetMs) > toleranceMs;
  const moved = Math.abs(offsetMs - previousCorrectionMs) > toleranceMs;
  const correctionMs = !moved ? previousCorrectionMs : skewed ? offsetMs : 0;
  return { offsetMs, skewed, correctionMs };
}
