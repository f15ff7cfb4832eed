import { z } from "zod";
import { nullableMs, sampleEnvelope } from "./envelope.js";
import { defineSampleKind, numberField, okField } from "./storedField.js";

/**
 * ICMP round: `count` echo requests. rtt statistics in ms (null when no reply): min/avg/max/stddev (population, as
 * iputils' mdev), median and 90th percentile; `jitterMs` is the mean absolute difference of consecutive rtts
 * (RFC 3550 style, unsmoothed); `rFactor` (0–93.2) and `mos` (1–4.5) estimate call quality with the simplified ITU-T
 * G.107 E-model from latency, jitter and loss. `lossPct` 0–100.
 */
export const icmpSampleSchema = z.strictObject({
  ...sampleEnvelope,
  kind: z.literal("icmp"),
  sent: z.number().int().nonnegative(),
  received: z.number().int().nonnegative(),
  lossPct: z.number().min(0).max(100),
  rttMinMs: nullableMs,
  rttAvgMs: nullableMs,
  rttMaxMs: nullableMs,
  rttStddevMs: nullableMs,
  rttMedianMs: nullableMs.optional(),
  rttP90Ms: nullableMs.optional(),
  jitterMs: nullableMs.optional(),
  rFactor: z.number().min(0).max(100).nullable().optional(),
  mos: z.number().min(1).max(5).nullable().optional(),
});

/** One ICMP probe round, see {@link icmpSampleSchema}. */
export type IcmpSample = z.infer<typeof icmpSampleSchema>;

/** ICMP's wire schema and stored fields (see protocol/kinds/storedField.ts). */
export const icmpKind = defineSampleKind("icmp", icmpSampleSchema, {
  ok: okField,
  loss_pct: numberField("pct", "echo requests without a reply, % of those sent", (s) => s.lossPct),
  sent: numberField("count", "echo requests sent", (s) => s.sent, false),
  received: numberField("count", "echo replies received", (s) => s.received, false),
  rtt_min_ms: numberField("ms", "shortest round-trip time", (s) => s.rttMinMs),
  rtt_avg_ms: numberField("ms", "mean round-trip time", (s) => s.rttAvgMs),
  rtt_max_ms: numberField("ms", "longest round-trip time", (s) => s.rttMaxMs),
  rtt_stddev_ms: numberField("ms", "population standard deviation of the round-trip times (iputils' mdev)", (s) => s.rttStddevMs),
  rtt_median_ms: numberField("ms", "median round-trip time", (s) => s.rttMedianMs),
  rtt_p90_ms: numberField("ms", "90th percentile of the round-trip times", (s) => s.rttP90Ms),
  jitter_ms: numberField("ms", "mean absolute difference of consecutive round-trip times (RFC 3550 style)", (s) => s.jitterMs),
  r_factor: numberField("score", "E-model R-factor, 0–93.2 (ITU-T G.107, simplified)", (s) => s.rFactor),
  mos: numberField("score", "estimated call quality, 1–4.5", (s) => s.mos),
});
