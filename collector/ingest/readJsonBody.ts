import type { NextFunction, Request, Response } from "express";
import { gunzip, gunzipSync, inflate, inflateSync, type ZlibOptions } from "node:zlib";

/**
 * A compressed body up to this size is inflated on the event loop in one call; a larger one (a backfill batch) on
 * libuv's thread pool, so it does not hold live pushes up. Bytes, compressed.
 */
export const INFLATE_ON_LOOP_MAX_BYTES = 16 * 1024;

/**
 * What the event loop inflates at most, bytes: a small body that inflates past it (a gzip bomb, or whitespace
 * padding) is inflated again on the thread pool, up to the body limit. A live push inflates to a few KiB.
 */
export const INFLATED_ON_LOOP_MAX_BYTES = 256 * 1024;

/**
 * A failure to read a body, shaped as express's body parser shapes its own (`type`, `status`, `limit`), so that the
 * API's error handler (collector/api/httpErrors.ts) answers it the same way: 413 `body_too_large`, 415
 * `unsupported_encoding` / `unsupported_charset`, 400 `malformed_json`, `request_aborted` or `bad_body`.
 */
export class BodyReadError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly limit?: number,
  ) {
    super(message);
    this.name = "BodyReadError";
  }
}

type Encoding = "identity" | "gzip" | "deflate";

/** The request's Content-Encoding, or null when it is one we do not read. */
function encodingOf(req: Request): Encoding | null {
  const header = (req.headers["content-encoding"] ?? "identity").toLowerCase();
  return header === "identity" || header === "gzip" || header === "deflate" ? header : null;
}

/** The charset parameter of Content-Type, lower case, or null when none is given. */
function charsetOf(req: Request): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(req.headers["content-type"] ?? "");
  return match ? match[1]!.toLowerCase() : null;
}

/** Inflates `raw` to at most `limit` bytes: on the loop when small, else on the thread pool. */
function inflateBody(raw: Buffer, encoding: Encoding, limit: number, done: (err: Error | null, body: Buffer) => void): void {
  if (encoding === "identity") return done(null, raw);
  const onPool = (): void => (encoding === "gzip" ? gunzip : inflate)(raw, { maxOutputLength: limit }, (err, body) => done(err, body));
  if (raw.length > INFLATE_ON_LOOP_MAX_BYTES) return onPool();
  const onLoop: ZlibOptions = { maxOutputLength: Math.min(limit, INFLATED_ON_LOOP_MAX_BYTES) };
  let body: Buffer;
  try {
    body = encoding === "gzip" ? gunzipSync(raw, onLoop) : inflateSync(raw, onLoop);
  } catch (err) {
    // Past what the loop inflates, but maybe within the limit: the thread pool decides.
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" && limit > INFLATED_ON_LOOP_MAX_BYTES) return onPool();
    return done(err as Error, raw);
  }
  done(null, body);
}

/** The error for a body that did not inflate: over the limit (a gzip bomb) or not gzip/deflate at all. */
function inflateError(err: Error & { code?: string }, limit: number): BodyReadError {
  if (err.code === "ERR_BUFFER_TOO_LARGE") return new BodyReadError(413, "entity.too.large", `request body is larger than ${limit} bytes`, limit);
  return new BodyReadError(400, "inflate.failed", err.message);
}

/**
 * Middleware reading a JSON request body of at most `limitBytes` (inflated: a gzip bomb stops at the limit) into
 * `req.body`: identity, gzip or deflate; UTF-8 only (a leading byte-order mark is dropped); an object or an array (as
 * express.json's `strict`). Written for the ingest route, which takes hundreds of small gzip bodies a second: it
 * collects the bytes and inflates them in one call, without the body parser's per-request inflate stream (measured in
 * bench/ingest, docs/benchmarks.md). Errors go to `next` as {@link BodyReadError}.
 *
 * Unlike express.json (whose iconv accepted them): another Content-Encoding (br) or charset (utf-16) is 415, and an
 * empty body is 400 `malformed_json`. Our agents send gzip UTF-8 JSON only.
 */
export function readJsonBody(limitBytes: number) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const encoding = encodingOf(req);
    if (encoding === null) return next(new BodyReadError(415, "encoding.unsupported", `unsupported content encoding "${req.headers["content-encoding"]}"`));
    const charset = charsetOf(req);
    if (charset !== null && charset !== "utf-8" && charset !== "utf8") return next(new BodyReadError(415, "charset.unsupported", `unsupported charset "${charset}"`));
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limitBytes) return next(new BodyReadError(413, "entity.too.large", `request body is larger than ${limitBytes} bytes`, limitBytes));

    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: BodyReadError): void => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      next(err);
    };
    req.on("data", (chunk: Buffer) => {
      if (settled) return; // refused already: the rest is read and dropped, so the answer can go out
      size += chunk.length;
      if (size > limitBytes) return fail(new BodyReadError(413, "entity.too.large", `request body is larger than ${limitBytes} bytes`, limitBytes));
      chunks.push(chunk);
    });
    req.on("error", () => fail(new BodyReadError(400, "request.aborted", "request aborted")));
    req.on("close", () => {
      if (!req.complete) fail(new BodyReadError(400, "request.aborted", "request aborted"));
    });
    req.on("end", () => {
      if (settled) return;
      inflateBody(Buffer.concat(chunks, size), encoding, limitBytes, (err, body) => {
        if (settled) return;
        if (err) return fail(inflateError(err, limitBytes));
        const text = body.toString("utf8").replace(/^\uFEFF/, "");
        const first = /\S/.exec(text)?.[0];
        let parsed: unknown;
        try {
          if (first !== "{" && first !== "[") throw new Error("not an object or an array");
          parsed = JSON.parse(text);
        } catch {
          return fail(new BodyReadError(400, "entity.parse.failed", "request body is not valid JSON"));
        }
        settled = true;
        req.body = parsed;
        next();
      });
    });
  };
}
