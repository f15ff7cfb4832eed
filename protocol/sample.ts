import { z } from "zod";
import { sampleKinds, type SampleKindName } from "./kinds/registry.js";

// The kinds' wire schemas live one per file under protocol/kinds/ (with their stored fields); re-exported here so
// the rest of the code keeps importing them from protocol/sample.ts.
export { identifierSchema, sampleRoleSchema, type SampleRole } from "./kinds/envelope.js";
export { icmpSampleSchema, type IcmpSample } from "./kinds/icmp.js";
export { httpSampleSchema, type HttpSample } from "./kinds/http.js";
export { dnsSampleSchema, type DnsSample } from "./kinds/dns.js";
export { tcpSampleSchema, type TcpSample } from "./kinds/tcp.js";

type KindSchema = (typeof sampleKinds)[SampleKindName]["schema"];

/** Every kind of sample an agent may send (a discriminated union on `kind`). */
export const sampleSchema = z.discriminatedUnion(
  "kind",
  // The registry has at least one kind, so the list is never empty.
  Object.values(sampleKinds).map((kind) => kind.schema) as [KindSchema, ...KindSchema[]],
);

/** A sample of any kind. */
export type Sample = z.infer<typeof sampleSchema>;

/** The sample's main latency in ms: ICMP average rtt, HTTP total time, DNS answer time, TCP connect time. */
export function sampleLatencyMs(sample: Sample): number | null {
  switch (sample.kind) {
    case "icmp":
      return sample.rttAvgMs;
    case "http":
      return sample.totalMs;
    case "dns":
      return sample.answerMs;
    case "tcp":
      return sample.connectMs;
  }
}

/** The sample's loss in %: ICMP's measured loss; for the other kinds 0 when ok, 100 when not. */
export function sampleLossPct(sample: Sample): number {
  return sample.kind === "icmp" ? sample.lossPct : sample.ok ? 0 : 100;
}
