/**
 * A simulated site's spool: the seq accounting of the real agent's spool without the files. Every round period gets
 * the next `samplesPerPeriod` seqs (strictly increasing, never reused); records stay pending until the collector's
 * answer acknowledges them through its `lastSeq`. A backlog (the periods of an outage) is only counted when added;
 * its samples are generated when read, oldest first, so a 72 h backlog of many sites costs no memory.
 */
import type { Sample } from "../protocol/sample.js";
import { periodSamples } from "./periodSamples.js";
import type { SiteModel } from "./siteModel.js";

/** Spool accounting as the agent reports it in every batch. */
export interface SimulatedSpoolStats {
  pendingRecords: number;
  droppedRecords: number;
}

/** See the module comment. Seqs start at 1; period `p` holds seqs `p × samplesPerPeriod + 1 …`. */
export class SimulatedSpool {
  /** The backlog's periods: how many, the first one's start (UTC ms), the time between them (ms). */
  private backlog = { periods: 0, firstTs: 0, intervalMs: 0 };
  /** Start (UTC ms) of every recorded (live) period, which follow the backlog's. */
  private readonly liveTs: number[] = [];
  private ackedThroughSeq = 0;
  /** Records ever handed out by {@link readPending} (the highest seq read so far). */
  private readThroughSeq = 0;

  constructor(private readonly site: SiteModel) {}

  /**
   * Adds `periods` round periods of an outage, every `intervalMs`, the last one starting `intervalMs` before
   * `endTs` (UTC ms). Only before the first period is recorded: a backlog is older than anything live.
   */
  addBacklog(periods: number, endTs: number, intervalMs: number): void {
    if (this.liveTs.length > 0 || this.backlog.periods > 0) throw new Error(`site ${this.site.id}: a backlog can only be added once, before the first recorded period`);
    this.backlog = { periods, firstTs: endTs - periods * intervalMs, intervalMs };
  }

  /** One round period, its rounds starting at `ts` (UTC ms), ran: its samples get the next seqs. */
  recordPeriod(ts: number): void {
    this.liveTs.push(ts);
  }

  /** Periods with seqs: the backlog's, then the recorded ones. */
  periods(): number {
    return this.backlog.periods + this.liveTs.length;
  }

  /** Start of period `period` (UTC ms). */
  private periodStartTs(period: number): number {
    const { periods, firstTs, intervalMs } = this.backlog;
    return period < periods ? firstTs + period * intervalMs : this.liveTs[period - periods]!;
  }

  /** The highest seq given to any record so far (0: none). */
  lastSeq(): number {
    return this.periods() * this.site.samplesPerPeriod;
  }

  /** The highest seq the collector has acknowledged (0: none). */
  acknowledgedSeq(): number {
    return this.ackedThroughSeq;
  }

  /** The highest seq ever read for sending (0: none); records after it were never sent. */
  sentThroughSeq(): number {
    return this.readThroughSeq;
  }

  /** The last seq {@link readPending} with `limit` would return now (`acknowledgedSeq()` when nothing is pending). */
  pendingThroughSeq(limit: number): number {
    return Math.min(this.lastSeq(), this.ackedThroughSeq + limit);
  }

  /** Up to `limit` pending records, oldest first, generated now (the same values every time they are read). */
  readPending(limit: number): Sample[] {
    const spp = this.site.samplesPerPeriod;
    const from = this.ackedThroughSeq + 1;
    const to = Math.min(this.lastSeq(), this.ackedThroughSeq + limit);
    const records: Sample[] = [];
    for (let period = Math.floor((from - 1) / spp); period * spp < to; period++) {
      const firstSeq = period * spp + 1;
      for (const sample of periodSamples(this.site, period, this.periodStartTs(period), firstSeq)) {
        if (sample.seq >= from && sample.seq <= to) records.push(sample);
      }
    }
    this.readThroughSeq = Math.max(this.readThroughSeq, to);
    return records;
  }

  /** The collector holds every record through `lastSeq`: they are no longer pending. Never goes backwards. */
  ack(lastSeq: number): void {
    if (lastSeq > this.lastSeq()) throw new Error(`site ${this.site.id}: acknowledged seq ${lastSeq} was never given (last ${this.lastSeq()})`);
    this.ackedThroughSeq = Math.max(this.ackedThroughSeq, lastSeq);
  }

  /** Pending (unacknowledged) records and dropped records (a simulated spool never drops). */
  stats(): SimulatedSpoolStats {
    return { pendingRecords: this.lastSeq() - this.ackedThroughSeq, droppedRecords: 0 };
  }
}
