import { sampleEnvelope } from "../protocol/kinds/envelope.js";

/** The `.max()` of the sample envelope's string field `field`; throws at module load when it has none (drift). */
function envelopeMaxLength(field: "probe" | "target"): number {
  const max = sampleEnvelope[field].maxLength;
  if (max === null) throw new Error(`protocol/kinds/envelope.ts: sampleEnvelope.${field} has no maximum length; config/probeIds.ts needs one`);
  return max;
}

/** Longest probe id a sample may carry (the envelope's `probe`), characters; the collector refuses longer. */
export const MAX_PROBE_ID_CHARS = envelopeMaxLength("probe");

/** Longest target a sample may carry (the envelope's `target`), characters; the collector refuses longer. */
export const MAX_TARGET_CHARS = envelopeMaxLength("target");

/**
 * Sample probe ids for a link's own probes: "kind:target", with "#2", "#3" … when the same kind and target repeat
 * (apps and LAN devices use their configured id instead). The agent's file schema checks these against
 * {@link MAX_PROBE_ID_CHARS} at load, since a long target (an HTTP URL) makes a long id.
 */
export function linkProbeIds(probes: ReadonlyArray<{ kind: string; target: string }>): string[] {
  const seen = new Map<string, number>();
  return probes.map((probe) => {
    const base = `${probe.kind}:${probe.target}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}#${count}`;
  });
}
