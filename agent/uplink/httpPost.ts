import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** An HTTP answer: status, the Retry-After header and the body text (at most 64 KiB kept). */
export interface HttpAnswer {
  status: number;
  retryAfter: string | null;
  text: string;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs `body` (already gzip-compressed JSON) to `url` with a bearer token and any `headers` given, from
 * `localAddress` when given (so the push leaves through a chosen link), a new connection each time. Rejects with the socket error (its `code`, e.g.
 * ECONNREFUSED) or an AbortError when `signal` fires.
 */
export function postGzipJson(url: URL, token: string, body: Buffer, options: { localAddress?: string; signal: AbortSignal; headers?: Record<string, string> }): Promise<HttpAnswer> {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent: false,
        localAddress: options.localAddress,
        signal: options.signal,
        headers: {
          "Content-Type": "application/json",
          "Content-Encoding": "gzip",
          "Content-Length": body.length,
          Authorization: `Bearer ${token}`,
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: (res.headers["retry-after"] as string | undefined) ?? null, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
