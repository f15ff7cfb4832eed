import type { SampleRole } from "../../../protocol/sample.js";
import { ROLLUP_WINDOW_MS, type FieldRollup, type RollupResolution, type RollupRow } from "./sampleStore.js";

/** A raw sample as the rollups read it back from a store: identity, attributes, and stored values. */
export interface RawRow {
  link: string | null;
  probe: string;
  provider: string | null;
  role: SampleRole;
  /** UTC ms, collector time line. */
  ts: number;
  values: Record<string, number | null>;
}

/** The start of the `resolution` window holding `ts` (UTC ms; windows are aligned on the Unix epoch). */
export function windowStart(ts: number, resolution: RollupResolution): number {
  const length = ROLLUP_WINDOW_MS[resolution];
  return Math.floor(ts / length) * length;
}

/** Groups rows by (link, probe), each group sorted by `order` so that sums add up in one order whatever arrived when. */
function groupBySeries<T extends { link: string | null; probe: string }>(rows: readonly T[], order: (a: T, b: T) => number): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = `${row.link ?? ""}\u0000${row.probe}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group.sort(order));
}

/**
 * Pure: the 5-minute (or any) rollup rows of one site's raw samples of one window, one per (link, probe): per field
 * count, sum, mean, min and max of its non-null values. Deterministic: the result depends only on the set of rows.
 */
export function rollUpRaw(site: string, windowTs: number, rows: readonly RawRow[], fieldNames: readonly string[]): RollupRow[] {
  return groupBySeries(rows, (a, b) => a.ts - b.ts).map((group) => {
    const first = group[0] as RawRow;
    const fields: Record<string, FieldRollup> = {};
    for (const name of fieldNames) {
      let count = 0;
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const row of group) {
        const value = row.values[name];
        if (value === null || value === undefined) continue;
        count++;
        sum += value;
        if (value < min) min = value;
        if (value > max) max = value;
      }
      if (count > 0) fields[name] = { count, sum, mean: sum / count, min, max };
    }
    return { site, link: first.link, probe: first.probe, provider: first.provider, role: first.role, windowTs, fields };
  });
}

/**
 * Pure: rollup rows of a longer window from rows of shorter ones (the hour from its twelve 5-minute rows), one per
 * (link, probe): counts and sums add, min of mins, max of maxes, mean = sum / count. Exact, as if from raw samples
 * (up to the order of float additions, which is fixed: by window start).
 */
export function combineRollups(site: string, windowTs: number, rows: readonly RollupRow[]): RollupRow[] {
  return groupBySeries(rows, (a, b) => a.windowTs - b.windowTs).map((group) => {
    const first = group[0] as RollupRow;
    const fields: Record<string, FieldRollup> = {};
    for (const row of group) {
      for (const [name, part] of Object.entries(row.fields)) {
        const total = fields[name];
        if (!total) {
          fields[name] = { ...part };
          continue;
        }
        total.count += part.count;
        total.sum += part.sum;
        total.min = Math.min(total.min, part.min);
        total.max = Math.max(total.max, part.max);
      }
    }
    for (const total of Object.values(fields)) total.mean = total.sum / total.count;
    return { site, link: first.link, probe: first.probe, provider: first.provider, role: first.role, windowTs, fields };
  });
}
