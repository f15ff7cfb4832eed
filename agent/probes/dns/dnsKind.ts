/** The DNS kind as the registry lists it: its YAML schema, its probe and the mapping to the protocol's dns sample. */
import { defineProbeKind, type SampleFields } from "../probe.js";
import { dnsProbeSchema, probeDns, type DnsRoundResult } from "./dns.js";

/** Most answers a dns sample may carry (protocol/sample.ts); the probe already keeps no more. */
const MAX_SAMPLE_ANSWERS = 32;

/** The dns sample's fields from one round: answer time in ms, rcode, the first 32 answers. Pure. */
export function dnsSampleFields(result: DnsRoundResult): SampleFields<"dns"> {
  return { kind: "dns", answerMs: result.answerMs, rcode: result.rcode, answers: result.answers.slice(0, MAX_SAMPLE_ANSWERS) };
}

/** `kind: dns`: one probeDns per round. */
export const dnsProbeKind = defineProbeKind({ schema: dnsProbeSchema, run: probeDns, sampleFields: dnsSampleFields });
