import type { ProbeBinding } from "./probes/probe.js";
import { probeKinds, type ProbeConfig } from "./probes/registry.js";
import type { ScheduledProbe, UnsequencedSample } from "./linkMonitor.js";

/**
 * Wraps a configured probe for a link's round loop: runs it bound to the link and turns its result into the
 * protocol's sample for that kind.
 */
export function scheduleProbe(config: ProbeConfig, bindTo: ProbeBinding): ScheduledProbe {
  switch (config.kind) {
    case "icmp":
      return {
        intervalMs: config.intervalMs,
        async run(round, signal): Promise<UnsequencedSample> {
          const result = await probeKinds.icmp.run(config.target, config, { signal, bindTo });
          return {
            ts: round.ts,
            kind: "icmp",
            role: "link",
            link: round.link,
            probe: `icmp:${config.target}`,
            target: config.target,
            round: round.round,
            roundSize: round.roundSize,
            ok: result.ok,
            sent: result.sent,
            received: result.received,
            lossPct: result.lossPct,
            rttMinMs: result.rttMinMs,
            rttAvgMs: result.rttAvgMs,
            rttMaxMs: result.rttMaxMs,
            rttStddevMs: result.rttStddevMs,
            ...(result.reason ? { reason: result.reason.slice(0, 500) } : {}),
          };
        },
      };
  }
}
