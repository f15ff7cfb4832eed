import type { Logger } from "../../config/logger.js";
import type { LinkOutcome, SampleStore } from "../store/samples/sampleStore.js";

/** A silent period's link outcomes as loaded from the sample store: from `fromTs` to `toTs` (UTC ms, inclusive). */
export interface LoadedGap {
  fromTs: number;
  toTs: number;
  outcomes: LinkOutcome[];
}

/** What the loader works from. */
export interface GapOutcomeDeps {
  samples: Pick<SampleStore, "linkOutcomes">;
  /** Told when a site's outcomes are loaded (or their load failed): the site is to be judged again. */
  loaded(siteId: string): void;
  logger: Logger;
}

/**
 * Loads a silent site's link outcomes off the evaluation path: the incident engine's evaluation stays synchronous,
 * so when it wants to classify a silence (the backfill is in) it asks {@link take}; the first ask starts an
 * asynchronous read of the sample store and answers null (the incident stays open), and once the read is done the
 * site is reported changed, so the next evaluation finds the outcomes and classifies from them. At most one read per
 * site at a time; a failed read is logged and asked for again at the next evaluation that wants it.
 */
export class GapOutcomeLoader {
  readonly #deps: GapOutcomeDeps;
  /** Loaded, not yet taken, by site; keyed by the silence's start too, so a new silence never gets an old load. */
  readonly #loaded = new Map<string, LoadedGap>();
  readonly #loading = new Map<string, Promise<void>>();

  constructor(deps: GapOutcomeDeps) {
    this.#deps = deps;
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
    const read = this.#deps.samples.linkOutcomes(siteId, fromTs, toTs).then(
      (outcomes) => {
        this.#loading.delete(siteId);
        this.#loaded.set(siteId, { fromTs, toTs, outcomes });
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
}
