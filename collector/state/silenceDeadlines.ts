/** One site's deadline in the heap. */
interface Deadline {
  atMs: number;
  site: string;
}

/** A site's current deadline (UTC ms), and whether {@link SilenceDeadlines.takePassed} already returned it. */
interface CurrentDeadline {
  atMs: number;
  taken: boolean;
}

/**
 * When each site turns silent (UTC ms; the site is silent once the time is past its deadline), in a min-heap, so
 * finding the sites whose deadline passed costs those sites (and the superseded deadlines met on the way), not a walk
 * of every site. Setting a site's deadline again supersedes the earlier one; superseded entries are dropped when they
 * come up, or all at once when they outnumber the sites (the heap then holds one entry per site): an agent pushing
 * every second with a push interval of an hour leaves at most two entries per site, not a push's worth per second of
 * its 3 h deadline. Memory and the cost of a {@link set} (amortised) are bounded by the sites, whatever the push rate.
 *
 * A clock that steps back does not end a silence (nothing is returned for it: the site has not pushed), but the
 * deadlines it steps back over are armed again, so a site whose silence was undone meanwhile (its incident resolved
 * by hand) is returned once more when the time passes its deadline again.
 */
export class SilenceDeadlines {
  #heap: Deadline[] = [];
  readonly #current = new Map<string, CurrentDeadline>();
  /** Sites whose current deadline was returned, kept to arm them again if the clock steps back before it. */
  readonly #taken = new Set<string>();
  /** The latest `nowMs` passed to {@link takePassed} (UTC ms). */
  #latestNowMs = -Infinity;

  /** Sets the site's deadline to `atMs` (UTC ms), replacing any earlier one. */
  set(site: string, atMs: number): void {
    const current = this.#current.get(site);
    if (current && current.atMs === atMs && !current.taken) return;
    this.#current.set(site, { atMs, taken: false });
    this.#taken.delete(site);
    this.#push({ atMs, site });
    if (this.#heap.length > 2 * this.#current.size) this.#compact();
  }

  /**
   * The sites whose deadline is before `nowMs` (UTC ms), earliest first; each is returned once (until its deadline
   * is set again, or the clock steps back before it and then passes it again).
   */
  takePassed(nowMs: number): string[] {
    if (nowMs < this.#latestNowMs) this.#rearmAfter(nowMs);
    this.#latestNowMs = nowMs;
    const passed: string[] = [];
    while (this.#heap.length > 0 && this.#heap[0]!.atMs < nowMs) {
      const { atMs, site } = this.#pop();
      const current = this.#current.get(site);
      if (!current || current.atMs !== atMs || current.taken) continue; // superseded by a later push
      current.taken = true;
      this.#taken.add(site);
      passed.push(site);
    }
    return passed;
  }

  /** How many deadlines the heap holds, superseded ones included (for tests and metrics); at most 2 × the sites set. */
  get size(): number {
    return this.#heap.length;
  }

  /** The clock stepped back to `nowMs`: deadlines returned that are not before it any more are waited for again. */
  #rearmAfter(nowMs: number): void {
    for (const site of this.#taken) {
      const current = this.#current.get(site)!;
      if (current.atMs < nowMs) continue;
      current.taken = false;
      this.#taken.delete(site);
      this.#push({ atMs: current.atMs, site });
    }
  }

  /** Keeps one entry per site whose deadline is still to come, and rebuilds the heap from them. */
  #compact(): void {
    const kept = new Set<string>();
    this.#heap = this.#heap.filter(({ atMs, site }) => {
      const current = this.#current.get(site)!;
      if (current.atMs !== atMs || current.taken || kept.has(site)) return false;
      kept.add(site);
      return true;
    });
    for (let index = (this.#heap.length >> 1) - 1; index >= 0; index--) this.#down(index);
  }

  #push(deadline: Deadline): void {
    this.#heap.push(deadline);
    this.#up(this.#heap.length - 1);
  }

  #pop(): Deadline {
    const top = this.#heap[0]!;
    const last = this.#heap.pop()!;
    if (this.#heap.length > 0) {
      this.#heap[0] = last;
      this.#down(0);
    }
    return top;
  }

  #up(index: number): void {
    const heap = this.#heap;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent]!.atMs <= heap[index]!.atMs) return;
      [heap[parent], heap[index]] = [heap[index]!, heap[parent]!];
      index = parent;
    }
  }

  #down(index: number): void {
    const heap = this.#heap;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && heap[left]!.atMs < heap[smallest]!.atMs) smallest = left;
      if (right < heap.length && heap[right]!.atMs < heap[smallest]!.atMs) smallest = right;
      if (smallest === index) return;
      [heap[smallest], heap[index]] = [heap[index]!, heap[smallest]!];
      index = smallest;
    }
  }
}
