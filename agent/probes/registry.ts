import { z } from "zod";
import { dnsProbeSchema, probeDns } from "./dns.js";
import { httpProbeSchema, probeHttp } from "./http.js";
import { icmpProbeSchema, probeIcmp } from "./icmp.js";
import { defineProbeKind, type ProbeConfigBase, type ProbeKind, type ProbeResult } from "./probe.js";
import { probeTcp, tcpProbeSchema } from "./tcp.js";

/**
 * Every probe kind the agent knows, one line each: the key is the `kind:` written in YAML and must equal the
 * literal `kind` of its schema. Adding a kind means adding its file and one line here, nothing in config/.
 */
export const probeKinds = {
  icmp: defineProbeKind(icmpProbeSchema, probeIcmp),
  http: defineProbeKind(httpProbeSchema, probeHttp),
  dns: defineProbeKind(dnsProbeSchema, probeDns),
  tcp: defineProbeKind(tcpProbeSchema, probeTcp),
} satisfies Record<string, ProbeKind<z.ZodType<ProbeConfigBase>, ProbeResult>>;

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
