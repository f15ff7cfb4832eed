/**
 * Spreads the simulated agents' batch building over turns of the event loop. A few hundred sites coming back at once
 * each build a 500-record batch (a few ms of generation, JSON and gzip set-up); built in one go, they would stall the
 * bench process for a second or more, and every live push answered meanwhile would be measured that much slower for
 * the bench's own sake. Waiters are let through at most `perTurn` per turn: an immediate let through from inside an
 * immediate runs only on the next turn of the loop, after its I/O (node's documented order), so answers keep coming in.
 */
export class TurnPacer {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;

  /** @param perTurn waiters let through per turn of the event loop (≥ 1) */
  constructor(private readonly perTurn: number) {
    if (!(perTurn >= 1)) throw new RangeError(`perTurn must be at least 1, got ${perTurn}`);
  }

  /** Resolves on a later turn of the event loop, in the order asked, at most `perTurn` per turn. */
  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  /** Waiters not let through yet. */
  get queued(): number {
    return this.waiting.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const resolve of this.waiting.splice(0, this.perTurn)) resolve();
      if (this.waiting.length > 0) this.schedule();
    });
  }
}
