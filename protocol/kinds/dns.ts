import { z } from "zod";
import { nullableMs, sampleEnvelope } from "./envelope.js";
import { codeOf, defineSampleKind, numberField, okField } from "./storedField.js";

/** DNS round: the answer time in ms, the response code and the answers (addresses or names). */
export const dnsSampleSchema = z.strictObject({
  ...sampleEnvelope,
  kind: z.literal("dns"),
  answerMs: nullableMs,
  rcode: z.string().max(32).nullable(),
  answers: z.array(z.string().max(255)).max(32),
});

/** One DNS probe round, see {@link dnsSampleSchema}. */
export type DnsSample = z.infer<typeof dnsSampleSchema>;

/** DNS response codes as stored: their numbers in the DNS header (RFC 1035, RFC 2136, RFC 6895). */
export const DNS_RCODES: Readonly<Record<string, number>> = Object.freeze({
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
});

/** DNS's wire schema and stored fields (see protocol/kinds/storedField.ts). */
export const dnsKind = defineSampleKind("dns", dnsSampleSchema, {
  ok: okField,
  answer_ms: numberField("ms", "time to the answer", (s) => s.answerMs),
  rcode: {
    unit: "code",
    description: "response code (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED …; -1 another; null: no response)",
    chartable: false,
    codes: DNS_RCODES,
    read: (s) => codeOf(DNS_RCODES, s.rcode),
  },
  answer_count: numberField("count", "records in the answer", (s) => s.answers.length, false),
});
