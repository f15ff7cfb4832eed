import type { Logger } from "../../config/logger.js";
import { PROTOCOL_VERSION } from "../../protocol/version.js";
import type { IngestBatch, LinkSnapshot } from "../../protocol/ingest.js";
import type { SpooledRecord } from "../spool/spooledRecord.js";
import { backoffDelayMs, parseRetryAfterMs } from "./backoff.js";
import { afterAcknowledged, afterRefusal, type IsolationState } from "./badRecordIsolation.js";
import { seqAt, splitRecords } from "./batchRecords.js";
import { namedRecord } from "./ingestAnswer.js";
import { pushBatch, type PushOutcome } from "./pushBatch.js";
import { pushRoutes, type PushLink } from "./pushRoutes.js";
import { setAside, settleBatch, type RefusedRecordSink } from "./settleBatch.js";
import { deadlineSignal } from "../deadlineSignal.js";

/** How long the uplink sends protocol version 1 after a collector refused the current version, ms. */
export const VERSION_RETRY_MS = 3_600_000;

export type { RefusedRecordSink } from "./settleBatch.js";

/** The part of the spool the uplink uses: records parsed as they are read back (see agent/spool/spooledRecord.ts). */
export interface UplinkSpool {
  readPending(limit: number): SpooledRecord[];
  /** Throws on I/O errors (the previous ack then still stands). */
  ack(lastSeq: number): void;
  stats(): { pendingRecords: number; droppedRecords: number };
}

/** How the uplink is doing, for the local status page and logs. Times UTC ms. */
export interface UplinkStatus {
  lastPushOkTs: number | null;
  lastAttemptTs: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  collectorUrl: string | null;
  /** The link that carried the last successful push (null: the routing table chose). */
  viaLink: string | null;
}

/** Settings and collaborators of the uplink. Durations in ms. */
export interface UplinkOptions {
  site: string;
  agentVersion: string;
  urls: readonly string[];
  token: string;
  pushIntervalMs: number;
  batchSize: number;
  requestTimeoutMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  spool: UplinkSpool;
  /** Where records the collector refuses are set aside. */
  refused: RefusedRecordSink;
  snapshot: () => LinkSnapshot[];
  /** The WAN links a push may leave through, with their state; empty: the routing table decides. */
  pushLinks: () => PushLink[];
  logger: Logger;
  now: () => number;
  random?: () => number;
}

/**
 * Sends the spool to the collector, oldest first: a batch every push interval when caught up, back to back while
 * backfilling, with jittered exponential backoff (and Retry-After) on failure, trying each collector URL in turn.
 * A batch is acknowledged in the spool only once the collector has stored it, except the records it refused, which are
 * set aside (see {@link settleBatch}). A record a collector keeps refusing with a 400 naming it (protocol version 1) is
 * isolated and set aside after a few tries ({@link afterRefusal}); a collector that refuses protocol version 2 is
 * sent version 1 from then on. Nothing compares the collector's `lastSeq` with the spool's seqs: they restart when
 * the spool directory is lost.
 */
export class Uplink {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly stopController = new AbortController();
  private wake: (() => void) | null = null;
  private urlIndex = 0;
  private urgent = false;
  private batchSize: number;
  private wireVersion: IngestBatch["version"] = PROTOCOL_VERSION;
  /** When the uplink fell back to version 1 (UTC ms): it tries the current version again after {@link VERSION_RETRY_MS}. */
  private fellBackAt = 0;
  private isolation: IsolationState | null = null;
  /** While isolating a refused record: send only the records before this seq. */
  private sendBefore: number | null = null;
  private readonly state: UplinkStatus = { lastPushOkTs: null, lastAttemptTs: null, lastError: null, consecutiveFailures: 0, collectorUrl: null, viaLink: null };

  constructor(private readonly options: UplinkOptions) {
    this.batchSize = options.batchSize;
  }

  /** Starts pushing in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New records are in the spool: push now if a full batch is waiting (never cuts a backoff short). */
  notify(): void {
    if (this.state.consecutiveFailures === 0 && this.options.spool.stats().pendingRecords >= this.batchSize) this.wake?.();
  }

