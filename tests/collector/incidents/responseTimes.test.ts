import { describe, expect, it } from "vitest";
import type { IncidentTimeline } from "../../../protocol/incident.js";
import type { IncidentTimes } from "../../../collector/incidents/incidentStore.js";
import { countsForProvider, durationStats, nearestRank, providerResponseTimes } from "../../../collector/incidents/responseTimes.js";

const MINUTE = 60_000;

/** A closed VNPT link incident: started at 0, notified at 2 min, acknowledged at 5 min, restored at 60 min. */
function incident(overrides: Partial<Omit<IncidentTimes, "timeline">> & { timeline?: Partial<IncidentTimeline> } = {}): IncidentTimes {
  const { timeline, ...rest } = overrides;
  return {
    id: 1,
    kind: "link",
    cause: "link_down",
    state: "closed",
    provider: "vnpt",
    providerName: "VNPT",
    mergedInto: null,
    ...rest,
    timeline: { startTs: 0, detectedTs: MINUTE, notifiedTs: 2 * MINUTE, acknowledgedTs: 5 * MINUTE, restoredTs: 60 * MINUTE, endTs: 61 * MINUTE, ...timeline },
  };
}

describe("collector/incidents/responseTimes", () => {
  describe("nearestRank", () => {
    it("takes the value at rank ⌈p/100 × n⌉, never interpolating", () => {
      const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
      expect(nearestRank(ten, 50)).toBe(5);
      expect(nearestRank(ten, 90)).toBe(9);
      expect(nearestRank(ten, 91)).toBe(10);
      expect(nearestRank(ten, 100)).toBe(10);
      // Even count: the lower of the two middle values.
      expect(nearestRank([10, 20, 30, 40], 50)).toBe(20);
      // Fewer than 10 values: the 90th percentile is the maximum.
      expect(nearestRank([10, 20, 30], 90)).toBe(30);
      expect(nearestRank([7], 50)).toBe(7);
      expect(nearestRank([], 50)).toBeNull();
    });
  });

  describe("durationStats", () => {
    it("sorts, then gives count, median, p90 and max", () => {
      expect(durationStats([30, 10, 20])).toEqual({ count: 3, medianMs: 20, p90Ms: 30, maxMs: 30 });
      expect(durationStats([])).toEqual({ count: 0, medianMs: null, p90Ms: null, maxMs: null });
    });
  });

  describe("countsForProvider", () => {
    it.each<[string, Partial<IncidentTimes>, boolean]>([
      ["a link incident", {}, true],
      ["a degraded link", { cause: "link_degraded" }, true],
      ["a provider-wide outage", { kind: "provider", cause: "provider_outage" }, true],
      ["a site outage found to be its links (links_down_while_silent)", { kind: "site", cause: "links_down_while_silent" }, true],
      ["a site outage found to be power or the agent", { kind: "site", cause: "power_or_agent" }, false],
      ["a site still silent, even with a provider", { kind: "site", cause: "agent_silent" }, false],
      ["a site classified links_down_while_silent without a provider", { kind: "site", cause: "links_down_while_silent", provider: null }, false],
      ["a link incident merged into a provider outage", { mergedInto: 7 }, false],
      ["the collector's own incident", { kind: "collector", cause: "store_unreachable", provider: null }, false],
    ])("%s: %s", (_name, overrides, counts) => {
      expect(countsForProvider(incident(overrides))).toBe(counts);
    });
  });

  describe("providerResponseTimes", () => {
    it("counts per vendor, ordered by provider id", () => {
      const rows = providerResponseTimes([
        incident({ id: 1, provider: "vnpt" }),
        incident({ id: 2, provider: "viettel", providerName: "Viettel", timeline: { acknowledgedTs: 12 * MINUTE, restoredTs: 30 * MINUTE } }),
        incident({ id: 3, provider: "vnpt", timeline: { acknowledgedTs: 22 * MINUTE, restoredTs: 240 * MINUTE } }),
        incident({ id: 4, provider: "vnpt", timeline: { acknowledgedTs: 3 * MINUTE, restoredTs: 90 * MINUTE } }),
      ]);
      expect(rows.map((row) => row.provider)).toEqual(["viettel", "vnpt"]);
      expect(rows[1]).toEqual({
        provider: "vnpt",
        providerName: "VNPT",
        incidents: 3,
        acknowledged: 3,
        open: 0,
        // notified at 2 min; acknowledged at 5, 22, 3 min → 3, 20, 1 min.
        timeToAcknowledge: { count: 3, medianMs: 3 * MINUTE, p90Ms: 20 * MINUTE, maxMs: 20 * MINUTE },
        // started at 0; restored at 60, 240, 90 min.
        timeToRestore: { count: 3, medianMs: 90 * MINUTE, p90Ms: 240 * MINUTE, maxMs: 240 * MINUTE },
      });
      expect(rows[0]).toMatchObject({ providerName: "Viettel", incidents: 1, timeToAcknowledge: { count: 1, medianMs: 10 * MINUTE }, timeToRestore: { count: 1, maxMs: 30 * MINUTE } });
    });

    it("leaves merged incidents and incidents of no vendor out entirely", () => {
      const rows = providerResponseTimes([
        incident({ id: 1, kind: "provider", cause: "provider_outage", timeline: { restoredTs: 120 * MINUTE } }),
        incident({ id: 2, mergedInto: 1, timeline: { restoredTs: 5 * MINUTE } }),
        incident({ id: 3, kind: "site", cause: "power_or_agent" }),
        incident({ id: 4, kind: "collector", cause: "store_unreachable", provider: null, providerName: null }),
      ]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ provider: "vnpt", incidents: 1, timeToRestore: { count: 1, medianMs: 120 * MINUTE } });
    });

    it("counts an open, unrestored incident as open and leaves it out of the time to restore", () => {
      const [row] = providerResponseTimes([
        incident({ id: 1 }),
        incident({ id: 2, state: "open", timeline: { acknowledgedTs: null, restoredTs: null, endTs: null } }),
      ]);
      expect(row).toMatchObject({
        incidents: 2,
        acknowledged: 1,
        open: 1,
        timeToAcknowledge: { count: 1, medianMs: 3 * MINUTE },
        timeToRestore: { count: 1, medianMs: 60 * MINUTE, p90Ms: 60 * MINUTE, maxMs: 60 * MINUTE },
      });
    });

    it("measures acknowledgement from the first notification: before it counts as 0, never notified counts only as acknowledged", () => {
      const [row] = providerResponseTimes([
        // Acknowledged on the dashboard at 1 min, before the webhook got through at 2 min.
        incident({ id: 1, timeline: { acknowledgedTs: MINUTE } }),
        // Muted by maintenance: never notified, acknowledged anyway.
        incident({ id: 2, timeline: { notifiedTs: null, acknowledgedTs: 30 * MINUTE } }),
        // Notified, never acknowledged.
        incident({ id: 3, timeline: { acknowledgedTs: null } }),
      ]);
      expect(row).toMatchObject({ incidents: 3, acknowledged: 2, timeToAcknowledge: { count: 1, medianMs: 0, p90Ms: 0, maxMs: 0 } });
    });

    it("names the vendor by the first name found, else by its id", () => {
      expect(providerResponseTimes([incident({ id: 2, providerName: null }), incident({ id: 1, providerName: "VNPT Đồng Nai" }), incident({ id: 0, providerName: "VNPT" })])[0]!.providerName).toBe("VNPT Đồng Nai");
      expect(providerResponseTimes([incident({ providerName: null })])[0]!.providerName).toBe("vnpt");
    });

    it("returns no rows for no incidents", () => {
      expect(providerResponseTimes([])).toEqual([]);
    });
  });
});
