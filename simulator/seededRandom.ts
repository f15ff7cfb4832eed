/**
 * Seeded pseudo-random numbers for the simulator, so that every run (and every lazily generated backlog period)
 * produces the same values and runs compare.
 */

/** A small seeded PRNG (mulberry32). Returns numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seed for one (site, period) pair: the values of a period depend only on the site's seed and the period's
 * number, never on the order in which periods are generated (a backlog is generated lazily, a retry generates again).
 */
export function periodSeed(siteSeed: number, period: number): number {
  let h = (siteSeed ^ Math.imul(period + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
