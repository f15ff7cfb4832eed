import type { SampleKindName } from "../../../protocol/kinds/registry.js";
import type { RollupBacklog } from "./rollupBacklog.js";
import { combineRollups, rollUpRaw, windowStart, type RawRow } from "./rollupMath.js";
import { fieldNamesOf } from "./storedValues.js";
import { ROLLUP_WINDOW_MS, type RollupPassResult, type RollupResolution, type RollupRow } from "./sampleStore.js";

/** What a backend gives the rollup pass: reads of one window's rows and a replacement of one window's rollups. */
export interface RollupIo {
  /** One site's raw samples of `kind` with `from` ≤ ts < `to` (UTC ms). */
  readRaw(site: string, kind: SampleKindName, from: number, to: number): Promise<RawRow[]>;
  /** One site's rollup rows of `kind` at `resolution` whose window starts in [from, to). */
  readRollupRows(site: string, kind: SampleKindName, resolution: RollupResolution, from: number, to: number): Promise<RollupRow[]>;
  /** Makes `rows` the rollups of that window (rows of the window not among them are removed). */
  replaceRollups(site: string, kind: SampleKindName, resolution: RollupResolution, windowTs: number, rows: RollupRow[]): Promise<void>;
}

/** How a pass runs: its clock (UTC ms), its limit of windows, and the raw retention (ms) beyond which raw is not read. */
export interface RollupPassOptions {
  nowMs: number;
  maxWindows: number;
  rawRetentionMs: number;
}

/**
 * One rollup pass, the same for every backend: the closed marked 5-minute windows are recomputed from raw samples
 * (marking their hours), then the closed marked hours from their 5-minute rows. A 5-minute window whose start is past
 * the raw retention is unmarked without recomputing (its raw samples may be partly gone; its rollup stays as it was).
 * A failure rejects and leaves the window marked, to be recomputed by a later pass.
 */
export async function runRollupPass(io: RollupIo, backlog: RollupBacklog, options: RollupPassOptions): Promise<RollupPassResult> {
  const { nowMs, maxWindows, rawRetentionMs } = options;
  let recomputed = 0;
  for (const window of backlog.due("5m", nowMs, maxWindows)) {
    if (window.windowTs < nowMs - rawRetentionMs) {
      backlog.clear(window);
      continue;
    }
    const raw = await io.readRaw(window.site, window.kind, window.windowTs, window.windowTs + ROLLUP_WINDOW_MS["5m"]);
    await io.replaceRollups(window.site, window.kind, "5m", window.windowTs, rollUpRaw(window.site, window.windowTs, raw, fieldNamesOf(window.kind)));
    backlog.mark([{ site: window.site, kind: window.kind, resolution: "1h", windowTs: windowStart(window.windowTs, "1h") }]);
    backlog.clear(window);
    recomputed++;
  }
  for (const window of backlog.due("1h", nowMs, Math.max(0, maxWindows - recomputed))) {
    const parts = await io.readRollupRows(window.site, window.kind, "5m", window.windowTs, window.windowTs + ROLLUP_WINDOW_MS["1h"]);
    await io.replaceRollups(window.site, window.kind, "1h", window.windowTs, combineRollups(window.site, window.windowTs, parts));
    backlog.clear(window);
    recomputed++;
  }
  return { recomputed, pending: backlog.size() };
}

/** The 5-minute windows `records` fall in, once each, to mark after a write. */
export function windowsTouched(records: ReadonlyArray<{ site: string; ts: number; sample: { kind: SampleKindName } }>) {
  const seen = new Map<string, { site: string; kind: SampleKindName; resolution: "5m"; windowTs: number }>();
  for (const { site, ts, sample } of records) {
    const windowTs = windowStart(ts, "5m");
    const key = `${site}\u0000${sample.kind}\u0000${windowTs}`;
    if (!seen.has(key)) seen.set(key, { site, kind: sample.kind, resolution: "5m", windowTs });
  }
  return [...seen.values()];
}
