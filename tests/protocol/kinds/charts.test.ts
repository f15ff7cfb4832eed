import { describe, expect, it } from "vitest";
import { KIND_CHARTS } from "../../../protocol/kinds/charts.js";
import { SAMPLE_KIND_NAMES, storedFieldsOf } from "../../../protocol/kinds/registry.js";

describe("protocol/kinds/charts", () => {
  it("charts only chartable stored fields of each kind, and every kind draws a latency line with its band", () => {
    for (const kind of SAMPLE_KIND_NAMES) {
      const fields = storedFieldsOf(kind);
      for (const series of KIND_CHARTS[kind]) {
        expect(Object.hasOwn(fields, series.field), `${kind}.${series.field}`).toBe(true);
        expect(fields[series.field]!.chartable, `${kind}.${series.field} chartable`).toBe(true);
        expect(fields[series.field]!.unit, `${kind}.${series.field} unit`).toBe(series.chart === "latency" ? "ms" : "pct");
      }
      expect(KIND_CHARTS[kind].filter((s) => s.chart === "latency").map((s) => s.stat)).toEqual(["mean", "min", "max"]);
    }
  });
});
