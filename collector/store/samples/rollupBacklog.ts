import type { SampleKindName } from "../../../protocol/kinds/registry.js";
import type { RollupResolution } from "./sampleStore.js";

/** One rollup window of one site's samples of one kind. `windowTs`: its start, UTC ms. */
export interface RollupWindow {
  site: string;
  kind: SampleKindName;
  resolution: RollupResolution;
  windowTs: number;
}

/** A marked window as handed out for recomputing, with the mark's version at that moment. */
export interface MarkedWindow extends RollupWindow {
  version: number;
}

/**
 * The windows whose rollups must be recomputed because samples were written into them. Marking a marked window again
 * bumps its version, so a window marked while it was being recomputed stays marked ({@link clear} only removes the
 * version it was handed).
 */
export interface RollupBacklog {
  mark(windows: readonly RollupWindow[]): void;
  /** Up to `limit` marked windows of `resolution` that ended at or before `closedByTs` (UTC ms), oldest first. */
  due(resolution: RollupResolution, closedByTs: number, limit: number): MarkedWindow[];
  /** Unmarks `window` unless it was marked again since it was handed out. */
  clear(window: MarkedWindow): void;
  /** How many windows are marked. */
  size(): number;
  /** Releases what the backlog holds open (a file of its own); absent when it holds nothing. Safe to call twice. */
  close?(): void;
}

/** Window length, ms, per resolution (kept here too so the backlog needs nothing else). */
const LENGTH_MS: Record<RollupResolution, number> = { "5m": 300_000, "1h": 3_600_000 };

function keyOf(window: RollupWindow): string {
  return `${window.resolution}\u0000${window.site}\u0000${window.kind}\u0000${window.windowTs}`;
}

/**
 * A backlog in memory, for tests. Lost when its process stops: a window written but not yet recomputed then keeps its
 * old rollup until another sample lands in it. The collector's InfluxDB store keeps its backlog in a file
 * (fileRollupBacklog.ts).
 */
export class MemoryRollupBacklog implements RollupBacklog {
  readonly #marked = new Map<string, MarkedWindow>();
  #nextVersion = 1;

  mark(windows: readonly RollupWindow[]): void {
    for (const window of windows) {
      this.#marked.set(keyOf(window), { site: window.site, kind: window.kind, resolution: window.resolution, windowTs: window.windowTs, version: this.#nextVersion++ });
    }
  }

  due(resolution: RollupResolution, closedByTs: number, limit: number): MarkedWindow[] {
    const due = [...this.#marked.values()].filter((w) => w.resolution === resolution && w.windowTs + LENGTH_MS[resolution] <= closedByTs);
    return due.sort((a, b) => a.windowTs - b.windowTs).slice(0, limit);
  }

  clear(window: MarkedWindow): void {
    const key = keyOf(window);
    if (this.#marked.get(key)?.version === window.version) this.#marked.delete(key);
  }

  size(): number {
    return this.#marked.size;
  }
}
