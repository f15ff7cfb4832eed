import type { z } from "zod";

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

/** What every probe kind's validated configuration has: its `kind` (the registry key) and its target. */
export interface ProbeConfigBase {
  kind: string;
  target: string;
}

/**
 * A probe: one round against `target` with validated `config`, bounded by its own deadline and
 * `context.signal`. Persists nothing, mutates nothing it is given, never rejects for a target failure.
 */
export type Probe<Config, Result extends ProbeResult> = (target: string, config: Config, context: ProbeContext) => Promise<Result>;

/** One probe kind as the registry lists it: the schema of its YAML entry (parsing into the domain config) and its probe. */
export interface ProbeKind<Schema extends z.ZodType<ProbeConfigBase>, Result extends ProbeResult> {
  schema: Schema;
  run: Probe<z.output<Schema>, Result>;
}

/**
 * Pairs a kind's schema with its probe so the compiler checks that the probe accepts what the schema produces
 * (the registry's `satisfies` alone cannot tie the two together).
 */
export function defineProbeKind<Schema extends z.ZodType<ProbeConfigBase>, Result extends ProbeResult>(
  schema: Schema,
  run: Probe<z.output<Schema>, Result>,
): ProbeKind<Schema, Result> {
  return { schema, run };
}
