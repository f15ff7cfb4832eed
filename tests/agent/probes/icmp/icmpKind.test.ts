import { describe, expect, it } from "vitest";
import { icmpSampleFields } from "../../../../agent/probes/icmp/icmpKind.js";
import type { IcmpRoundResult } from "../../../../agent/probes/icmp/icmp.js";
import { icmpSampleSchema } from "../../../../protocol/sample.js";
import { withEnvelope } from "../../../helpers/sampleEnvelope.js";

const answered: IcmpRoundResult = { ok: true, sent: 4, received: 3, lossPct: 25, rttsMs: [10, 14, 12], rttMinMs: 10, rttAvgMs: 12, rttMaxMs: 14, rttStddevMs: 1.633 };

describe("agent/probes/icmp/icmpKind", () => {
  it("maps a round to the icmp sample's fields: counts, rtt summary and the derived statistics (rtts list left out)", () => {
    const fields = icmpSampleFields(answered);
    expect(fields).toEqual({
      kind: "icmp",
      sent: 4,
      received: 3,
      lossPct: 25,
      rttMinMs: 10,
      rttAvgMs: 12,
      rttMaxMs: 14,
      rttStddevMs: 1.633,
      rttMedianMs: 12,
      rttP90Ms: 13.6,
      jitterMs: 3,
      rFactor: expect.any(Number),
      mos: expect.any(Number),
    });
    expect(icmpSampleSchema.safeParse(withEnvelope(fields, true)).success).toBe(true);
  });

  it("gives nulls for every rtt figure of a round without a reply", () => {
    const fields = icmpSampleFields({ ok: false, sent: 4, received: 0, lossPct: 100, rttsMs: [], rttMinMs: null, rttAvgMs: null, rttMaxMs: null, rttStddevMs: null, reason: "no reply" });
    expect(fields).toMatchObject({ rttAvgMs: null, rttMedianMs: null, jitterMs: null, rFactor: null, mos: null });
    expect(icmpSampleSchema.safeParse(withEnvelope(fields, false, "no reply")).success).toBe(true);
  });
});
