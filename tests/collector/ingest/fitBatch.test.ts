import { describe, expect, it } from "vitest";
import { FUTURE_STAMP_MARGIN_MS, fitBatch } from "../../../collector/ingest/fitBatch.js";
import { parseBatch, type ParsedBatch } from "../../../collector/ingest/parseBatch.js";
import type { SiteConfig } from "../../../config/collectorSchema.js";
import { batchOf, httpAppSample, icmpSample } from "../../helpers/batches.js";
import type { Sample } from "../../../protocol/sample.js";

const SENT_AT = 1_800_000_000_000;
const MAX_AGE_MS = 30 * 86_400_000;
const site: SiteConfig = {
  id: "a",
  name: "A",
  address: null,
  location: null,
  simulated: false,
  contacts: [],
  links: [{ id: "tslcd", kind: "dedicated", provider: "vnpt", circuit: "C1", bandwidthMbps: 200 }],
};

function parsed(samples: Sample[]): ParsedBatch {
  const result = parseBatch(batchOf("a", samples, { sentAt: SENT_AT }));
  if ("problem" in result) throw new Error(result.problem.message);
  return result.batch;
}

function fit(samples: Sample[], tokenSite = "a", previousCorrectionMs = 0) {
  return fitBatch(parsed(samples), tokenSite, site, { maxSampleAgeMs: MAX_AGE_MS, clockSkewToleranceMs: 5000 }, SENT_AT + 100, { correctionMs: previousCorrectionMs, recentOffsetsMs: [] });
}

describe("collector/ingest/fitBatch", () => {
  it("refuses the whole batch for another site's token or a site not configured", () => {
    expect(fit([], "b")).toEqual({ problem: { status: 403, error: "wrong_site", message: "this token belongs to site 'b', not 'a'" } });
    expect(fitBatch(parsed([]), "a", undefined, { maxSampleAgeMs: MAX_AGE_MS, clockSkewToleranceMs: 5000 }, SENT_AT, { correctionMs: 0, recentOffsetsMs: [] })).toMatchObject({ problem: { status: 403, error: "unknown_site" } });
  });

  it("takes records stamped up to the margin after sentAt and up to the maximum age before it, and refuses the rest", () => {
    const result = fit([
      icmpSample(1, { ts: SENT_AT - MAX_AGE_MS - 1 }),
      icmpSample(2, { ts: SENT_AT - MAX_AGE_MS }),
      icmpSample(3, { ts: SENT_AT + FUTURE_STAMP_MARGIN_MS }),
      icmpSample(4, { ts: SENT_AT + FUTURE_STAMP_MARGIN_MS + 1 }),
    ]);
    if ("problem" in result) throw new Error(result.problem.message);
    expect(result.batch.samples.map((s) => s.sample.seq)).toEqual([2, 3]);
    expect(result.batch.refused.map((r) => [r.seq, r.error])).toEqual([[1, "ts_too_old"], [4, "ts_after_send"]]);
  });

  it("refuses a link or application sample without a known link, and takes a LAN sample of no link", () => {
    const result = fit([
      httpAppSample(1, "mot-cua", "inet", true, SENT_AT - 1000),
      { ...httpAppSample(2, "mot-cua", "tslcd", true, SENT_AT - 1000), link: null },
      { ...httpAppSample(3, "camera", "tslcd", true, SENT_AT - 1000), role: "lan", link: null },
    ]);
    if ("problem" in result) throw new Error(result.problem.message);
    expect(result.batch.samples.map((s) => s.sample.seq)).toEqual([3]);
    expect(result.batch.refused).toEqual([
      { seq: 1, error: "unknown_link", message: "samples[0].link: unknown link 'inet' for site 'a' (known: tslcd)" },
      { seq: 2, error: "unknown_link", message: "samples[1].link: a app sample needs a link" },
    ]);
  });

  it("puts records on the collector's time line with the site's correction in effect", () => {
    const result = fit([icmpSample(1, { ts: SENT_AT - 1000 })], "a", 3_600_000);
    if ("problem" in result) throw new Error(result.problem.message);
    // The measured offset (100 ms) moved more than the tolerance from the hour in effect: the clock was fixed.
    expect(result.batch.clock.correctionMs).toBe(0);
    expect(result.batch.samples[0]).toMatchObject({ ts: SENT_AT - 1000, agentTs: SENT_AT - 1000 });
  });
});
