import { describe, expect, it } from "vitest";
import type { HttpRoundResult } from "../../../../agent/probes/http/http.js";
import { httpSampleFields } from "../../../../agent/probes/http/httpKind.js";
import { httpSampleSchema } from "../../../../protocol/sample.js";
import { withEnvelope } from "../../../helpers/sampleEnvelope.js";

const answered: HttpRoundResult = { ok: true, statusCode: 200, dnsMs: 1, connectMs: 2, tlsMs: 5, firstByteMs: 9, totalMs: 12, certDaysLeft: 80, redirects: 2, bodyBytes: 4096 };

describe("agent/probes/http/httpKind", () => {
  it("maps a round to the http sample's fields", () => {
    const fields = httpSampleFields(answered);
    expect(fields).toEqual({ kind: "http", statusCode: 200, dnsMs: 1, connectMs: 2, tlsMs: 5, firstByteMs: 9, totalMs: 12, certDaysLeft: 80, redirects: 2, bodyBytes: 4096 });
    expect(httpSampleSchema.safeParse(withEnvelope(fields, true)).success).toBe(true);
  });

  it("reports at most 100 redirects, the most the wire schema takes", () => {
    const fields = httpSampleFields({ ...answered, ok: false, redirects: 250, reason: "too many redirects (250)" });
    expect(fields.redirects).toBe(100);
    expect(httpSampleSchema.safeParse(withEnvelope(fields, false, "too many redirects (250)")).success).toBe(true);
  });
});
