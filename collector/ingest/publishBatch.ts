import type { Logger } from "../../config/logger.js";
import type { ApiError, IngestAccepted } from "../../protocol/ingest.js";
import type { CollectorMetrics } from "../metrics.js";
import type { LinkChange } from "../state/stateEngine.js";
import type { SampleWriteResult } from "../store/samples/sampleStore.js";
import type { WriteResult } from "../store/store.js";
import type { FittedBatch } from "./fitBatch.js";

/** What publishing needs: metrics, the log, and the collector's hook for a site just updated. */
export interface PublishDeps {
  metrics: Pick<CollectorMetrics, "ingestBatches" | "ingestSamples" | "ingestRefusedRecords">;
  logger: Logger;
  /** Called with the link changes the batch caused (possibly none): persists state, publishes it, evaluates incidents. */
  onSiteUpdated: (site: string, changes: LinkChange[]) => void;
}

/** The answer to a stored batch: 200 with what was taken, or 409 `replay` when every record was already held. */
export type IngestAnswer = { status: 200; body: IngestAccepted } | { status: 409; body: ApiError };

/**
 * Stage 6 of ingest (authenticate → parse → fit → write → judge → **publish**): counts the batch (samples inserted,
 * duplicate and expired, records refused by reason), logs refused records and expired samples (one line per batch
 * each), hands the changes on, and builds the answer. A batch is a replay (409, which agents treat as acknowledged)
 * when it has records, none refused, no event new, and the sample store counted every sample a duplicate (docs/
 * storage.md: a store that cannot tell duplicates, `duplicates: null`, never makes a replay: 200 with
 * `duplicates: 0`); otherwise 200, listing the refused records (a version-1 agent ignores the list and acknowledges
 * them with the batch: they are counted here and in the site's contact, not kept anywhere).
 */
export function publishBatch(deps: PublishDeps, batch: FittedBatch, written: { samples: SampleWriteResult; events: WriteResult }, changes: LinkChange[]): IngestAnswer {
  const { metrics, logger } = deps;
  const { parsed, site, refused } = batch;
  const sampleDuplicates = written.samples.duplicates ?? 0;
  metrics.ingestSamples.inc({ result: "inserted" }, written.samples.written);
  metrics.ingestSamples.inc({ result: "duplicate" }, sampleDuplicates);
  metrics.ingestSamples.inc({ result: "expired" }, written.samples.expired);
  if (written.samples.expired > 0) {
    logger.warn("samples past the raw retention not stored", { site: site.id, expired: written.samples.expired });
  }
  for (const record of refused) metrics.ingestRefusedRecords.inc({ reason: record.error });
  if (refused.length > 0) {
    logger.warn("records refused", {
      site: site.id,
      version: parsed.envelope.version,
      refused: refused.length,
      first: refused[0],
      // A version-1 agent cannot set them aside: it acknowledges them with the batch.
      setAsideByAgent: parsed.envelope.version >= 2,
    });
  }
  deps.onSiteUpdated(site.id, changes);

  const inserted = written.samples.written + written.events.inserted;
  const allSamplesHeld = written.samples.duplicates === batch.samples.length;
  if (parsed.recordCount > 0 && allSamplesHeld && written.events.inserted === 0 && refused.length === 0) {
    metrics.ingestBatches.inc({ result: "replay" });
    return { status: 409, body: { error: "replay", message: `all ${parsed.recordCount} records of the batch are already stored` } };
  }
  metrics.ingestBatches.inc({ result: "accepted" });
  return {
    status: 200,
    body: {
      accepted: inserted,
      duplicates: sampleDuplicates + written.events.duplicates,
      lastSeq: parsed.lastSeq,
      clockOffsetMs: batch.clock.offsetMs,
      refused,
    },
  };
}
