import { z } from "zod";
import { dnsProbeKind } from "./dns/dnsKind.js";
import { httpProbeKind } from "./http/httpKind.js";
import { icmpProbeKind } from "./icmp/icmpKind.js";
import type { Probe, ProbeConfigBase, ProbeKind, ProbeResult, SampleFields, SampleKind } from "./probe.js";
import { tcpProbeKind } from "./tcp/tcpKind.js";

/**
 * Every probe kind the agent knows, one line each: the key is the `kind:` written in YAML, and must be a sample kind
 * of the protocol whose literal the kind's schema parses to (the `satisfies` checks both). Each kind is a folder
 * (agent/probes/<kind>/) with its schema, runner, mapping to its wire record and example config; adding one means
 * that folder and one line here, nothing in config/ or in the scheduler (docs/adding-a-probe-kind.md).
 */
export const probeKinds = {
  icmp: icmpProbeKind,
  http: httpProbeKind,
  dns: dnsProbeKind,
  tcp: tcpProbeKind,
} satisfies { [Kind in SampleKind]?: ProbeKind<z.ZodType<ProbeConfigBase & { kind: Kind }>, ProbeResult> };

/** A registered kind name, e.g. "icmp". */
export type ProbeKindName = keyof typeof probeKinds;

type ProbeSchema = (typeof probeKinds)[ProbeKindName]["schema"];

/**
 * One probe entry of a link in the agent's YAML, any kind: a discriminated union on `kind` built from
 * {@link probeKinds}, parsing into {@link ProbeConfig}. Pass it to `makeAgentFileSchema` (config/agentSchema.ts).
 */
export const probeConfigSchema = z.discriminatedUnion(
  "kind",
  // The registry has at least one kind, so the list is never empty.
  Object.values(probeKinds).map((kind) => kind.schema) as [ProbeSchema, ...ProbeSchema[]],
);

/** A validated probe configuration of any registered kind (camelCase, durations in ms). */
export type ProbeConfig = z.output<typeof probeConfigSchema>;

/** The validated configuration of kind `Kind` (IcmpProbeConfig for "icmp"). */
export type ProbeConfigOf<Kind extends ProbeKindName> = z.output<(typeof probeKinds)[Kind]["schema"]>;

/** What one round of kind `Kind` returns (IcmpRoundResult for "icmp"). */
export type ProbeResultOf<Kind extends ProbeKindName> = Awaited<ReturnType<(typeof probeKinds)[Kind]["run"]>>;

/** One kind of the registry with its config, result and sample fields tied to its name (see {@link registeredKinds}). */
export interface RegisteredKind<Kind extends ProbeKindName> {
  makeRoundProbe(context: Parameters<(typeof probeKinds)[Kind]["makeRoundProbe"]>[0]): Probe<ProbeConfigOf<Kind>, ProbeResultOf<Kind>>;
  sampleFields(result: ProbeResultOf<Kind>): SampleFields<Kind>;
}

/**
 * {@link probeKinds} seen through a mapped type, so that generic code (`<Kind extends ProbeKindName>`) can run a
 * kind's probe and mapping with their types still tied together, without a switch on the kind or a cast.
 */
export const registeredKinds: { [Kind in ProbeKindName]: RegisteredKind<Kind> } = probeKinds;
