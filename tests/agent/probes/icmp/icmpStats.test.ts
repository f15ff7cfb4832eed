import { describe, expect, it } from "vitest";
import type { IcmpRoundResult } from "../../../../agent/probes/icmp/icmp.js";
import { estimateCallQuality, icmpSampleStats, mosFromRFactor, percentileMs, rttDistribution } from "../../../../agent/probes/icmp/icmpStats.js";

function roundWith(rttsMs: number[], sent: number): IcmpRoundResult {
  const received = rttsMs.length;
  const avg = received === 0 ? null : rttsMs.reduce((sum, rtt) => sum + rtt, 0) / received;
  return {
    ok: received > 0,
    sent,
    received,
    lossPct: sent === 0 ? 100 : (100 * (sent - received)) / sent,
    rttsMs,
    rttMinMs: received === 0 ? null : Math.min(...rttsMs),
    rttAvgMs: avg,
    rttMaxMs: received === 0 ? null : Math.max(...rttsMs),
    rttStddevMs: null,
    ...(received === 0 ? { reason: "no reply" } : {}),
  };
}

describe("agent/probes/icmp/icmpStats", () => {
  describe("percentileMs (linear interpolation between closest ranks, Hyndman & Fan 7)", () => {
    it("interpolates between ranks where nearest-rank would pick a sample", () => {
      // h = (4 − 1) × 0.9 = 2.7 → 3 + 0.7 × (4 − 3); nearest-rank (⌈0.9 × 4⌉ = 4th) would say 4.
      expect(percentileMs([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 10);
      // h = 9 × 0.9 = 8.1 → 9 + 0.1 × (10 − 9); nearest-rank would say 9.
      expect(percentileMs([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1, 10);
    });

    it("gives the usual median at 0.5, and the extremes at 0 and 1", () => {
      expect(percentileMs([1, 2, 3, 4], 0.5)).toBe(2.5);
      expect(percentileMs([1, 2, 7], 0.5)).toBe(2);
      expect(percentileMs([1, 2, 7], 0)).toBe(1);
      expect(percentileMs([1, 2, 7], 1)).toBe(7);
      expect(percentileMs([5], 0.9)).toBe(5);
    });

    it("refuses an empty list or a fraction outside 0–1", () => {
      expect(() => percentileMs([], 0.5)).toThrow(RangeError);
      expect(() => percentileMs([1], 1.5)).toThrow(RangeError);
      expect(() => percentileMs([1], Number.NaN)).toThrow(RangeError);
    });
  });

  describe("rttDistribution", () => {
    it("is null without rtts", () => {
      expect(rttDistribution([])).toBeNull();
    });

    it("takes median and p90 of the sorted rtts and jitter from the send order", () => {
      // Sorted: 10, 11, 12, 15. Jitter in send order: (|12 − 10| + |11 − 12| + |15 − 11|) / 3 = 7 / 3.
      const distribution = rttDistribution([10, 12, 11, 15]);
      expect(distribution?.medianMs).toBe(11.5);
      expect(distribution?.p90Ms).toBeCloseTo(14.1, 10); // h = 2.7 → 12 + 0.7 × 3
      expect(distribution?.jitterMs).toBeCloseTo(7 / 3, 10);
    });

    it("computes jitter from consecutive rtts, not from their spread: same values, other order, other jitter", () => {
      expect(rttDistribution([10, 10, 20, 20])?.jitterMs).toBeCloseTo(10 / 3, 10);
      expect(rttDistribution([10, 20, 10, 20])?.jitterMs).toBeCloseTo(10, 10);
      expect(rttDistribution([20, 20, 20, 20])?.jitterMs).toBe(0);
    });

    it("gives jitter 0 and the rtt itself for a single reply", () => {
      expect(rttDistribution([42.5])).toEqual({ medianMs: 42.5, p90Ms: 42.5, jitterMs: 0 });
    });

    it("leaves its argument as it was", () => {
      const rttsMs = [3, 1, 2];
      rttDistribution(rttsMs);
      expect(rttsMs).toEqual([3, 1, 2]);
    });
  });

  describe("estimateCallQuality (simplified ITU-T G.107 E-model)", () => {
    it("matches the reference point 20 ms, no jitter, no loss: R 92.45, MOS 4.39", () => {
      // effLat = 20 + 0 + 10 = 30 < 160 → R = 93.2 − 30/40 = 92.45;
      // MOS = 1 + 0.035 × 92.45 + 7e-6 × 92.45 × 32.45 × 7.55 = 1 + 3.23575 + 0.15855 = 4.39430.
      const quality = estimateCallQuality({ latencyMs: 20, jitterMs: 0, lossPct: 0 });
      expect(quality.rFactor).toBeCloseTo(92.45, 10);
      expect(quality.mos).toBeCloseTo(4.3943, 4);
    });

    it("matches a hand computation for 200 ms, 30 ms jitter, 5 % loss: R 65.7, MOS 3.389", () => {
      // effLat = 200 + 60 + 10 = 270 ≥ 160 → R = 93.2 − (270 − 120)/10 = 78.2; − 2.5 × 5 = 65.7;
      // MOS = 1 + 0.035 × 65.7 + 7e-6 × 65.7 × 5.7 × 34.3 = 1 + 2.2995 + 0.089915 = 3.389415.
      const quality = estimateCallQuality({ latencyMs: 200, jitterMs: 30, lossPct: 5 });
      expect(quality.rFactor).toBeCloseTo(65.7, 10);
      expect(quality.mos).toBeCloseTo(3.389415, 6);
    });

    it("joins the two latency branches at 160 ms effective latency (R 89.2 from either side)", () => {
      expect(estimateCallQuality({ latencyMs: 150, jitterMs: 0, lossPct: 0 }).rFactor).toBeCloseTo(89.2, 10);
      expect(estimateCallQuality({ latencyMs: 149.9, jitterMs: 0, lossPct: 0 }).rFactor).toBeCloseTo(89.2025, 10);
      // 2 × jitter counts as latency: 130 ms + 2 × 10 ms ≡ 150 ms.
      expect(estimateCallQuality({ latencyMs: 130, jitterMs: 10, lossPct: 0 }).rFactor).toBeCloseTo(89.2, 10);
    });

    it("clamps R at 0 and MOS at 1 for a hopeless link", () => {
      expect(estimateCallQuality({ latencyMs: 100, jitterMs: 0, lossPct: 50 })).toEqual({ rFactor: 0, mos: 1 });
      expect(estimateCallQuality({ latencyMs: 5000, jitterMs: 500, lossPct: 0 })).toEqual({ rFactor: 0, mos: 1 });
    });

    it("keeps MOS at 1 where G.107's polynomial dips below it (R < 6.5)", () => {
      // R = 92.45 − 2.5 × 34.98 = 5.0; the raw polynomial gives 0.992.
      const quality = estimateCallQuality({ latencyMs: 20, jitterMs: 0, lossPct: 34.98 });
      expect(quality.rFactor).toBeCloseTo(5, 10);
      expect(quality.mos).toBe(1);
    });

    it("treats negative inputs as 0 and loss above 100 % as 100 %", () => {
      expect(estimateCallQuality({ latencyMs: -5, jitterMs: -1, lossPct: -3 })).toEqual(estimateCallQuality({ latencyMs: 0, jitterMs: 0, lossPct: 0 }));
      expect(estimateCallQuality({ latencyMs: 1, jitterMs: 0, lossPct: 250 })).toEqual({ rFactor: 0, mos: 1 });
    });
  });

  describe("mosFromRFactor", () => {
    it("follows G.107 Annex B inside 0–100 and is 1 below, 4.5 above", () => {
      expect(mosFromRFactor(0)).toBe(1);
      expect(mosFromRFactor(60)).toBeCloseTo(3.1, 10); // the cubic term vanishes at 60
      expect(mosFromRFactor(100)).toBeCloseTo(4.5, 10);
      expect(mosFromRFactor(-10)).toBe(1);
      expect(mosFromRFactor(120)).toBe(4.5);
    });
  });

  describe("icmpSampleStats", () => {
    it("is all null for a round without replies", () => {
      expect(icmpSampleStats(roundWith([], 5))).toEqual({ rttMedianMs: null, rttP90Ms: null, jitterMs: null, rFactor: null, mos: null });
    });

    it("derives distribution and call quality from the round's rtts, average and loss", () => {
      // 4 of 5 replies (20 % loss), avg 20 ms, jitter (|20 − 18| + |24 − 20| + |18 − 24|) / 3 = 4 ms.
      const stats = icmpSampleStats(roundWith([18, 20, 24, 18], 5));
      const expectedQuality = estimateCallQuality({ latencyMs: 20, jitterMs: 4, lossPct: 20 });
      expect(stats.rttMedianMs).toBe(19);
      expect(stats.rttP90Ms).toBeCloseTo(22.8, 10); // sorted 18, 18, 20, 24; h = 2.7 → 20 + 0.7 × 4
      expect(stats.jitterMs).toBeCloseTo(4, 10);
      expect(stats.rFactor).toBeCloseTo(expectedQuality.rFactor, 10);
      expect(stats.mos).toBeCloseTo(expectedQuality.mos, 10);
      // By hand: effLat = 20 + 2 × 4 + 10 = 38 → R = 93.2 − 38/40 − 2.5 × 20 = 42.25.
      expect(stats.rFactor).toBeCloseTo(42.25, 10);
    });

    it("gives values the icmp sample schema accepts (R 0–100, MOS 1–5)", () => {
      for (const rtts of [[1], [0.05, 0.07], [900, 2000, 50]]) {
        const stats = icmpSampleStats(roundWith(rtts, 10));
        expect(stats.rFactor).toBeGreaterThanOrEqual(0);
        expect(stats.rFactor).toBeLessThanOrEqual(100);
        expect(stats.mos).toBeGreaterThanOrEqual(1);
        expect(stats.mos).toBeLessThanOrEqual(5);
      }
    });
  });
});
