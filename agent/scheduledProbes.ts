import type { SampleRole } from "../protocol/sample.js";
import type { Probe, ProbeBinding, ProbeContext, RoundProbeContext, SampleFields } from "./probes/probe.js";
import { registeredKinds, type ProbeConfig, type ProbeConfigOf, type ProbeKindName, type ProbeResultOf } from "./probes/registry.js";
import type { RoundIdentity, ScheduledProbe, UnsequencedSample } from "./probeMonitor.js";

/** The protocol allows 500 characters of reason. */
const MAX_REASON_CHARS = 500;

/** Where a probe's samples belong and how its packets leave: what it measures (role), over which link, its id. */
export interface ProbePlacement {
  role: SampleRole;
  /** The link the probe leaves through (null for LAN devices). */
  link: string | null;
  /** The sample's probe id: "icmp:<target>" for a link's own probes, the app's or device's id otherwise. */
  probeId: string;
  bindTo: ProbeBinding;
}

/**
 * The probes the agent's monitors run rounds with, one per registered kind, each built by its kind
 * (`makeRoundProbe`) the first time a probe of that kind is scheduled and shared by every probe of that kind after:
 * so ICMP's batching runner sees all the ICMP rounds started together. One per agent.
 */
export class RoundProbes {
  private readonly built: { [Kind in ProbeKindName]?: Probe<ProbeConfigOf<Kind>, ProbeResultOf<Kind>> } = {};

  constructor(private readonly context: RoundProbeContext) {}

  /** The round probe of `kind`, built on first use. */
  of<Kind extends ProbeKindName>(kind: Kind): Probe<ProbeConfigOf<Kind>, ProbeResultOf<Kind>> {
    // Viewed through a mapped type over `Kind`, so that the entry read and written is that kind's (no cast).
    const builtOfKind: { [K in Kind]?: Probe<ProbeConfigOf<K>, ProbeResultOf<K>> } = this.built;
    const built = builtOfKind[kind];
    if (built !== undefined) return built;
    const probe = registeredKinds[kind].makeRoundProbe(this.context);
    builtOfKind[kind] = probe;
    return probe;
  }
}

/** What one round of a kind measured: whether it was ok, why not, and its kind's sample fields. */
interface Measurement<Kind extends ProbeKindName> {
  ok: boolean;
  reason?: string;
  fields: SampleFields<Kind>;
}

/** Runs one round of `config` with its kind's round probe and maps the result with its kind's mapping. */
async function measure<Kind extends ProbeKindName>(
  kind: Kind,
  config: ProbeConfigOf<Kind>,
  context: ProbeContext,
  roundProbes: RoundProbes,
): Promise<Measurement<Kind>> {
  const result = await roundProbes.of(kind)(config.target, config, context);
  return { ok: result.ok, reason: result.reason, fields: registeredKinds[kind].sampleFields(result) };
}

/**
 * Wraps a configured probe for a monitor's round loop: runs it bound as `placement` says, with its kind's round probe
 * from `roundProbes`, and turns its result into the protocol's sample for that kind (the kind's fields in the
 * envelope: round, placement, reason cut to 500 characters).
 */
export function scheduleProbe(config: ProbeConfig, placement: ProbePlacement, roundProbes: RoundProbes): ScheduledProbe {
  return {
    intervalMs: config.intervalMs,
    async run(round: RoundIdentity, signal: AbortSignal): Promise<UnsequencedSample> {
      const { ok, reason, fields } = await measure(config.kind, config, { signal, bindTo: placement.bindTo }, roundProbes);
      return {
        ts: round.ts,
        role: placement.role,
        link: placement.link,
        probe: placement.probeId,
        target: config.target,
        round: round.round,
        roundSize: round.roundSize,
        ok,
        ...(reason ? { reason: reason.slice(0, MAX_REASON_CHARS) } : {}),
        ...fields,
      };
    },
  };
}
