import { gzipSync } from "node:zlib";
import type { IngestBatch } from "../../protocol/ingest.js";

/** How one push attempt ended. `acknowledged`: the collector holds every sample of the batch. */
export type PushOutcome =
  | { kind: "acknowledged"; status: number }
  | { kind: "retry"; status: number | null; retryAfter: string | null; reason: string; tooLarge: boolean };

/**
 * POSTs one batch, gzip-compressed, to `${baseUrl}/api/v1/ingest` with the site's bearer token. A 200, or a 409
 * "replay" (everything already stored), acknowledges; anything else, including network errors and time-outs, is a
 * retry, with the collector's reason.
 */
export async function pushBatch(
  baseUrl: string,
  token: string,
  batch: IngestBatch,
  signal: AbortSignal,
): Promise<PushOutcome> {
  const body = gzipSync(JSON.stringify(batch));
  let response: Response;
  try {
    response = await fetch(new URL("/api/v1/ingest", baseUrl), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Content-Encoding": "gzip", Authorization: `Bearer ${token}` },
      body,
      signal,
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { kind: "retry", status: null, retryAfter: null, reason: cause ?? (err as Error).name ?? "network error", tooLarge: false };
  }
  const text = await response.text().catch(() => "");
  let error: { error?: string; message?: string } = {};
  try {
    error = JSON.parse(text) as typeof error;
  } catch {
    // Not JSON (a proxy's page, say): the status alone tells what happened.
  }
  if (response.ok || (response.status === 409 && error.error === "replay")) return { kind: "acknowledged", status: response.status };
  return {
    kind: "retry",
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    reason: error.message ? `${error.error}: ${error.message}` : `HTTP ${response.status}`,
    tooLarge: response.status === 413,
  };
}
