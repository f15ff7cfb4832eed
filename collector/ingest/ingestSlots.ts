import { BACKFILL_GOVERNOR_DEFAULTS, initialBackfillGovernor, nextBackfillGovernor, windowEnded, type BackfillGovernorPolicy, type BackfillGovernorState } from "./backfillGovernor.js";

/** A slot taken for one batch; `release` gives it back (idempotent). */
export interface IngestSlot {
  release(): void;
}

/**
 * What a push carries, as its `Wardwatch-Backlog` header says (protocol/ingest.ts): recent rounds (`live`), or the
 * backlog of a site catching up after an outage (`backfill`).
 */
export type PushKind = "live" | "backfill";

/** Limits of {@link IngestSlots}: batches in flight in all, per site, and of those carrying backlog. */
export interface IngestSlotLimits {
  maxInFlight: number;
  maxPerSite: number;
  /** At most `maxInFlight`; the other `maxInFlight − maxBackfillInFlight` slots stay open for live pushes. */
  maxBackfillInFlight: number;
}

/** Why a slot was not given: a message for the 429 answer and the Retry-After to send with it, s. */
export interface SlotRefusal {
  refusal: string;
  retryAfterS: number;
}

/** Longest Retry-After given to a backfilling site, s (the agent caps a Retry-After at its own max backoff anyway). */
export const MAX_BACKFILL_RETRY_AFTER_S = 30;
/** A backfilling site refused longer ago than this is no longer counted as waiting (it went away or got a slot), ms. */
const WAITING_MEMORY_MS = 2 * MAX_BACKFILL_RETRY_AFTER_S * 1000;
/** How often the waiting sites are swept for the forgotten ones, ms. */
const SWEEP_EVERY_MS = 1000;

/**
 * Retry-After for a backfill push refused while `waitingSites` backfilling sites (this one included) wait for one of
 * `backfillSlots` slots, s: about one turn of the queue per slot, so that the waiting sites come back spread out at
 * roughly the rate slots free up instead of all of them every second; 1 to {@link MAX_BACKFILL_RETRY_AFTER_S}.
 */
export function backfillRetryAfterS(waitingSites: number, backfillSlots: number): number {
  return Math.min(MAX_BACKFILL_RETRY_AFTER_S, Math.max(1, Math.ceil(waitingSites / backfillSlots)));
}

/**
 * Bounds the batches being received and handled at once: at most `maxInFlight` in all and `maxPerSite` for any one
 * site (an agent pushes one batch at a time), so one site's slow or stuck uploads can never take every slot from the
 * others; and at most `maxBackfillInFlight` batches carrying backlog (fewer while the collector is loaded, see
 * backfillGovernor.ts), so that sites coming back from an outage and
 * sending their backlog back to back never take the slots the live pushes of every other site need. A refused live
 * push is told to retry in 1 s; a refused backfill push later the more backfilling sites are waiting (see
 * {@link backfillRetryAfterS}). Counts per site exist only while a site has a batch in flight (memory bounded by
 * `maxInFlight`); the waiting backfill sites are remembered for at most a minute (bounded by the sites that have a
 * token). Time is passed in (UTC ms).
 */
export class IngestSlots {
  private total = 0;
  private backfill = 0;
  private readonly bySite = new Map<string, number>();
  /** Backfilling sites refused a slot, and when last (UTC ms). */
  private readonly waitingBackfill = new Map<string, number>();
  private lastSweepMs = 0;
  private readonly governorPolicy: BackfillGovernorPolicy;
  private governor: BackfillGovernorState | null = null;
  private livePushesInWindow = 0;
  private backfillRefusedInWindow = false;

