import type { LinkChange, StateEngine } from "../state/stateEngine.js";
import type { FittedBatch } from "./fitBatch.js";

/**
 * Stage 5 of ingest (authenticate → parse → fit → write → judge → publish), run once the batch is stored: records the
 * site's contact (last push, clock, spool accounting, refused records), adopts the agent's snapshot when the site was
 * silent or never seen, and judges the batch's samples. Returns the link changes (possibly none) and whether this was
 * the site's first contact. Work proportional to the batch.
 */
export function judgeBatch(batch: FittedBatch, engine: StateEngine): { changes: LinkChange[]; firstContact: boolean } {
  const { parsed, site, clock, receivedAt } = batch;
  const { envelope } = parsed;
  const wasSilentOrNew = ["silent", "unknown"].includes(engine.siteState(site, receivedAt));
  const previous = engine.contact(site.id);
  engine.recordContact({
    site: site.id,
    lastSeenTs: receivedAt,
    clockOffsetMs: clock.offsetMs,
    pushIntervalMs: envelope.pushIntervalMs,
    // The agent counts this batch's own records as pending (they are not acknowledged when it sends them); once
    // the batch is stored, the backlog still to come is the rest. Otherwise a backfill would never look complete.
    pendingRecords: Math.max(0, envelope.spool.pendingRecords - parsed.recordCount),
    droppedRecords: envelope.spool.droppedRecords,
    lastSeq: parsed.lastSeq ?? previous?.lastSeq ?? 0,
    viaLink: envelope.viaLink ?? null,
    clockCorrectionMs: clock.correctionMs,
    refusedRecords: (previous?.refusedRecords ?? 0) + batch.refused.length,
    agentRefusedRecords: envelope.spool.refusedRecords ?? null,
  });
  const changes =
    wasSilentOrNew && envelope.snapshot ? engine.adoptSnapshot(site.id, envelope.snapshot, envelope.sentAt + clock.correctionMs, clock.correctionMs) : [];
  changes.push(...engine.observe(site.id, batch.samples));
  return { changes, firstContact: previous === null };
}
