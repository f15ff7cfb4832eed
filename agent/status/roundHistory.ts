import type { HistoryPoint, LastRound } from "./statusModel.js";

/** What one judged round left behind: when (UTC ms), ok, latency (ms, null: no answer), loss (%), why it failed. */
export interface RoundRecord {
  ts: number;
  ok: boolean;
  latencyMs: number | null;
  lossPct: number;
  reason: string | null;
}

/**
 * The last hour of rounds of every monitor, in memory, for the local status page (which must work without the
 * collector). Bounded: points older than `keepMs` are dropped, and at most `maxPoints` are kept per monitor.
 */
export class RoundHistory {
  private readonly byMonitor = new Map<string, RoundRecord[]>();

  constructor(
    private readonly keepMs = 3_600_000,
    private readonly maxPoints = 1000,
  ) {}

  /** Adds a round of monitor `id`. */
  add(id: string, round: RoundRecord): void {
    const points = this.byMonitor.get(id) ?? [];
    points.push(round);
    const cutoff = round.ts - this.keepMs;
    let drop = 0;
    while (drop < points.length && (points[drop]!.ts < cutoff || points.length - drop > this.maxPoints)) drop++;
    if (drop > 0) points.splice(0, drop);
    this.byMonitor.set(id, points);
  }

  /** The latest round of monitor `id`, or null. */
  last(id: string): LastRound | null {
    const points = this.byMonitor.get(id);
    const last = points?.at(-1);
    return last ? { ts: last.ts, ok: last.ok, latencyMs: last.latencyMs, lossPct: last.lossPct, reason: last.reason } : null;
  }

  /** Monitor `id`'s rounds of the kept window, oldest first. */
  points(id: string): HistoryPoint[] {
    return (this.byMonitor.get(id) ?? []).map(({ ts, latencyMs, lossPct }) => ({ ts, latencyMs, lossPct }));
  }
}
