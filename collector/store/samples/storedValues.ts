import { sampleKinds } from "../../../protocol/kinds/registry.js";
import type { Sample } from "../../../protocol/sample.js";

/**
 * The stored fields of `sample`, read through its kind's declaration (protocol/kinds/<kind>.ts): field name → value
 * in the field's unit, or null. A value that is not finite is stored as null (a store keeps numbers only).
 */
export function storedValues(sample: Sample): Record<string, number | null> {
  const fields = sampleKinds[sample.kind].fields as Record<string, { read(sample: Sample): number | null }>;
  const values: Record<string, number | null> = {};
  for (const [name, field] of Object.entries(fields)) {
    const value = field.read(sample);
    values[name] = value !== null && Number.isFinite(value) ? value : null;
  }
  return values;
}

type Reader = (sample: Sample) => number | null;

/** Each kind's field readers in declaration order, built once (the write path calls them for every sample). */
const READERS = Object.fromEntries(
  Object.entries(sampleKinds).map(([kind, declaration]) => [kind, Object.values(declaration.fields as Record<string, { read: Reader }>).map((field) => field.read)]),
) as Record<Sample["kind"], Reader[]>;

/** As {@link storedValues}, as a list in the kind's declaration order (the order of {@link fieldNamesOf}). */
export function storedValueList(sample: Sample): Array<number | null> {
  const readers = READERS[sample.kind];
  const values = new Array<number | null>(readers.length);
  for (let i = 0; i < readers.length; i++) {
    const value = (readers[i] as Reader)(sample);
    values[i] = value !== null && Number.isFinite(value) ? value : null;
  }
  return values;
}

/** The stored field names of a kind, in declaration order. */
export function fieldNamesOf(kind: keyof typeof sampleKinds): string[] {
  return Object.keys(sampleKinds[kind].fields);
}
