import { describe, expect, it } from "vitest";
import { tcpSampleFields } from "../../../../agent/probes/tcp/tcpKind.js";
import { tcpSampleSchema } from "../../../../protocol/sample.js";
import { withEnvelope } from "../../../helpers/sampleEnvelope.js";

describe("agent/probes/tcp/tcpKind", () => {
  it("maps a round to the tcp sample's fields", () => {
    expect(tcpSampleFields({ ok: true, connectMs: 0.4 })).toEqual({ kind: "tcp", connectMs: 0.4 });
    const failed = tcpSampleFields({ ok: false, connectMs: null, reason: "connection refused" });
    expect(tcpSampleSchema.safeParse(withEnvelope(failed, false, "connection refused")).success).toBe(true);
  });
});