  /**
   * Something the province should see at once happened (a link changed state): push what is pending now instead of
   * at the next push interval. Never cuts a backoff short.
   */
  pushSoon(): void {
    if (this.state.consecutiveFailures > 0) return;
    this.urgent = true;
    this.wake?.();
  }

  /** A copy of the current status. */
  status(): UplinkStatus {
    return { ...this.state };
  }

  /** Stops: aborts a request under way (its batch stays in the spool) and waits for the loop to end. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopController.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let lastPushTs = 0;
    // After a full batch there may be more: keep sending back to back until a batch comes out short.
    let backfilling = false;
    while (this.running) {
      const records = this.pendingBatch();
      const idleFor = this.options.now() - lastPushTs;
      if (!backfilling && !this.urgent && records.length < this.batchSize && idleFor < this.options.pushIntervalMs) {
        await this.sleep(this.options.pushIntervalMs - idleFor);
        continue;
      }
      this.urgent = false;
      const outcome = await this.pushOnce(records);
      if (!this.running) break;
      if (outcome.kind === "acknowledged") {
        const acked = settleBatch(records, outcome.refused, { ack: (seq) => this.options.spool.ack(seq), refused: this.options.refused, logger: this.options.logger, now: this.options.now });
        if (records.length > 0) this.isolation = afterAcknowledged(this.isolation, records.at(-1)!.seq);
        lastPushTs = this.options.now();
        backfilling = !acked || records.length >= this.batchSize || this.sendBefore !== null;
        this.options.logger.debug("pushed", {
          url: this.state.collectorUrl,
          via: this.state.viaLink,
          status: outcome.status,
          samples: records.length,
          refused: outcome.refused.length,
          lastSeq: records.at(-1)?.seq ?? null,
          pending: this.options.spool.stats().pendingRecords,
        });
        this.noteSuccess();
        continue;
      }
      const delay = this.noteFailure(outcome);
      if (outcome.status === 400 && this.handleRefusal(records, outcome)) continue;
      await this.sleep(delay);
    }
  }

  /** The records to send next: a batch from the spool, cut before a record being isolated. */
  private pendingBatch(): SpooledRecord[] {
    const records = this.options.spool.readPending(this.batchSize);
    if (this.sendBefore === null) return records;
    const before = records.filter((record) => record.seq < this.sendBefore!);
    if (before.length > 0) return before;
    this.sendBefore = null;
    return records;
  }

  /**
   * After a 400: falls back to protocol version 1 when the collector refuses the version, or steps the isolation of
   * a record the 400 names. Returns true when the next attempt should go at once (no backoff).
   */
  private handleRefusal(records: readonly SpooledRecord[], outcome: Extract<PushOutcome, { kind: "retry" }>): boolean {
    const message = outcome.message ?? "";
    if (this.wireVersion !== 1 && /(^|; )version: /.test(message)) {
      this.wireVersion = 1;
      this.fellBackAt = this.options.now();
      this.options.logger.warn("collector does not accept protocol version 2; sending version 1", { url: this.state.collectorUrl, reason: outcome.reason, retryCurrentInMs: VERSION_RETRY_MS });
      this.urgent = true;
      return true;
    }
    const named = namedRecord(message);
    const namedSeq = named ? seqAt(records, named.list, named.index) : null;
    const { state, step } = afterRefusal(this.isolation, namedSeq, records[0]?.seq ?? 0);
    this.isolation = state;
    if (step.kind === "retry") return false;
    this.urgent = true;
    if (step.kind === "sendBefore") {
      this.sendBefore = step.seq;
      this.options.logger.warn("collector keeps refusing a batch for one record; sending the records before it", { seq: step.seq, reason: outcome.reason });
      return true;
    }
    const refusal = { seq: step.seq, error: outcome.error ?? "http_400", message };
    setAside(records, [refusal], { refused: this.options.refused, logger: this.options.logger, now: this.options.now });
    try {
      this.options.spool.ack(step.seq);
    } catch (err) {
      this.options.logger.error("spool could not persist an acknowledgement; the record will be sent again", { lastSeq: step.seq, err });
      return false;
    }
    return true;
  }

