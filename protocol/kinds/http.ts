import { z } from "zod";
import { nullableMs, sampleEnvelope } from "./envelope.js";
import { defineSampleKind, numberField, okField } from "./storedField.js";

/** HTTP(S) round: phase times in ms (null when the phase did not happen), status, certificate days left. */
export const httpSampleSchema = z.strictObject({
  ...sampleEnvelope,
  kind: z.literal("http"),
  statusCode: z.number().int().min(100).max(599).nullable(),
  dnsMs: nullableMs,
  connectMs: nullableMs,
  tlsMs: nullableMs,
  firstByteMs: nullableMs,
  totalMs: nullableMs,
  /** Whole days until the server certificate expires (negative: expired); null for plain HTTP. */
  certDaysLeft: z.number().int().nullable(),
  redirects: z.number().int().nonnegative().max(100),
  bodyBytes: z.number().int().nonnegative().nullable(),
});

/** One HTTP probe round, see {@link httpSampleSchema}. */
export type HttpSample = z.infer<typeof httpSampleSchema>;

/** HTTP's wire schema and stored fields (see protocol/kinds/storedField.ts). */
export const httpKind = defineSampleKind("http", httpSampleSchema, {
  ok: okField,
  // The status is a number already (100–599): stored as it is, not through a code table.
  status_code: numberField("count", "HTTP status code of the last response (null: no response)", (s) => s.statusCode, false),
  dns_ms: numberField("ms", "name resolution time", (s) => s.dnsMs),
  connect_ms: numberField("ms", "TCP connect time", (s) => s.connectMs),
  tls_ms: numberField("ms", "TLS handshake time", (s) => s.tlsMs),
  first_byte_ms: numberField("ms", "time to the first byte of the response", (s) => s.firstByteMs),
  total_ms: numberField("ms", "time to the end of the response", (s) => s.totalMs),
  cert_days_left: numberField("days", "whole days until the certificate expires (negative: expired)", (s) => s.certDaysLeft),
  redirects: numberField("count", "redirects followed", (s) => s.redirects, false),
  body_bytes: numberField("bytes", "size of the response body", (s) => s.bodyBytes, false),
});
