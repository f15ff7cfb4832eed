/**
 * The ICMP kind as the registry lists it: its YAML schema, its rounds (batched into one fping per round and binding),
 * and the mapping from a round's result to the protocol's icmp sample.
 */
import { defineProbeKind, type SampleFields } from "../probe.js";
import { FpingBatchRunner } from "./fpingBatch.js";
import { icmpProbeSchema, probeIcmp, type IcmpRoundResult } from "./icmp.js";
import { icmpSampleStats } from "./icmpStats.js";

/** The icmp sample's fields from one round: the result's counts and rtt summary, plus the derived statistics. Pure. */
export function icmpSampleFields(result: IcmpRoundResult): SampleFields<"icmp"> {
  return {
    kind: "icmp",
    sent: result.sent,
    received: result.received,
    lossPct: result.lossPct,
    rttMinMs: result.rttMinMs,
    rttAvgMs: result.rttAvgMs,
    rttMaxMs: result.rttMaxMs,
    rttStddevMs: result.rttStddevMs,
    ...icmpSampleStats(result),
  };
}

/**
 * `kind: icmp`. The monitors' rounds go through one {@link FpingBatchRunner} per agent, so that the ICMP probes a
 * round starts together with the same binding and settings share one fping (one iputils ping each when fping is
 * missing); `run` is the single-target probeIcmp.
 */
export const icmpProbeKind = defineProbeKind({
  schema: icmpProbeSchema,
  run: probeIcmp,
  makeRoundProbe: ({ logger }) => new FpingBatchRunner({ logger, fallback: probeIcmp }).probe,
  sampleFields: icmpSampleFields,
});
