import { z } from "zod";
import { nullableMs, sampleEnvelope } from "./envelope.js";
import { defineSampleKind, numberField, okField } from "./storedField.js";

/** TCP round: time to complete the TCP handshake, ms. */
export const tcpSampleSchema = z.strictObject({
  ...sampleEnvelope,
  kind: z.literal("tcp"),
  connectMs: nullableMs,
});

/** One TCP probe round, see {@link tcpSampleSchema}. */
export type TcpSample = z.infer<typeof tcpSampleSchema>;

/** TCP's wire schema and stored fields (see protocol/kinds/storedField.ts). */
export const tcpKind = defineSampleKind("tcp", tcpSampleSchema, {
  ok: okField,
  connect_ms: numberField("ms", "time to complete the TCP handshake", (s) => s.connectMs),
});
