import { z } from "zod";
import { identifierSchema, sampleSchema } from "./sample.js";
import { ACCEPTED_PROTOCOL_VERSIONS } from "./version.js";
import { linkStateSchema } from "./linkState.js";
import { agentEventSchema } from "./event.js";

/** Most samples one batch may carry. */
export const MAX_SAMPLES_PER_BATCH = 5000;

/**
 * The agent's current view of one link, sent with every batch so that a site that was `silent`
 * shows its links at once after reconnecting, before the backlog has been replayed.
 */
export const linkSnapshotSchema = z.strictObject({
  link: identifierSchema,
  state: linkStateSchema,
  sinceTs: z.number().int().nonnegative(),
});

/**
 * What an agent POSTs to /api/v1/ingest.
 * - `sentAt`: the agent's clock (UTC ms) when this attempt was sent; the collector derives the clock offset from it.
 * - `pushIntervalMs`: how often the agent pushes when it is caught up; the collector calls the site silent
 *   after three intervals without a push.
 * - `spool`: the agent's spool accounting (records still unsent, records dropped because the spool was full or a
 *   segment was corrupt, and since version 2 records set aside because the collector refused them).
 * - `samples`: in increasing `seq` order, oldest first; `events` likewise (the two share one seq sequence).
 */
export const ingestBatchSchema = z.strictObject({
  version: z.union(ACCEPTED_PROTOCOL_VERSIONS.map((v) => z.literal(v))),
  site: identifierSchema,
  agentVersion: z.string().max(64).optional(),
  sentAt: z.number().int().positive(),
  pushIntervalMs: z.number().int().min(1000).max(3_600_000),
  spool: z.strictObject({
    pendingRecords: z.number().int().nonnegative(),
    droppedRecords: z.number().int().nonnegative(),
    refusedRecords: z.number().int().nonnegative().optional(),
  }),
  snapshot: z.array(linkSnapshotSchema).max(64).optional(),
  samples: z.array(sampleSchema).max(MAX_SAMPLES_PER_BATCH),
  /** Connectivity decisions, in seq order; seqs are shared with samples (one sequence per site). */
  events: z.array(agentEventSchema).max(MAX_SAMPLES_PER_BATCH).optional(),
  /** The link whose source address this push was sent from, when the agent bound it to one. */
  viaLink: identifierSchema.optional(),
});

/**
 * HTTP request header of a push: the records still pending in the agent's spool after this batch's own (a decimal
 * integer ≥ 0). More than 0 marks a push that carries backlog (the agent is backfilling after an outage); 0, or no
 * header at all (agents before it existed), is a live push. The collector reads it before the body, to decide which
 * of its slots the push may take (`ingest.max_backfill_in_flight`); it never changes what is stored.
 */
export const BACKLOG_HEADER = "Wardwatch-Backlog";

/** The {@link BACKLOG_HEADER} value: digits only (at most 15, so the number is exact), as a count of records. */
export const backlogHeaderSchema = z
  .string()
  .regex(/^[0-9]{1,15}$/, `${BACKLOG_HEADER} must be a whole number of records (digits only)`)
  .transform(Number);

/** A record as the batch envelope sees it: any object with its seq; its kind's schema is applied to it alone. */
const envelopeRecordSchema = z.looseObject({ seq: z.number().int().nonnegative() });

/**
 * What the collector parses a batch with first: everything of {@link ingestBatchSchema} but the records, which need
 * only be objects with an integer `seq`. A fault here concerns the whole batch (400); each record is then parsed on
 * its own against its kind's schema, and one that fails is refused alone (see {@link RefusedRecord}).
 */
export const ingestEnvelopeSchema = ingestBatchSchema.extend({
  samples: z.array(envelopeRecordSchema).max(MAX_SAMPLES_PER_BATCH),
  events: z.array(envelopeRecordSchema).max(MAX_SAMPLES_PER_BATCH).optional(),
});

/** A batch whose records are not parsed yet, see {@link ingestEnvelopeSchema}. */
export type IngestEnvelope = z.infer<typeof ingestEnvelopeSchema>;

/**
 * Why a record was refused: it fails its kind's schema (`invalid_record`), names a link the collector's file does not
 * list for the site (`unknown_link`), or is stamped after its batch's send time (`ts_after_send`) or longer before it
 * than the collector keeps (`ts_too_old`).
 */
export const REFUSED_RECORD_ERRORS = ["invalid_record", "unknown_link", "ts_after_send", "ts_too_old"] as const;

/** See {@link REFUSED_RECORD_ERRORS}. */
export type RefusedRecordError = (typeof REFUSED_RECORD_ERRORS)[number];

/** A batch as the agent sends it, see {@link ingestBatchSchema}. */
export type IngestBatch = z.infer<typeof ingestBatchSchema>;

/** A link snapshot, see {@link linkSnapshotSchema}. */
export type LinkSnapshot = z.infer<typeof linkSnapshotSchema>;

/**
 * A record of an accepted batch that the collector will never take (it fails its kind's schema, names a link the
 * collector does not know, or is stamped outside the bounds of the batch's send time). `error` is a stable code,
 * `message` says what is wrong. The agent acknowledges it with the batch and sets it aside (counted, shown), so one bad
 * record never holds back the rest. A version-1 agent does not read `refused`: it acknowledges the whole batch, so its
 * refused records are dropped at the agent (and counted at the collector).
 */
export interface RefusedRecord {
  seq: number;
  /** One of {@link REFUSED_RECORD_ERRORS}; a string, so an agent keeps working when a later collector adds a code. */
  error: string;
  message: string;
}

/**
 * The collector's answer to an accepted batch (HTTP 200). Every record in the batch is durably stored (new or already
 * held) or listed in `refused` when this is sent, so the agent may acknowledge through `lastSeq`.
 */
export interface IngestAccepted {
  accepted: number;
  duplicates: number;
  lastSeq: number | null;
  /** Collector clock minus agent clock, ms (positive: the agent is behind). */
  clockOffsetMs: number;
  /** Records not taken (version 2; empty when all were). */
  refused: RefusedRecord[];
}

/**
 * Error body of every non-2xx answer. `error` is a stable code; `message` says what is wrong.
 * A 409 with `error: "replay"` means every sample of the batch was already stored: the agent treats it as acknowledged.
 */
export interface ApiError {
  error: string;
  message: string;
}