  /**
   * @param limits the configured limits
   * @param utilization when given, the backlog batches allowed at once adapt to the load (collector/ingest/
   *   backfillGovernor.ts, up to `limits.maxBackfillInFlight`): each call returns the event loop's utilisation
   *   (0–1) since the previous call (see eventLoopUtilizationMeter). Absent: always `limits.maxBackfillInFlight`.
   */
  constructor(
    private readonly limits: IngestSlotLimits,
    private readonly utilization?: () => number,
  ) {
    if (limits.maxBackfillInFlight > limits.maxInFlight) throw new RangeError(`maxBackfillInFlight (${limits.maxBackfillInFlight}) is above maxInFlight (${limits.maxInFlight})`);
    this.governorPolicy = { ...BACKFILL_GOVERNOR_DEFAULTS, maxBackfillInFlight: limits.maxBackfillInFlight };
  }

  /** Backlog batches allowed in flight at `nowMs` (judging the load's window when it has ended). */
  backfillAllowed(nowMs: number): number {
    if (!this.utilization) return this.limits.maxBackfillInFlight;
    this.governor ??= initialBackfillGovernor(nowMs);
    if (windowEnded(this.governor, nowMs, this.governorPolicy)) {
      const seen = { utilization: this.utilization(), livePushes: this.livePushesInWindow, backfillRefused: this.backfillRefusedInWindow };
      this.governor = nextBackfillGovernor(this.governor, seen, nowMs, this.governorPolicy);
      this.livePushesInWindow = 0;
      this.backfillRefusedInWindow = false;
    }
    return this.governor.allowed;
  }

  /** Batches in flight now, in all. */
  get inFlight(): number {
    return this.total;
  }

  /** Backfill batches in flight now. */
  get backfillInFlight(): number {
    return this.backfill;
  }

  /** Takes a slot for a `kind` push of `site` at `nowMs`, or says why not. */
  take(site: string, kind: PushKind, nowMs: number): { slot: IngestSlot } | SlotRefusal {
    const siteCount = this.bySite.get(site) ?? 0;
    if (siteCount >= this.limits.maxPerSite) return { refusal: `site '${site}' already has ${siteCount} batches in flight; send one at a time`, retryAfterS: 1 };
    if (this.total >= this.limits.maxInFlight) return { refusal: `the collector is handling ${this.total} batches; retry later`, retryAfterS: 1 };
    const allowed = this.backfillAllowed(nowMs);
    if (kind === "backfill") {
      if (this.backfill >= allowed) return this.refuseBackfill(site, nowMs, allowed);
      this.waitingBackfill.delete(site);
      this.backfill++;
    } else {
      this.livePushesInWindow++;
    }
    this.total++;
    this.bySite.set(site, siteCount + 1);
    let released = false;
    return {
      slot: {
        release: () => {
          if (released) return;
          released = true;
          this.total--;
          if (kind === "backfill") this.backfill--;
          const left = (this.bySite.get(site) ?? 1) - 1;
          if (left > 0) this.bySite.set(site, left);
          else this.bySite.delete(site);
        },
      },
    };
  }

  private refuseBackfill(site: string, nowMs: number, allowed: number): SlotRefusal {
    this.backfillRefusedInWindow = true;
    if (nowMs - this.lastSweepMs >= SWEEP_EVERY_MS) {
      this.lastSweepMs = nowMs;
      for (const [waiting, refusedMs] of this.waitingBackfill) if (nowMs - refusedMs > WAITING_MEMORY_MS) this.waitingBackfill.delete(waiting);
    }
    this.waitingBackfill.set(site, nowMs);
    const retryAfterS = backfillRetryAfterS(this.waitingBackfill.size, Math.max(1, allowed));
    const most = allowed === this.limits.maxBackfillInFlight ? "its most" : `its most at this load (${allowed} of ${this.limits.maxBackfillInFlight})`;
    return {
      refusal: `the collector is handling ${this.backfill} backlog batches, ${most} (${this.waitingBackfill.size} backfilling sites waiting); live pushes go first, retry in ${retryAfterS} s`,
      retryAfterS,
    };
  }
}
