import { z } from "zod";
import type { IngestAccepted, RefusedRecord } from "../../protocol/ingest.js";

/** One record the collector refused, as its 200 answer lists it (protocol version 2). */
const refusedRecordSchema = z.object({
  seq: z.number().int().nonnegative(),
  error: z.string().max(200),
  message: z.string().max(2000),
}) satisfies z.ZodType<RefusedRecord>;

/**
 * The collector's 200 answer to a batch. A collector of protocol version 1 answers without `refused`: none refused.
 * Unknown keys are allowed (a newer collector may say more); the ones the agent uses must have their types.
 */
export const ingestAcceptedSchema = z.object({
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative().nullable(),
  clockOffsetMs: z.number(),
  refused: z.array(refusedRecordSchema).max(10_000).default([]),
}) satisfies z.ZodType<IngestAccepted, unknown>;

/**
 * Parses the body of a 200 answer to a batch. Returns the answer, or why it is not one (not JSON, or the wrong shape:
 * a proxy's page, say), naming the first problems with their paths. A 200 that does not parse acknowledges nothing.
 */
export function parseIngestAccepted(text: string): { ok: true; answer: IngestAccepted } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "the 200 answer is not JSON" };
  }
  const parsed = ingestAcceptedSchema.safeParse(json);
  if (parsed.success) return { ok: true, answer: parsed.data };
  const problems = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`);
  return { ok: false, reason: `the 200 answer is not an ingest answer (${problems.join("; ")})` };
}

/**
 * The record a 4xx error message names (`samples[3].link: …`, `events[0].seq: …`, as the collector words its
 * refusals), as the list and the index in the batch sent; null when it names none.
 */
export function namedRecord(message: string): { list: "samples" | "events"; index: number } | null {
  const match = /\b(samples|events)\[(\d+)\]/.exec(message);
  if (!match) return null;
  return { list: match[1] as "samples" | "events", index: Number(match[2]) };
}
