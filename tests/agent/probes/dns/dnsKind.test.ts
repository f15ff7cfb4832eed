import { describe, expect, it } from "vitest";
import type { DnsRoundResult } from "../../../../agent/probes/dns/dns.js";
import { dnsSampleFields } from "../../../../agent/probes/dns/dnsKind.js";
import { dnsSampleSchema } from "../../../../protocol/sample.js";
import { withEnvelope } from "../../../helpers/sampleEnvelope.js";

describe("agent/probes/dns/dnsKind", () => {
  it("maps a round to the dns sample's fields (the count of ignored packets stays in the agent)", () => {
    const fields = dnsSampleFields({ ok: true, answerMs: 3.2, rcode: "NOERROR", answers: ["192.0.2.10"], ignoredPackets: 2 });
    expect(fields).toEqual({ kind: "dns", answerMs: 3.2, rcode: "NOERROR", answers: ["192.0.2.10"] });
    expect(dnsSampleSchema.safeParse(withEnvelope(fields, true)).success).toBe(true);
  });

  it("keeps the first 32 answers, the most the wire schema takes", () => {
    const answers = Array.from({ length: 40 }, (_, i) => `192.0.2.${i + 1}`);
    const result: DnsRoundResult = { ok: true, answerMs: 1, rcode: "NOERROR", answers, ignoredPackets: 0 };
    const fields = dnsSampleFields(result);
    expect(fields.answers).toEqual(answers.slice(0, 32));
    expect(result.answers).toHaveLength(40);
    expect(dnsSampleSchema.safeParse(withEnvelope(fields, true)).success).toBe(true);
  });
});
