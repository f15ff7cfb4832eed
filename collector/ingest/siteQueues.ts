/**
 * Runs each site's tasks one at a time, in the order they were given, while different sites' tasks run side by side.
 * Memory: one entry per site with a task under way or waiting (removed when its last task ends).
 */
export class SiteQueues {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `task` after every task given before for `site` has settled; resolves or rejects as `task` does. */
  async run<T>(site: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(site) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(site, tail);
    try {
      return await result;
    } finally {
      if (this.#tails.get(site) === tail) this.#tails.delete(site);
    }
  }
}
