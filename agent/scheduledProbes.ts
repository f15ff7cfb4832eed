import type { Sample, SampleRole } from "../protocol/sample.js";
import type { ProbeBinding, ProbeContext } from "./probes/probe.js";
import { probeKinds, type ProbeConfig } from "./probes/registry.js";
import type { IcmpRoundProbe } from "./probes/fpingBatch.js";
import { icmpSampleStats } from "./probes/icmpStats.js";
import type { RoundIdentity, ScheduledProbe, UnsequencedSample } from "./probeMonitor.js";

/** Where a probe's samples belong and how its packets leave: what it measures (role), over which link, its id. */
export interface ProbePlacement {
  role: SampleRole;
  /** The link the probe leaves through (null for LAN devices). */
  link: string | null;
  /** The sample's probe id: "icmp:<target>" for a link's own probes, the app's or device's id otherwise. */
  probeId: string;
  bindTo: ProbeBinding;
}

/** The fields a sample has beyond the common envelope, per kind. */
type KindFields = Sample extends infer S ? (S extends Sample ? Omit<S, "seq" | "ts" | "role" | "link" | "probe" | "target" | "round" | "roundSize" | "ok" | "reason"> : never) : never;

/** What one round of any probe kind measured: whether it was ok, why not, and its kind's sample fields. */
interface Measurement {
  ok: boolean;
  reason?: string;
  fields: KindFields;
}

/**
 * Runs one round of `config` and maps its result to the protocol's fields for that kind. ICMP rounds go through
 * `icmpRound` (the agent's FpingBatchRunner.probe, which batches a round's targets into one fping) rather than the
 * registry's probeIcmp.
 */
async function measure(config: ProbeConfig, context: ProbeContext, icmpRound: IcmpRoundProbe): Promise<Measurement> {
  switch (config.kind) {
    case "icmp": {
      const r = await icmpRound(config.target, config, context);
      const fields: KindFields = {
        kind: "icmp",
        sent: r.sent,
        received: r.received,
        lossPct: r.lossPct,
        rttMinMs: r.rttMinMs,
        rttAvgMs: r.rttAvgMs,
        rttMaxMs: r.rttMaxMs,
        rttStddevMs: r.rttStddevMs,
        ...icmpSampleStats(r),
      };
      return { ok: r.ok, reason: r.reason, fields };
    }
    case "http": {
      const r = await probeKinds.http.run(config.target, config, context);
      const { ok, reason, statusCode, dnsMs, connectMs, tlsMs, firstByteMs, totalMs, certDaysLeft, bodyBytes } = r;
      return { ok, reason, fields: { kind: "http", statusCode, dnsMs, connectMs, tlsMs, firstByteMs, totalMs, certDaysLeft, bodyBytes, redirects: Math.min(r.redirects, 100) } };
    }
    case "dns": {
      const r = await probeKinds.dns.run(config.target, config, context);
      return { ok: r.ok, reason: r.reason, fields: { kind: "dns", answerMs: r.answerMs, rcode: r.rcode, answers: r.answers.slice(0, 32) } };
    }
    case "tcp": {
      const r = await probeKinds.tcp.run(config.target, config, context);
      return { ok: r.ok, reason: r.reason, fields: { kind: "tcp", connectMs: r.connectMs } };
    }
  }
}

/**
 * Wraps a configured probe for a monitor's round loop: runs it bound as `placement` says and turns its result into
 * the protocol's sample for that kind. An ICMP probe's rounds run through `icmpRound` (see {@link measure}).
 */
export function scheduleProbe(config: ProbeConfig, placement: ProbePlacement, icmpRound: IcmpRoundProbe): ScheduledProbe {
  return {
    intervalMs: config.intervalMs,
    async run(round: RoundIdentity, signal: AbortSignal): Promise<UnsequencedSample> {
      const { ok, reason, fields } = await measure(config, { signal, bindTo: placement.bindTo }, icmpRound);
      return {
        ts: round.ts,
        role: placement.role,
        link: placement.link,
        probe: placement.probeId,
        target: config.target,
        round: round.round,
        roundSize: round.roundSize,
        ok,
        ...(reason ? { reason: reason.slice(0, 500) } : {}),
        ...fields,
      } as UnsequencedSample;
    },
  };
}
