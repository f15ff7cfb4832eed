import type { z } from "zod";
import type { Logger } from "../../config/logger.js";
import type { Sample } from "../../protocol/sample.js";

/**
 * Where a probe's packets must leave from: the link's interface (`ping -I eth1`) or its source address,
 * both null to let the routing table choose. The agent's configuration never sets both; if a caller does,
 * the interface wins.
 */
export interface ProbeBinding {
  interface: string | null;
  source: string | null;
}

/**
 * What a probe gets besides its target and configuration. Each probe computes its own deadline from its
 * configuration and never runs past it; `signal` ends a round early (agent shutdown), and the probe then
 * returns promptly with `ok: false, reason: "aborted"` instead of throwing.
 */
export interface ProbeContext {
  signal: AbortSignal;
  bindTo: ProbeBinding;
}

/**
 * What every probe result has: `ok` says whether the target answered, `reason` (set when not ok) says why not,
 * in words fit for an operator. A failing target is a result like this, never an exception.
 */
export interface ProbeResult {
  ok: boolean;
  reason?: string;
}

/**
 * A probe: one round against `target` with validated `config`, bounded by its own deadline and
 * `context.signal`. Persists nothing, mutates nothing it is given, never rejects for a target failure.
 */
export type Probe<Config, Result extends ProbeResult> = (target: string, config: Config, context: ProbeContext) => Promise<Result>;

/** A sample kind the protocol defines (protocol/sample.ts): "icmp", "http", … A probe kind needs one to send. */
export type SampleKind = Sample["kind"];

/** The envelope of every sample: filled in by the scheduler (and the spool, for `seq`), never by a kind's mapping. */
export type SampleEnvelopeKey = "seq" | "ts" | "role" | "link" | "probe" | "target" | "round" | "roundSize" | "ok" | "reason";

/**
 * The fields a `Kind` sample has beyond the envelope, `kind` included: for "icmp", IcmpSample without the envelope.
 * What a kind's {@link ProbeKind.sampleFields} returns. Distributes over a union of kinds.
 */
export type SampleFields<Kind extends SampleKind> = Kind extends SampleKind ? Omit<Extract<Sample, { kind: Kind }>, SampleEnvelopeKey> : never;

/** What every probe kind's validated configuration has: its `kind` (the registry key, a protocol sample kind) and its target. */
export interface ProbeConfigBase {
  kind: SampleKind;
  target: string;
}

/** The `kind` literal a kind's schema parses to ("icmp" for the ICMP schema). */
export type KindOf<Schema extends z.ZodType<ProbeConfigBase>> = z.output<Schema>["kind"];

/**
 * What a kind may use to build the probe the agent's monitors run its rounds with (see
 * {@link ProbeKind.makeRoundProbe}): given once per agent.
 */
export interface RoundProbeContext {
  logger: Logger;
}

/**
 * One probe kind as the registry lists it: everything the agent knows about the kind, end to end.
 * - `schema`: its YAML entry, parsing into the domain config (a strict zod schema with defaults);
 * - `run`: one round on its own (see {@link Probe});
 * - `makeRoundProbe`: builds the probe the monitors run rounds with, once per agent; a kind that shares work between
 *   the probes of a round (ICMP: one fping per round and binding) returns a batching one, the others return `run`;
 * - `sampleFields`: maps a round's result to its wire record's fields (`kind` included), kept within the wire schema
 *   (clamps such as redirects ≤ 100); pure. The scheduler adds the envelope.
 * Written as methods so that a kind with a narrower config and result still satisfies the registry's wider type.
 */
export interface ProbeKind<Schema extends z.ZodType<ProbeConfigBase>, Result extends ProbeResult> {
  schema: Schema;
  run: Probe<z.output<Schema>, Result>;
  makeRoundProbe(context: RoundProbeContext): Probe<z.output<Schema>, Result>;
  sampleFields(result: Result): SampleFields<KindOf<Schema>>;
}

/** A kind's parts as {@link defineProbeKind} takes them; `makeRoundProbe` defaults to one that returns `run`. */
export interface ProbeKindParts<Schema extends z.ZodType<ProbeConfigBase>, Result extends ProbeResult> {
  schema: Schema;
  run: Probe<z.output<Schema>, Result>;
  makeRoundProbe?: (context: RoundProbeContext) => Probe<z.output<Schema>, Result>;
  sampleFields: (result: Result) => SampleFields<KindOf<Schema>>;
}

/**
 * Puts a kind's parts together so the compiler checks that they fit: the probe accepts what the schema produces, and
 * the mapping takes the probe's result and returns the protocol's fields for the schema's `kind` (the registry's
 * `satisfies` alone cannot tie them together).
 */
export function defineProbeKind<Schema extends z.ZodType<ProbeConfigBase>, Result extends ProbeResult>(
  parts: ProbeKindParts<Schema, Result>,
): ProbeKind<Schema, Result> {
  const { schema, run, sampleFields } = parts;
  return { schema, run, makeRoundProbe: parts.makeRoundProbe ?? (() => run), sampleFields };
}
