/**
 * One push attempt of a simulated site: POSTs a gzipped batch with the site's bearer token through the real
 * agent's HTTP transport (a new connection each time, as the agent does) and reads the collector's answer.
 */
import { z } from "zod";
import { postGzipJson } from "../agent/uplink/httpPost.js";
import { BACKLOG_HEADER } from "../protocol/ingest.js";

/** The collector's 200 answer (protocol/ingest.ts IngestAccepted), parsed at this boundary. */
const acceptedAnswerSchema = z.object({
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative().nullable(),
  clockOffsetMs: z.number(),
});

/** An error answer's body (protocol/ingest.ts ApiError); anything unreadable counts as no body. */
const errorAnswerSchema = z.object({ error: z.string(), message: z.string() });

/**
 * How one attempt ended.
 * - `acknowledged`: 200 (with the answer's counts and lastSeq) or 409 `replay` (everything already stored; lastSeq
 *   is then the batch's own last seq, as the agent assumes).
 * - `retry`: anything else, network errors and time-outs included (status null); `retryAfter` is the header.
 */
export type AttemptOutcome =
  | { kind: "acknowledged"; status: 200 | 409; lastSeq: number | null; accepted: number; duplicates: number }
  | { kind: "retry"; status: number | null; retryAfter: string | null; reason: string };

/**
 * POSTs `body` to `${collectorUrl}/api/v1/ingest`. `batchLastSeq` is the last seq of the batch in `body` (null when
 * empty), used as the acknowledgement of a 409 replay; `backlogRecords` (records still pending after the batch's)
 * goes in the Wardwatch-Backlog header, as the real agent sends it. Never rejects: every failure is a `retry` outcome.
 */
export async function pushAttempt(collectorUrl: string, token: string, body: Buffer, batchLastSeq: number | null, backlogRecords: number, signal: AbortSignal): Promise<AttemptOutcome> {
  let answer;
  try {
    answer = await postGzipJson(new URL("/api/v1/ingest", collectorUrl), token, body, { signal, headers: { [BACKLOG_HEADER]: String(backlogRecords) } });
  } catch (err) {
    const reason = signal.aborted ? "timeout or stop" : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    return { kind: "retry", status: null, retryAfter: null, reason };
  }
  let json: unknown = null;
  try {
    json = JSON.parse(answer.text);
  } catch {
    // Not JSON: the status alone says what happened.
  }
  if (answer.status === 200) {
    const accepted = acceptedAnswerSchema.safeParse(json);
    if (accepted.success) return { kind: "acknowledged", status: 200, ...accepted.data };
    return { kind: "retry", status: 200, retryAfter: null, reason: `unreadable 200 answer: ${answer.text.slice(0, 200)}` };
  }
  const error = errorAnswerSchema.safeParse(json);
  if (answer.status === 409 && error.success && error.data.error === "replay") {
    return { kind: "acknowledged", status: 409, lastSeq: batchLastSeq, accepted: 0, duplicates: 0 };
  }
  const reason = error.success ? `${error.data.error}: ${error.data.message}` : `HTTP ${answer.status}`;
  return { kind: "retry", status: answer.status, retryAfter: answer.retryAfter, reason };
}
