import type { Logger } from "../../config/logger.js";
import type { RefusedRecord } from "../../protocol/ingest.js";
import type { SetAsideRecord } from "../spool/refusedRecords.js";
import { wireRecord, type SpooledRecord } from "../spool/spooledRecord.js";

/** Where refused records go: kept durably and counted (see agent/spool/refusedRecords.ts). */
export interface RefusedRecordSink {
  /** Keeps `records`, on disk when this returns; throws on I/O errors (they are counted all the same). */
  setAside(records: readonly SetAsideRecord[]): void;
  /** Records set aside since the spool directory was created. */
  total(): number;
}

/** What settling a batch needs: the spool to acknowledge in, where refused records go, a logger and the clock (UTC ms). */
export interface SettleDeps {
  ack(lastSeq: number): void;
  refused: RefusedRecordSink;
  logger: Logger;
  now: () => number;
}

/**
 * Settles a batch the collector answered: sets the records it refused aside (each logged once at warn with the
 * collector's error and message), then acknowledges the batch through its last seq. A refused seq that is not in the
 * batch is ignored (logged): the collector's seqs are never compared with the agent's otherwise. Never throws: a
 * failure to write the refused records is logged and the batch is acknowledged all the same (a record the collector
 * will never take must not hold back the site); a failed ack is logged and the batch is sent again (the collector
 * answers duplicates). Returns whether the ack was persisted.
 */
export function settleBatch(records: readonly SpooledRecord[], refused: readonly RefusedRecord[], deps: SettleDeps): boolean {
  const last = records.at(-1);
  if (!last) return true;
  if (refused.length > 0) setAside(records, refused, deps);
  try {
    deps.ack(last.seq);
    return true;
  } catch (err) {
    deps.logger.error("spool could not persist an acknowledgement; the batch will be sent again", { lastSeq: last.seq, err });
    return false;
  }
}

/** Sets aside the records of `records` named in `refused`, logging each. */
export function setAside(records: readonly SpooledRecord[], refused: readonly RefusedRecord[], deps: Omit<SettleDeps, "ack">): void {
  const bySeq = new Map(records.map((record) => [record.seq, record]));
  const entries: SetAsideRecord[] = [];
  const refusedAt = deps.now();
  for (const refusal of refused) {
    const record = bySeq.get(refusal.seq);
    if (!record) {
      deps.logger.warn("collector refused a seq that is not in the batch; ignored", { seq: refusal.seq, error: refusal.error });
      continue;
    }
    bySeq.delete(refusal.seq);
    entries.push({ seq: refusal.seq, refusedAt, error: refusal.error, message: refusal.message, record: wireRecord(record.body) });
    deps.logger.warn("collector refused a record; set aside", { seq: refusal.seq, kind: record.body.kind, error: refusal.error, reason: refusal.message });
  }
  try {
    deps.refused.setAside(entries);
  } catch (err) {
    deps.logger.error("could not write refused records to the spool directory; they are counted but not kept", { records: entries.length, err });
  }
}
