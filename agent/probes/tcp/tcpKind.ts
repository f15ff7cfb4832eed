/** The TCP kind as the registry lists it: its YAML schema, its probe and the mapping to the protocol's tcp sample. */
import { defineProbeKind, type SampleFields } from "../probe.js";
import { probeTcp, tcpProbeSchema, type TcpRoundResult } from "./tcp.js";

/** The tcp sample's fields from one round: the handshake time in ms. Pure. */
export function tcpSampleFields(result: TcpRoundResult): SampleFields<"tcp"> {
  return { kind: "tcp", connectMs: result.connectMs };
}

/** `kind: tcp`: one probeTcp per round. */
export const tcpProbeKind = defineProbeKind({ schema: tcpProbeSchema, run: probeTcp, sampleFields: tcpSampleFields });
