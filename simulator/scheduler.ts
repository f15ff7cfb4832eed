/**
 * Drives the round ticks of many simulated sites: each site ticks once per interval, the sites' phases spread
 * evenly over the interval (site i of n at i × interval / n), so that n sites offer n / interval pushes per second
 * without bursts. Ticks are scheduled from a fixed origin, so they do not drift with timer lateness.
 */
import type { SimulatedAgent } from "./pushLoop.js";

/** What the scheduler needs of a site: a tick at each round period's start (UTC ms). */
export type TickTarget = Pick<SimulatedAgent, "tick">;

/** See the module comment. */
export class PhaseScheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = false;

  /**
   * @param intervalMs time between two ticks of one site, ms
   * @param now the sites' clock (UTC ms), stamped on every period
   * @param onTick told of every tick (e.g. to count offered pushes)
   */
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly onTick: (index: number) => void = () => {},
  ) {}

  /** Starts ticking `sites`: site i first ticks `i × interval / sites.length` ms from now, then every interval. */
  start(sites: readonly TickTarget[]): void {
    this.running = true;
    const origin = performance.now();
    sites.forEach((site, index) => this.schedule(site, index, origin + (index * this.intervalMs) / sites.length));
  }

  /** Stops every tick (a push under way is not affected). */
  stop(): void {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(site: TickTarget, index: number, dueMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.running) return;
      site.tick(this.now());
      this.onTick(index);
      this.schedule(site, index, dueMs + this.intervalMs);
    }, Math.max(0, dueMs - performance.now()));
    this.timers.add(timer);
  }
}
