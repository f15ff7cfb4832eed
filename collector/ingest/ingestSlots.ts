/** A slot taken for one batch; `release` gives it back (idempotent). */
export interface IngestSlot {
  release(): void;
}

/**
 * Bounds the batches being received and handled at once: at most `maxInFlight` in all and `maxPerSite` for any one
 * site (an agent pushes one batch at a time), so one site's slow or stuck uploads can never take every slot from the
 * others. Counts per site exist only while a site has a batch in flight (memory bounded by `maxInFlight`).
 */
export class IngestSlots {
  private total = 0;
  private readonly bySite = new Map<string, number>();

  constructor(
    private readonly maxInFlight: number,
    private readonly maxPerSite: number,
  ) {}

  /** Batches in flight now. */
  get inFlight(): number {
    return this.total;
  }

  /** Takes a slot for `site`, or says why not (a message for the 429 answer). */
  take(site: string): { slot: IngestSlot } | { refusal: string } {
    const siteCount = this.bySite.get(site) ?? 0;
    if (siteCount >= this.maxPerSite) return { refusal: `site '${site}' already has ${siteCount} batches in flight; send one at a time` };
    if (this.total >= this.maxInFlight) return { refusal: `the collector is handling ${this.total} batches; retry later` };
    this.total++;
    this.bySite.set(site, siteCount + 1);
    let released = false;
    return {
      slot: {
        release: () => {
          if (released) return;
          released = true;
          this.total--;
          const left = (this.bySite.get(site) ?? 1) - 1;
          if (left > 0) this.bySite.set(site, left);
          else this.bySite.delete(site);
        },
      },
    };
  }
}
