import { StoreUnavailableError, type StoreBreaker } from "../health/storeBreaker.js";
import type { Store, WriteResult } from "../store/store.js";
import type { FittedBatch } from "./fitBatch.js";

/**
 * Stage 4 of ingest (authenticate → parse → fit → **write** → judge → publish): how storing a batch's records went.
 * `written`: every record is durably held (new or already stored); `store_unavailable`: the store cannot take writes
 * now (the agent keeps the batch and resends it); `failed`: the write failed for another reason (a bug, a constraint).
 */
export type WriteOutcome =
  | { kind: "written"; samples: WriteResult; events: WriteResult }
  | { kind: "store_unavailable" }
  | { kind: "failed"; err: unknown };

/**
 * Writes the batch's samples and events through the store breaker (idempotently: a record already held is counted as
 * a duplicate). Never throws.
 */
export function writeBatch(batch: FittedBatch, store: Pick<Store, "writeSamples" | "writeEvents" | "isUnavailableError">, breaker: Pick<StoreBreaker, "write">): WriteOutcome {
  try {
    return breaker.write(() => ({ kind: "written" as const, samples: store.writeSamples(batch.samples), events: store.writeEvents(batch.events) }));
  } catch (err) {
    // A store failure opened the breaker, which logged it once, or was refused by it without touching the store.
    if (err instanceof StoreUnavailableError || store.isUnavailableError(err)) return { kind: "store_unavailable" };
    return { kind: "failed", err };
  }
}
