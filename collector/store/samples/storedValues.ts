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

/** The stored field names of a kind, in declaration order. */
export function fieldNamesOf(kind: keyof typeof sampleKinds): string[] {
  return Object.keys(sampleKinds[kind].fields);
}
