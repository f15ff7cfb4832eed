import { dnsKind } from "./dns.js";
import { httpKind } from "./http.js";
import { icmpKind } from "./icmp.js";
import type { SampleKind } from "./storedField.js";
import { tcpKind } from "./tcp.js";

/**
 * Every kind of sample, one line each: the key is the wire `kind` and equals the kind's `name`. Adding a kind means
 * adding its file under protocol/kinds/ and one line here; protocol/sample.ts builds its union from this, and the
 * sample stores their tables and measurements.
 */
export const sampleKinds = {
  icmp: icmpKind,
  http: httpKind,
  dns: dnsKind,
  tcp: tcpKind,
} satisfies Record<string, SampleKind>;

/** A registered kind name, e.g. "icmp". */
export type SampleKindName = keyof typeof sampleKinds;

/** Every registered kind name, in registry order. */
export const SAMPLE_KIND_NAMES = Object.keys(sampleKinds) as SampleKindName[];

/** Whether `name` is a registered kind. */
export function isSampleKindName(name: string): name is SampleKindName {
  return Object.hasOwn(sampleKinds, name);
}

/** The stored fields of `kind`, readable from any sample of that kind. */
export function storedFieldsOf(kind: SampleKindName): Readonly<Record<string, SampleKind["fields"][string]>> {
  return sampleKinds[kind].fields as Readonly<Record<string, SampleKind["fields"][string]>>;
}
