import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Logger } from "../../config/logger.js";
import type { LinkOutcome, SampleStore } from "../store/samples/sampleStore.js";
import { GapTally } from "./gapClassifier.js";

/** A silent period's link outcomes as read from the sample store, tallied: from `fromTs` to `toTs` (UTC ms, inclusive). */
export interface LoadedGap {
  fromTs: number;
  toTs: number;
  tally: GapTally;
}

/** Outcomes read per query by default: a page is read in a few milliseconds, so no read holds the event loop long. */
export const GAP_OUTCOME_PAGE_SIZE = 5000;

/** What the loader works from. */
export interface GapOutcomeDeps {
  samples: Pick<SampleStore, "linkOutcomes">;
  /** Told when a site's outcomes are loaded (or their load failed): the site is to be judged again. */
  loaded(siteId: string): void;
  logger: Logger;
  /** Outcomes per query (default {@link GAP_OUTCOME_PAGE_SIZE}). */
  pageSize?: number;
}

/**
 * Loads a silent site's link outcomes off the evaluation path: the incident engine's evaluation stays synchronous,
 * so when it wants to classify a silence (the backfill is in) it asks {@link take}; the first ask starts an
 * asynchronous read of the sample store and answers null (the incident stays open), and once the read is done the
 * site is reported changed, so the next evaluation finds the outcomes and classifies from them. At most one read per
 * site at a time; a failed read is logged and asked for again at the next evaluation that wants it.
 *
 * The outcomes are read in pages of `pageSize`, each after the last outcome of the one before, giving the event loop
 * back between pages (the SQLite backend reads synchronously), and go into a {@link GapTally}, which keeps only what
 * the classification needs: a silence of any length is classified from all of its outcomes, in bounded memory.
 */
export class GapOutcomeLoader {
  readonly #deps: GapOutcomeDeps;
  readonly #pageSize: number;
  /** Loaded, not yet taken, by site; keyed by the silence's start too, so a new silence never gets an old load. */
  readonly #loaded = new Map<string, LoadedGap>();
  readonly #loading = new Map<string, Promise<void>>();

  constructor(deps: GapOutcomeDeps) {
    this.#deps = deps;
    this.#pageSize = Math.max(1, deps.pageSize ?? GAP_OUTCOME_PAGE_SIZE);
  }

  /**
   * The site's outcomes from `fromTs` on, if loaded (and then forgotten: an evaluation takes them once); otherwise
   * starts loading them up to `nowMs` (unless a load is under way) and answers null.
   */
  take(siteId: string, fromTs: number, nowMs: number): LoadedGap | null {
    const loaded = this.#loaded.get(siteId);
    if (loaded && loaded.fromTs === fromTs) {
      this.#loaded.delete(siteId);
      return loaded;
    }
    if (!this.#loading.has(siteId)) this.#load(siteId, fromTs, nowMs);
    return null;
  }

  /** Resolves once every read under way now has ended (and its site was reported changed); never rejects. */
  async settled(): Promise<void> {
    await Promise.all(this.#loading.values());
  }

  #load(siteId: string, fromTs: number, toTs: number): void {
    this.#loaded.delete(siteId);
    const read = this.#tally(siteId, fromTs, toTs).then(
      (tally) => {
        this.#loading.delete(siteId);
        this.#loaded.set(siteId, { fromTs, toTs, tally });
        this.#deps.loaded(siteId);
      },
      (err: unknown) => {
        this.#loading.delete(siteId);
        this.#deps.logger.warn("silent period not classified yet: its samples cannot be read; tried again", { site: siteId, err });
        this.#deps.loaded(siteId);
      },
    );
    this.#loading.set(siteId, read);
  }

  async #tally(siteId: string, fromTs: number, toTs: number): Promise<GapTally> {
    const tally = new GapTally(fromTs, toTs);
    let after: LinkOutcome | null = null;
    for (;;) {
      const page = await this.#deps.samples.linkOutcomes(siteId, fromTs, toTs, { after, limit: this.#pageSize });
      for (const outcome of page) tally.add(outcome);
      if (page.length < this.#pageSize) return tally;
      after = page.at(-1)!;
      await yieldToEventLoop();
    }
  }
}
