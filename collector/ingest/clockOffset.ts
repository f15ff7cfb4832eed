/** How the collector reads an agent's clock at one push. */
export interface ClockReading {
  /** Collector clock minus agent clock, ms (positive: the agent's clock is behind). */
  offsetMs: number;
  /** True when |offsetMs| exceeds the tolerance: the agent's timestamps are then shifted by offsetMs. */
  skewed: boolean;
  /** Added to every sample timestamp of the batch to put it on the collector's time line, ms. */
  correctionMs: number;
}

/**
 * Compares the agent's send time with the collector's receive time. Transit time counts into the offset, which is
 * why small offsets (within `toleranceMs`) are left alone: only a clock that is clearly wrong is corrected, so a
 * commune box without working NTP cannot put samples in the future or the distant past.
 */
export function readAgentClock(agentSentAt: number, receivedAt: number, toleranceMs: number): ClockReading {
  const offsetMs = receivedAt - agentSentAt;
  const skewed = Math.abs(offsetMs) > toleranceMs;
  return { offsetMs, skewed, correctionMs: skewed ? offsetMs : 0 };
}
