import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import type { HttpRoundResult, HttpRoundSettings } from "../../../../agent/probes/http/http.js";
import type { ProbeBinding, ProbeContext } from "../../../../agent/probes/probe.js";

/** No link binding: the round leaves however the OS routes it. */
export const unbound: ProbeBinding = { interface: null, source: null };
/** Round settings for the tests: the schema's defaults, with a 2000 ms timeout. */
const defaults: HttpRoundSettings = {
  timeoutMs: 2000,
  method: "GET",
  expectStatus: [{ min: 200, max: 399 }],
  expectBody: null,
  maxBodyBytes: 256 * 1024,
  maxRedirects: 5,
  tlsInsecure: false,
  certWarnDays: 14,
};
/** The text the `/ok` route serves inside its HTML page (non-ASCII on purpose). */
export const PAGE = "Cổng thông tin xã Tân Phong — hệ thống hoạt động";

/** A probe context bound to `bindTo` (unbound by default) with `signal` (never aborted by default). */
export function contextFor(bindTo: ProbeBinding = unbound, signal: AbortSignal = new AbortController().signal): ProbeContext {
  return { signal, bindTo };
}

/** The test defaults with `overrides` applied. */
export function settings(overrides: Partial<HttpRoundSettings> = {}): HttpRoundSettings {
  return { ...defaults, ...overrides };
}

/** Awaits `round` and also returns how long it took, in ms. */
export async function timed(round: Promise<HttpRoundResult>): Promise<{ result: HttpRoundResult; elapsedMs: number }> {
  const started = performance.now();
  const result = await round;
  return { result, elapsedMs: performance.now() - started };
}

/** Listens on `host` port 0 and returns the base URL. */
export async function listen(server: Server | NetServer, host = "127.0.0.1"): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return host.includes(":") ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** A raw TCP server that hands each accepted connection to `onConnection`; closing it destroys them all. */
export async function rawServer(onConnection: (socket: Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    onConnection(socket);
  });
  const url = await listen(server);
  return {
    url,
    close: () => {
      sockets.forEach((socket) => socket.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Closes `server`, dropping its open (keep-alive) connections first. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** Requests each test server saw, by path (to prove what was, or was not, sent). */
export const seenPaths: string[] = [];

/** The routes every test server (http, https, IPv6) answers. */
export function route(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://test");
  seenPaths.push(url.pathname);
  const status = /^\/status\/(\d{3})$/.exec(url.pathname);
  const chain = /^\/chain\/(\d+)$/.exec(url.pathname);
  if (url.pathname === "/ok") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<html><body>${PAGE}</body></html>`);
  } else if (status) {
    res.writeHead(Number(status[1])).end(`status ${status[1]}`);
  } else if (chain) {
    const left = Number(chain[1]);
    if (left === 0) res.writeHead(200).end("end of the chain");
    else res.writeHead(302, { location: `/chain/${left - 1}` }).end();
  } else if (url.pathname === "/loop") {
    res.writeHead(302, { location: "/loop" }).end();
  } else if (url.pathname === "/to") {
    res.writeHead(301, { location: url.searchParams.get("url")! }).end();
  } else if (url.pathname === "/big") {
    res.writeHead(200).end(`${"a".repeat(1024 * 1024)}NEEDLE`);
  } else if (url.pathname === "/whoami") {
    res.writeHead(200).end(req.socket.remoteAddress);
  } else if (url.pathname === "/stall-body") {
    res.writeHead(200, { "content-length": "1000" });
    res.write("the first 29 bytes, then none"); // and never the rest
  } else {
    res.writeHead(404).end("not found");
  }
}
