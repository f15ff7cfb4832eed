import type { z } from "zod";
import { formatKeyPath } from "../../config/loader.js";
import { agentEventSchema, type AgentEvent } from "../../protocol/event.js";
import { ingestEnvelopeSchema, type IngestEnvelope, type RefusedRecord } from "../../protocol/ingest.js";
import { sampleSchema, type Sample } from "../../protocol/sample.js";

/** Why a batch as a whole cannot be taken: an HTTP status, a stable API error code and a message naming the problem. */
export interface BatchProblem {
  status: number;
  error: string;
  message: string;
}

/** A record that passed its kind's schema, with its place in the batch (for messages naming it). */
export interface ParsedRecord<T> {
  /** Index in the batch's `samples` or `events` array. */
  index: number;
  record: T;
}

/**
 * Stage 2 of ingest (authenticate → **parse** → fit → write → judge → publish): a batch whose envelope is valid, its
 * records parsed one by one. `refused` holds the records that failed their kind's schema; the others go on.
 */
export interface ParsedBatch {
  envelope: IngestEnvelope;
  samples: ParsedRecord<Sample>[];
  events: ParsedRecord<AgentEvent>[];
  refused: RefusedRecord[];
  /** Records in the batch, refused ones included. */
  recordCount: number;
  /** The highest seq in the batch (samples and events, refused ones included), or null for an empty batch. */
  lastSeq: number | null;
}

/** How many schema problems one message lists. */
const MAX_PROBLEMS_LISTED = 5;

/**
 * Parses a request body strictly as a batch envelope (version, site, sentAt, spool, snapshot; samples and events
 * arrays of objects each with an integer seq, strictly increasing, the two sharing one sequence): a fault there is a
 * 400 for the whole batch. Then parses each record against its kind's schema on its own: one that fails is refused
 * with a message naming the field (`samples[3].probe: …`), and the rest of the batch is not held back.
 */
export function parseBatch(body: unknown): { batch: ParsedBatch } | { problem: BatchProblem } {
  const parsed = ingestEnvelopeSchema.safeParse(body);
  if (!parsed.success) return { problem: { status: 400, error: "invalid_batch", message: describeIssues(parsed.error.issues, []) } };
  const envelope = parsed.data;
  const events = envelope.events ?? [];
  const orderProblem = checkSeqOrder(envelope.samples, events);
  if (orderProblem) return { problem: orderProblem };

  const refused: RefusedRecord[] = [];
  const parseEach = <T>(records: readonly { seq: number }[], schema: z.ZodType<T>, field: string): ParsedRecord<T>[] => {
    const out: ParsedRecord<T>[] = [];
    for (const [index, raw] of records.entries()) {
      const result = schema.safeParse(raw);
      if (result.success) out.push({ index, record: result.data });
      else refused.push({ seq: raw.seq, error: "invalid_record", message: describeIssues(result.error.issues, [field, index]) });
    }
    return out;
  };
  const samples = parseEach(envelope.samples, sampleSchema, "samples");
  const parsedEvents = parseEach(events, agentEventSchema, "events");
  const last = Math.max(envelope.samples.at(-1)?.seq ?? -1, events.at(-1)?.seq ?? -1);
  return {
    batch: {
      envelope,
      samples,
      events: parsedEvents,
      refused,
      recordCount: envelope.samples.length + events.length,
      lastSeq: last >= 0 ? last : null,
    },
  };
}

/** Samples' seqs strictly increase; events' likewise, and none is also a sample's (one sequence per site). */
function checkSeqOrder(samples: readonly { seq: number }[], events: readonly { seq: number }[]): BatchProblem | null {
  let previous = -1;
  for (const [index, { seq }] of samples.entries()) {
    if (seq <= previous) return { status: 400, error: "seq_order", message: `samples[${index}].seq: ${seq} is not greater than the previous seq ${previous}` };
    previous = seq;
  }
  const sampleSeqs = new Set(samples.map((s) => s.seq));
  let previousEvent = -1;
  for (const [index, { seq }] of events.entries()) {
    if (seq <= previousEvent || sampleSeqs.has(seq)) {
      return { status: 400, error: "seq_order", message: `events[${index}].seq: ${seq} is not greater than the previous event's, or is also a sample's` };
    }
    previousEvent = seq;
  }
  return null;
}

/** "samples[3].probe: Too big…; …" for the first few issues, each path under `prefix`. */
function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): string {
  return issues
    .slice(0, MAX_PROBLEMS_LISTED)
    .map((issue) => `${formatKeyPath([...prefix, ...issue.path]) || "(body)"}: ${issue.message}`)
    .join("; ");
}
