import type { ErrorRequestHandler, Response } from "express";
import type { ApiError } from "../../protocol/ingest.js";
import { STORE_RETRY_AFTER_S, StoreUnavailableError } from "../health/storeBreaker.js";

/**
 * Sends `body` as JSON with `status`, straight to Node's response: no ETag or freshness check (express's `res.json`
 * computes a hash of every answer for them), which answers to pushes never need. Headers set before (Retry-After)
 * are kept.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}

/** Sends the API's JSON error body `{ error, message }` with `status`. */
export function sendError(res: Response, status: number, error: string, message: string): void {
  const body: ApiError = { error, message };
  sendJson(res, status, body);
}

/** Error codes for failures raised by express's body parser, keyed by its `type`. */
const BODY_PARSER_ERRORS: Record<string, { status: number; error: string; message: (err: { limit?: number }) => string }> = {
  "entity.parse.failed": { status: 400, error: "malformed_json", message: () => "request body is not valid JSON" },
  "entity.too.large": { status: 413, error: "body_too_large", message: (err) => `request body is larger than the limit of ${err.limit} bytes` },
  "encoding.unsupported": { status: 415, error: "unsupported_encoding", message: () => "Content-Encoding must be gzip, deflate or identity" },
  "request.aborted": { status: 400, error: "request_aborted", message: () => "the client aborted the request" },
  "request.size.invalid": { status: 400, error: "bad_length", message: () => "request size did not match Content-Length" },
  "charset.unsupported": { status: 415, error: "unsupported_charset", message: () => "charset must be utf-8" },
};

/** The JSON error for a body that could not be read (express's body parser or readJsonBody), or null for another error. */
export function bodyReadProblem(err: unknown): { status: number; error: string; message: string } | null {
  const known = BODY_PARSER_ERRORS[(err as { type?: string })?.type ?? ""];
  if (known) return { status: known.status, error: known.error, message: known.message(err as { limit?: number }) };
  const status = (err as { status?: number }).status;
  // Other body-parser failures, such as a gzip body that does not inflate.
  if (typeof status === "number" && status >= 400 && status < 500) return { status, error: "bad_body", message: `request body could not be read: ${(err as Error).message}` };
  return null;
}

/**
 * Last error handler: body-parser failures become their JSON error; a write the store could not take (an error
 * `isStoreUnavailable` recognises, or one refused because the store is failing, see collector/health/storeBreaker.ts)
 * is 503 `store_unavailable` with Retry-After; anything else is logged by `onUnexpected` and answered 500, so the
 * collector never crashes on a request.
 */
export function jsonErrorHandler(onUnexpected: (err: unknown) => void, isStoreUnavailable: (err: unknown) => boolean = () => false): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof StoreUnavailableError || isStoreUnavailable(err)) {
      res.setHeader("Retry-After", String(STORE_RETRY_AFTER_S));
      sendError(res, 503, "store_unavailable", "the collector cannot write to its store now; retry later");
      return;
    }
    const problem = bodyReadProblem(err);
    if (problem) {
      if (res.headersSent) return; // already answered (a body cut off for time, collector/ingest/bodyDeadline.ts)
      sendError(res, problem.status, problem.error, problem.message);
      return;
    }
    onUnexpected(err);
    if (!res.headersSent) sendError(res, 500, "internal", "the collector failed to handle this request");
  };
}
