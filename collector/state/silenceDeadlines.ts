/** One site's deadline in the heap. */
interface Deadline {
  atMs: number;
  site: string;
}

/**
 * When each site turns silent (UTC ms; the site is silent once the time is past its deadline), in a min-heap, so
 * finding the sites whose deadline passed costs those sites (and the superseded deadlines met on the way), not a walk
 * of every site. Setting a site's deadline again supersedes the earlier one, which is dropped when it comes up.
 */
export class SilenceDeadlines {
  readonly #heap: Deadline[] = [];
  readonly #current = new Map<string, number>();

  /** Sets the site's deadline to `atMs` (UTC ms), replacing any earlier one. */
  set(site: string, atMs: number): void {
    if (this.#current.get(site) === atMs) return;
    this.#current.set(site, atMs);
    this.#heap.push({ atMs, site });
    this.#up(this.#heap.length - 1);
  }

  /** The sites whose deadline is before `nowMs`, earliest first; each is returned once (until its deadline is set again). */
  takePassed(nowMs: number): string[] {
    const passed: string[] = [];
    while (this.#heap.length > 0 && this.#heap[0]!.atMs < nowMs) {
      const { atMs, site } = this.#pop();
      if (this.#current.get(site) !== atMs) continue; // superseded by a later push
      this.#current.delete(site);
      passed.push(site);
    }
    return passed;
  }

  /** How many deadlines the heap holds, superseded ones included (for tests and metrics). */
  get size(): number {
    return this.#heap.length;
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
