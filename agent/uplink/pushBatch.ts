import { gzipSync } from "node:zlib";
import type { IngestBatch } from "../../protocol/ingest.js";
import { postGzipJson } from "./httpPost.js";

/** How one push attempt ended. `acknowledged`: the collector holds every record of the batch. */
export type PushOutcome =
  | { kind: "acknowledged"; status: number }
  | { kind: "retry"; status: number | null; retryAfter: string | null; reason: string; tooLarge: boolean };

/**
 * POSTs one batch, gzip-compressed, to `${baseUrl}/api/v1/ingest` with the site's bearer token, from `localAddress`
 * when given. A 200, or a 409 "replay" (everything already stored), acknowledges; anything else, including network
 * errors and time-outs, is a retry, with the collector's reason.
 */
export async function pushBatch(
  baseUrl: string,
  token: string,
  batch: IngestBatch,
  options: { localAddress?: string; signal: AbortSignal },
): Promise<PushOutcome> {
  const body = gzipSync(JSON.stringify(batch));
  let answer;
  try {
    answer = await postGzipJson(new URL("/api/v1/ingest", baseUrl), token, body, options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = options.signal.aborted ? "timeout or stop" : (code ?? (err as Error).message ?? "network error");
    return { kind: "retry", status: null, retryAfter: null, reason, tooLarge: false };
  }
  let error: { error?: string; message?: string } = {};
  try {
    error = JSON.parse(answer.text) as typeof error;
  } catch {
    // Not JSON (a proxy's page, say): the status alone tells what happened.
  }
  if ((answer.status >= 200 && answer.status < 300) || (answer.status === 409 && error.error === "replay")) {
    return { kind: "acknowledged", status: answer.status };
  }
  return {
    kind: "retry",
    status: answer.status,
    retryAfter: answer.retryAfter,
    reason: error.message ? `${error.error}: ${error.message}` : `HTTP ${answer.status}`,
    tooLarge: answer.status === 413,
  };
}