  /**
   * One attempt: tries each way to the collector in turn (links that are up first, then the routing table) until
   * one gets an answer; a network failure on one link moves on to the next.
   */
  private async pushOnce(records: readonly SpooledRecord[]): Promise<PushOutcome> {
    const url = this.options.urls[this.urlIndex % this.options.urls.length]!;
    this.state.lastAttemptTs = this.options.now();
    this.state.collectorUrl = url;
    let outcome: PushOutcome = { kind: "retry", status: null, retryAfter: null, reason: "no route", tooLarge: false };
    for await (const route of pushRoutes(new URL(url), this.options.pushLinks(), this.stopController.signal)) {
      if ("skipped" in route) {
        this.options.logger.debug("push cannot use link", { link: route.skipped, reason: route.reason });
        continue;
      }
      // An upgraded collector takes the current version again: try it once an hour (a refusal falls back at once).
      if (this.wireVersion !== PROTOCOL_VERSION && this.options.now() - this.fellBackAt >= VERSION_RETRY_MS) this.wireVersion = PROTOCOL_VERSION;
      const spoolStats = this.options.spool.stats();
      const batch: IngestBatch = {
        version: this.wireVersion,
        site: this.options.site,
        agentVersion: this.options.agentVersion,
        sentAt: this.options.now(),
        pushIntervalMs: this.options.pushIntervalMs,
        spool: {
          pendingRecords: spoolStats.pendingRecords,
          droppedRecords: spoolStats.droppedRecords,
          // Version 1 collectors refuse keys they do not know.
          ...(this.wireVersion >= 2 ? { refusedRecords: this.options.refused.total() } : {}),
        },
        snapshot: this.options.snapshot(),
        ...(route.link ? { viaLink: route.link } : {}),
        ...splitRecords(records),
      };
      const deadline = deadlineSignal(this.stopController.signal, this.options.requestTimeoutMs);
      try {
        // The spool counts this batch's records as pending until they are acknowledged.
        const backlogRecords = Math.max(0, spoolStats.pendingRecords - records.length);
        outcome = await pushBatch(url, this.options.token, batch, { localAddress: route.localAddress, signal: deadline.signal, backlogRecords });
      } finally {
        deadline.release();
      }
      if (outcome.kind === "acknowledged") this.state.viaLink = route.link;
      if (outcome.kind === "acknowledged" || outcome.status !== null || !this.running) return outcome;
      this.options.logger.debug("push over link failed", { link: route.link, reason: outcome.reason });
    }
    return outcome;
  }

  private noteSuccess(): void {
    if (this.state.consecutiveFailures > 0) {
      this.options.logger.info("collector reachable again", { url: this.state.collectorUrl, after: this.state.consecutiveFailures });
    }
    this.state.lastPushOkTs = this.options.now();
    this.state.lastError = null;
    this.state.consecutiveFailures = 0;
    this.batchSize = Math.min(this.options.batchSize, this.batchSize * 2);
  }

  /** Records a failed attempt and returns how long to wait before the next one, ms. */
  private noteFailure(outcome: Extract<PushOutcome, { kind: "retry" }>): number {
    const attempt = this.state.consecutiveFailures;
    this.state.consecutiveFailures++;
    this.state.lastError = outcome.reason;
    if (outcome.tooLarge) this.batchSize = Math.max(1, Math.floor(this.batchSize / 2));
    if (outcome.status === null) this.urlIndex++;
    const retryAfter = parseRetryAfterMs(outcome.retryAfter, this.options.now(), this.options.maxBackoffMs);
    const delay = retryAfter ?? backoffDelayMs(attempt, this.options.minBackoffMs, this.options.maxBackoffMs, this.options.random);
    this.options.logger.warn("push failed", { url: this.state.collectorUrl, status: outcome.status, reason: outcome.reason, attempt: attempt + 1, retryInMs: delay });
    return delay;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}
