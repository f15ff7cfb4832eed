import type { SampleRole } from "../protocol/sample.js";
import type { ProbeBinding } from "./probes/probe.js";
import { probeKinds, type ProbeConfig } from "./probes/registry.js";
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

/** The fields every sample of this placement and round shares. */
function envelope(placement: ProbePlacement, round: RoundIdentity, target: string, ok: boolean, reason: string | undefined) {
  return {
    ts: round.ts,
    role: placement.role,
    link: placement.link,
    probe: placement.probeId,
    target,
    round: round.round,
    roundSize: round.roundSize,
    ok,
    ...(reason ? { reason: reason.slice(0, 500) } : {}),
  };
}

/**
 * Wraps a configured probe for a monitor's round loop: runs it bound as `placement` says and turns its result into
 * the protocol's sample for that kind.
 */
export function scheduleProbe(config: ProbeConfig, placement: ProbePlacement): ScheduledProbe {
  const context = (signal: AbortSignal) => ({ signal, bindTo: placement.bindTo });
  switch (config.kind) {
    case "icmp":
      return {
        intervalMs: config.intervalMs,
        async run(round, signal): Promise<UnsequencedSample> {
          const result = await probeKinds.icmp.run(config.target, config, context(signal));
          return {
            ...envelope(placement, round, config.target, result.ok, result.reason),
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
        },
      };
    case "http":
      return {
        intervalMs: config.intervalMs,
        async run(round, signal): Promise<UnsequencedSample> {
          const result = await probeKinds.http.run(config.target, config, context(signal));
          return {
            ...envelope(placement, round, config.target, result.ok, result.reason),
            kind: "http",
            statusCode: result.statusCode,
            dnsMs: result.dnsMs,
            connectMs: result.connectMs,
            tlsMs: result.tlsMs,
            firstByteMs: result.firstByteMs,
            totalMs: result.totalMs,
            certDaysLeft: result.certDaysLeft,
            redirects: Math.min(result.redirects, 100),
            bodyBytes: result.bodyBytes,
          };
        },
      };
    case "dns":
      return {
        intervalMs: config.intervalMs,
        async run(round, signal): Promise<UnsequencedSample> {
          const result = await probeKinds.dns.run(config.target, config, context(signal));
          return {
            ...envelope(placement, round, config.target, result.ok, result.reason),
            kind: "dns",
            answerMs: result.answerMs,
            rcode: result.rcode,
            answers: result.answers.slice(0, 32),
          };
        },
      };
    case "tcp":
      return {
        intervalMs: config.intervalMs,
        async run(round, signal): Promise<UnsequencedSample> {
          const result = await probeKinds.tcp.run(config.target, config, context(signal));
          return { ...envelope(placement, round, config.target, result.ok, result.reason), kind: "tcp", connectMs: result.connectMs };
        },
      };
  }
}
