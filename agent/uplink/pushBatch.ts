import { gzipSync } from "node:zlib";
import { BACKLOG_HEADER, type IngestBatch, type RefusedRecord } from "../../protocol/ingest.js";
import { postGzipJson } from "./httpPost.js";
import { parseIngestAccepted } from "./ingestAnswer.js";
import { ingestUrl } from "./ingestUrl.js";

/**
 * How one push attempt ended.
 * - `acknowledged`: the collector holds every record of the batch except those in `refused`, which it will never take.
 * - `retry`: nothing is acknowledged; `status` is null for a network error or time-out; `error`/`message` are the
 *   collector's JSON error when it sent one.
 */
export type PushOutcome =
  | { kind: "acknowledged"; status: number; refused: RefusedRecord[] }
  | { kind: "retry"; status: number | null; retryAfter: string | null; reason: string; tooLarge: boolean; error?: string; message?: string };

/**
 * POSTs one batch, gzip-compressed, to `api/v1/ingest` under `baseUrl` (its path prefix kept, see {@link ingestUrl})
 * with the site's bearer token, from `localAddress` when given, and `backlogRecords` (the records still pending after
 * this batch's) in the {@link BACKLOG_HEADER} header, which tells the collector a backfill push from a live one. A 200 whose body parses as an ingest answer, or a 409
 * "replay" (everything already stored), acknowledges; anything else, including a 200 that is not an ingest answer (a
 * proxy's page), network errors and time-outs, is a retry, with the reason.
 */
export async function pushBatch(
  baseUrl: string,
  token: string,
  batch: IngestBatch,
  options: { localAddress?: string; signal: AbortSignal; backlogRecords: number },
): Promise<PushOutcome> {
  const body = gzipSync(JSON.stringify(batch));
  let answer;
  try {
    answer = await postGzipJson(ingestUrl(baseUrl), token, body, {
      ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
      signal: options.signal,
      headers: { [BACKLOG_HEADER]: String(options.backlogRecords) },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = options.signal.aborted ? "timeout or stop" : (code ?? (err as Error).message ?? "network error");
    return { kind: "retry", status: null, retryAfter: null, reason, tooLarge: false };
  }
  if (answer.status >= 200 && answer.status < 300) {
    const accepted = parseIngestAccepted(answer.text);
    if (accepted.ok) return { kind: "acknowledged", status: answer.status, refused: accepted.answer.refused };
    return { kind: "retry", status: answer.status, retryAfter: null, reason: accepted.reason, tooLarge: false };
  }
  let error: { error?: unknown; message?: unknown } = {};
  try {
    const json: unknown = JSON.parse(answer.text);
    if (json && typeof json === "object") error = json;
  } catch {
    // Not JSON (a proxy's page, say): the status alone tells what happened.
  }
  const code = typeof error.error === "string" ? error.error : undefined;
  const message = typeof error.message === "string" ? error.message : undefined;
  if (answer.status === 409 && code === "replay") return { kind: "acknowledged", status: answer.status, refused: [] };
  return {
    kind: "retry",
    status: answer.status,
    retryAfter: answer.retryAfter,
    reason: message ? `${code}: ${message}` : `HTTP ${answer.status}`,
    tooLarge: answer.status === 413,
    ...(code !== undefined ? { error: code } : {}),
    ...(message !== undefined ? { message } : {}),
  };
}
