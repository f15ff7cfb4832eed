import { icmpSampleSchema } from "../protocol/sample.js";

/** Longest probe id a sample may carry (the protocol's `probe`), characters; the collector refuses longer. */
export const MAX_PROBE_ID_CHARS = icmpSampleSchema.shape.probe.maxLength ?? 128;

/** Longest target a sample may carry (the protocol's `target`), characters; the collector refuses longer. */
export const MAX_TARGET_CHARS = icmpSampleSchema.shape.target.maxLength ?? 2048;

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
