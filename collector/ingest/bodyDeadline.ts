import type { ServerOptions } from "node:http";
import type { NextFunction, Request, Response } from "express";

/** How long a client may take to send a request's headers, ms. */
export const HEADERS_TIMEOUT_MS = 10_000;

/**
 * The listen queue asked for: connections the kernel holds while the event loop is busy (a backfill batch being
 * written). Node's default, 511, overflowed when a tenth of the country came back at once (bench/ingest --mode
 * backfill): a connection beyond it waits for the client's SYN retransmit, 1 s and then 3 s. The kernel caps it at
 * net.core.somaxconn (4096 on current Linux; docs/scaling.md).
 */
export const LISTEN_BACKLOG = 4096;

/** How long an idle keep-alive connection stays open between an agent's pushes, ms. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/**
 * Time-outs for the collector's HTTP server: headers within {@link HEADERS_TIMEOUT_MS}; a whole request within the
 * ingest body time-out plus that (a backstop, checked every 30 s by Node: the ingest route cuts a slow body off itself,
 * see {@link bodyDeadline}, with a JSON answer); idle keep-alive connections closed after {@link KEEP_ALIVE_TIMEOUT_MS}.
 * Node's defaults (300 s per request) let slow uploads hold every ingest slot.
 */
export function collectorServerOptions(ingest: { bodyTimeoutMs: number }): ServerOptions {
  return {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: ingest.bodyTimeoutMs + HEADERS_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // connectionsCheckingInterval stays Node's (30 s): set to 1 s, tests/e2e/agentLinks.test.ts failed 4 runs in 10
    // (a link judged a round late; cause not pinned down) and passed 5 in 5 without it. The ingest route's own body
    // deadline is exact; this is only the backstop.
  };
}

/**
 * Middleware cutting off a request whose body has not fully arrived `timeoutMs` after it started to be read: `onTimeout`
 * answers (it should send 408), and the connection is closed once the answer is out, so the rest of the body is not
 * read and the request's ingest slot is given back.
 */
export function bodyDeadline(timeoutMs: number, onTimeout: (res: Response) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.complete) return next();
    const timer = setTimeout(() => {
      if (req.complete || res.headersSent) return;
      res.setHeader("Connection", "close");
      res.once("finish", () => req.socket.destroy());
      onTimeout(res);
    }, timeoutMs);
    const stop = (): void => clearTimeout(timer);
    req.once("end", stop);
    res.once("close", stop);
    next();
  };
}
