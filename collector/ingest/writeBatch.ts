import { StoreUnavailableError, type StoreBreaker } from "../health/storeBreaker.js";
import type { SampleRecord, SampleStore, SampleWriteResult } from "../store/samples/sampleStore.js";
import type { MetadataStore, WriteResult } from "../store/store.js";
import type { FittedBatch } from "./fitBatch.js";

/**
 * Stage 4 of ingest (authenticate → parse → fit → **write** → judge → publish): how storing a batch's records went.
 * `written`: every record is durably held (new or already stored, or past the raw retention: `expired`);
 * `store_unavailable`: a store cannot take writes now (the agent keeps the batch and resends it; `store` says which);
 * `failed`: the write failed for another reason (a bug, a constraint, a bad point).
 */
export type WriteOutcome =
  | { kind: "written"; samples: SampleWriteResult; events: WriteResult }
  | { kind: "store_unavailable"; store: "samples" | "metadata" }
  | { kind: "failed"; err: unknown };

/** Where a batch is written: the sample store and the metadata store, each behind its breaker. */
export interface BatchStores {
  samples: Pick<SampleStore, "write" | "isUnavailableError">;
  sampleBreaker: Pick<StoreBreaker, "writeAsync">;
  metadata: Pick<MetadataStore, "writeEvents" | "isUnavailableError">;
  metadataBreaker: Pick<StoreBreaker, "write">;
}

const NO_SAMPLES: SampleWriteResult = Object.freeze({ written: 0, duplicates: 0, expired: 0 });
const NO_EVENTS: WriteResult = Object.freeze({ inserted: 0, duplicates: 0 });

/**
 * The batch's samples as the sample store takes them: each with its link's provider from the site's configuration
 * (null for LAN samples, which have no link).
 */
export function sampleRecordsOf(batch: FittedBatch): SampleRecord[] {
  const providers = new Map(batch.site.links.map((link) => [link.id, link.provider]));
  return batch.samples.map(({ site, ts, agentTs, sample }) => ({ site, ts, agentTs, sample, provider: sample.link === null ? null : (providers.get(sample.link) ?? null) }));
}

/**
 * Writes the batch's samples to the sample store (awaited, through its breaker), then its events to the metadata
 * store (through the metadata breaker); both idempotent. The batch is acknowledged only once both succeeded (the
 * caller judges and answers after this): after a partial failure (samples stored, events not) the agent resends the
 * whole batch, and its samples are then duplicates by identity, stored nothing twice. Never throws (never rejects).
 */
export async function writeBatch(batch: FittedBatch, stores: BatchStores): Promise<WriteOutcome> {
  let samples: SampleWriteResult = NO_SAMPLES;
  if (batch.samples.length > 0) {
    try {
      const records = sampleRecordsOf(batch);
      samples = await stores.sampleBreaker.writeAsync(() => stores.samples.write(records));
    } catch (err) {
      // A store failure opened the breaker, which logged it once, or was refused by it without touching the store.
      if (err instanceof StoreUnavailableError || stores.samples.isUnavailableError(err)) return { kind: "store_unavailable", store: "samples" };
      return { kind: "failed", err };
    }
  }
  // Nothing to write is not a write: through a half-open breaker it would count as the store taking writes again.
  if (batch.events.length === 0) return { kind: "written", samples, events: NO_EVENTS };
  try {
    const events = stores.metadataBreaker.write(() => stores.metadata.writeEvents(batch.events));
    return { kind: "written", samples, events };
  } catch (err) {
    if (err instanceof StoreUnavailableError || stores.metadata.isUnavailableError(err)) return { kind: "store_unavailable", store: "metadata" };
    return { kind: "failed", err };
  }
}
