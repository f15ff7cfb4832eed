/**
 * Statistics derived from one ICMP round's replies: rtt median and 90th percentile, jitter, and a call-quality
 * estimate (R-factor and MOS). Pure functions of their arguments; nothing here does I/O.
 */
import type { IcmpRoundResult } from "./icmp.js";

/** Distribution of one round's round-trip times, all in ms. */
export interface RttDistribution {
  /** 50th percentile (linear interpolation, see {@link percentileMs}): the mean of the two middle rtts for an even count. */
  medianMs: number;
  /** 90th percentile (linear interpolation, see {@link percentileMs}). */
  p90Ms: number;
  /** Mean absolute difference of consecutive rtts (see {@link rttDistribution}); 0 with a single rtt. */
  jitterMs: number;
}

/**
 * The `fraction` (0–1) percentile of `sortedMs` (ascending, not empty) by linear interpolation between closest
 * ranks: position h = (n − 1) × fraction, value = x[⌊h⌋] + (h − ⌊h⌋) × (x[⌊h⌋ + 1] − x[⌊h⌋]). This is Hyndman &
 * Fan's definition 7, the default of NumPy's `percentile`, R's `quantile` and spreadsheets' PERCENTILE.INC; unlike
 * nearest-rank it may return a value between two samples, and at 0.5 it is the usual median.
 */
export function percentileMs(sortedMs: readonly number[], fraction: number): number {
  if (sortedMs.length === 0) throw new RangeError("percentileMs: no values");
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`percentileMs: fraction must be 0–1, not ${fraction}`);
  const position = (sortedMs.length - 1) * fraction;
  const below = Math.floor(position);
  const lower = sortedMs[below]!;
  const upper = sortedMs[Math.min(below + 1, sortedMs.length - 1)]!;
  return lower + (position - below) * (upper - lower);
}

/**
 * Median, 90th percentile and jitter of `rttsMs` (ms, in send order, i.e. icmp_seq order as
 * {@link IcmpRoundResult.rttsMs} gives them); null when there is none. `rttsMs` is not modified.
 *
 * Jitter is the mean of |rtt[i] − rtt[i−1]| over consecutive replies: RFC 3550's instantaneous interarrival
 * difference |D(i−1, i)| (with equally spaced sends, the difference of transit times is the difference of rtts),
 * averaged plainly instead of RFC 3550's running 1/16 smoothing, so that one round stands on its own and does
 * not depend on earlier rounds. Lost requests are skipped: the pair around a loss is compared as consecutive.
 * With a single reply there is no pair and the jitter is 0.
 */
export function rttDistribution(rttsMs: readonly number[]): RttDistribution | null {
  if (rttsMs.length === 0) return null;
  const sorted = [...rttsMs].sort((a, b) => a - b);
  let differenceSumMs = 0;
  for (let i = 1; i < rttsMs.length; i++) differenceSumMs += Math.abs(rttsMs[i]! - rttsMs[i - 1]!);
  return {
    medianMs: percentileMs(sorted, 0.5),
    p90Ms: percentileMs(sorted, 0.9),
    jitterMs: rttsMs.length > 1 ? differenceSumMs / (rttsMs.length - 1) : 0,
  };
}

/** Inputs of {@link estimateCallQuality}: round-trip latency and jitter in ms, loss in % (0–100). */
export interface CallQualityInput {
  latencyMs: number;
  jitterMs: number;
  lossPct: number;
}

/** An estimate of voice-call quality: R-factor 0–100 (at most 93.2 from this model) and MOS 1–4.5. */
export interface CallQuality {
  rFactor: number;
  mos: number;
}

/**
 * Estimates call quality from latency, jitter and loss with the simplified ITU-T G.107 E-model used by common
 * VoIP and network monitors (PingPlotter, "How is MOS calculated in PingPlotter Pro?",
 * https://www.pingman.com/kb/article/how-is-mos-calculated-in-pingplotter-pro-50.html; NetBeez, "Impact of
 * packet loss, jitter, and latency on VoIP", https://netbeez.net/blog/impact-of-packet-loss-jitter-and-latency-on-voip/):
 * - effective latency = latency + 2 × jitter + 10 ms (jitter counts double; 10 ms for codec/protocol delay);
 * - R = 93.2 − effLat / 40 when effLat < 160 ms, else 93.2 − (effLat − 120) / 10;
 * - R −= 2.5 × loss %, then R is clamped to [0, 100];
 * - MOS from R by ITU-T G.107 (Annex B): 1 for R < 0, 4.5 for R > 100, else
 *   1 + 0.035 R + 7·10⁻⁶ R (R − 60)(100 − R).
 * Those monitors feed in the round-trip ping latency, as we do. The G.107 polynomial dips just below 1 for
 * R < 6.5 (0.992 at R = 5), so the MOS is also clamped to [1, 4.5], the range a MOS has.
 * Negative inputs are treated as 0 and loss above 100 % as 100 %.
 */
export function estimateCallQuality(input: CallQualityInput): CallQuality {
  const latencyMs = Math.max(0, input.latencyMs);
  const jitterMs = Math.max(0, input.jitterMs);
  const lossPct = Math.min(100, Math.max(0, input.lossPct));
  const effectiveLatencyMs = latencyMs + 2 * jitterMs + 10;
  const rFromLatency = effectiveLatencyMs < 160 ? 93.2 - effectiveLatencyMs / 40 : 93.2 - (effectiveLatencyMs - 120) / 10;
  const rFactor = Math.min(100, Math.max(0, rFromLatency - 2.5 * lossPct));
  return { rFactor, mos: mosFromRFactor(rFactor) };
}

/** ITU-T G.107 Annex B: MOS (1–4.5) from an R-factor, clamped to [1, 4.5] (see {@link estimateCallQuality}). */
export function mosFromRFactor(rFactor: number): number {
  if (rFactor < 0) return 1;
  if (rFactor > 100) return 4.5;
  const mos = 1 + 0.035 * rFactor + 7e-6 * rFactor * (rFactor - 60) * (100 - rFactor);
  return Math.min(4.5, Math.max(1, mos));
}

/** The derived fields of an icmp sample (see protocol/sample.ts): rtts in ms, R-factor 0–100, MOS 1–4.5. */
export interface IcmpSampleStats {
  rttMedianMs: number | null;
  rttP90Ms: number | null;
  jitterMs: number | null;
  rFactor: number | null;
  mos: number | null;
}

/**
 * The icmp sample's derived fields from one round: median, 90th percentile and jitter of `result.rttsMs`, and the
 * call quality estimated from the average rtt, that jitter and the round's loss. All null when the round has no
 * reply (an R-factor of a link that answers nothing says nothing a 100 % loss does not).
 */
export function icmpSampleStats(result: IcmpRoundResult): IcmpSampleStats {
  const distribution = rttDistribution(result.rttsMs);
  if (distribution === null || result.rttAvgMs === null) {
    return { rttMedianMs: null, rttP90Ms: null, jitterMs: null, rFactor: null, mos: null };
  }
  const quality = estimateCallQuality({ latencyMs: result.rttAvgMs, jitterMs: distribution.jitterMs, lossPct: result.lossPct });
  return {
    rttMedianMs: distribution.medianMs,
    rttP90Ms: distribution.p90Ms,
    jitterMs: distribution.jitterMs,
    rFactor: quality.rFactor,
    mos: quality.mos,
  };
}
