import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Logger } from "../../config/logger.js";
import { diagnose } from "./diagnosis.js";
import type { AgentStatusSource } from "./statusModel.js";
import { SITE_TIME_ZONE, type StatusLang } from "./statusFormat.js";
import { renderStatusPage } from "./statusPage.js";

/** What the status server is built from. `port` 0 picks a free port. */
export interface StatusServerOptions {
  host: string;
  port: number;
  source: AgentStatusSource;
  logger: Logger;
  /** Time zone for the page's and the diagnosis's times; UTC+7 by default. */
  timeZone?: string;
}

/** A listening status server. `url` ends with "/"; `close()` stops listening and drops open connections. */
export interface RunningStatusServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Longest time a client may take to send its request, ms: the page is tiny, a slow client is a stuck one. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Headers on every answer: never cached (it is live state), nothing loaded from elsewhere, no scripts. */
const COMMON_HEADERS = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
} as const;

/**
 * Serves the local status page for the ward IT contact, with node:http and nothing fetched from elsewhere:
 * - `GET /` (and `?lang=en|vi`, Vietnamese by default) → the HTML page;
 * - `GET /status.json` → `{ ...status, diagnosis }`;
 * - any other path → 404; any method but GET and HEAD → 405 with `Allow: GET, HEAD`.
 * The status is read from `source` on every request; if it throws the answer is 500 and the server keeps serving.
 * Malformed requests get 400 and never bring the server down. Resolves once listening.
 */
export async function startStatusServer(options: StatusServerOptions): Promise<RunningStatusServer> {
  const { host, logger } = options;
  const timeZone = options.timeZone ?? SITE_TIME_ZONE;

  const server = createServer((req, res) => {
    try {
      answer(req, res);
    } catch (err) {
      logger.error("status page request failed", { method: req.method, url: req.url, err });
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", "500 Internal Server Error\n");
      else res.destroy();
    }
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    logger.debug("status page: bad request", { code: err.code, message: err.message });
    if (socket.writable && !socket.destroyed) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });

  function answer(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, "text/plain; charset=utf-8", "405 Method Not Allowed\n", { Allow: "GET, HEAD" });
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://status.invalid");
    } catch {
      send(res, 400, "text/plain; charset=utf-8", "400 Bad Request\n");
      return;
    }
    if (url.pathname === "/") {
      const status = options.source();
      const lang: StatusLang = url.searchParams.get("lang") === "en" ? "en" : "vi";
      send(res, 200, "text/html; charset=utf-8", renderStatusPage(status, diagnose(status, timeZone), lang, timeZone));
    } else if (url.pathname === "/status.json") {
      const status = options.source();
      send(res, 200, "application/json; charset=utf-8", JSON.stringify({ ...status, diagnosis: diagnose(status, timeZone) }));
    } else {
      send(res, 404, "text/plain; charset=utf-8", "404 Not Found\n");
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (err) => logger.error("status page server error", { err }));
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
  logger.info("status page listening", { url });

  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Writes a whole answer; HEAD gets the same headers and no body (node:http drops it). */
function send(res: ServerResponse, code: number, contentType: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(code, { ...COMMON_HEADERS, ...extra, "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
