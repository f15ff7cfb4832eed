import { lookup } from "node:dns/promises";
import { once } from "node:events";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { connect as netConnect, isIP, type Socket } from "node:net";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { decideEgress, interfaceAddress } from "../egress.js";
import type { ProbeBinding } from "../probe.js";

/** The phase an exchange is in; a timeout's reason names it. */
export type ExchangePhase = "dns" | "route check" | "connect" | "tls" | "first byte" | "body";

/**
 * How long each phase of one exchange took, ms; null when the phase did not happen or did not finish
 * (`dnsMs` for an IP-literal host, `tlsMs` for http:). `waitMs` runs from the end of the handshake(s) to the
 * response headers. The agent's own route check is not a phase of the network and is not counted.
 */
export interface PhaseDurations {
  dnsMs: number | null;
  connectMs: number | null;
  tlsMs: number | null;
  waitMs: number | null;
}

/** One request over a new connection, see {@link exchangeOnce}. */
export interface ExchangeRequest {
  url: URL;
  method: "GET" | "HEAD";
  /** The body is read up to this many bytes, then the connection is closed. */
  maxBodyBytes: number;
  /** When true, a 3xx answer with a Location header ends the exchange without reading its body. */
  followRedirects: boolean;
  /** Skip certificate verification (the certificate's expiry is still read). */
  tlsInsecure: boolean;
  bindTo: ProbeBinding;
  /** Ends the exchange (round timeout or agent shutdown); the caller tells which. */
  signal: AbortSignal;
}

/** Why an exchange did not get a whole answer: stopped by the signal (in `phase`), or a transport error in words. */
export type ExchangeFailure = { kind: "aborted"; phase: ExchangePhase } | { kind: "error"; reason: string };

/**
 * What one exchange got, as far as it went. `body` holds the bytes read (at most maxBodyBytes; empty for HEAD and
 * for a redirect not read), null when no response arrived. `certNotAfterMs` is the leaf certificate's notAfter (UTC
 * ms), null for http: or when no certificate was seen. `failure` is null when the answer was read completely.
 */
export interface Exchange {
  durations: PhaseDurations;
  /** Time spent checking the route (the agent's own work, not the network's), ms. */
  routeCheckMs: number;
  statusCode: number | null;
  location: string | null;
  certNotAfterMs: number | null;
  body: Buffer | null;
  failure: ExchangeFailure | null;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** True for a 3xx status that a client follows when it carries a Location header. */
export function isRedirectStatus(statusCode: number): boolean {
  return REDIRECT_STATUSES.has(statusCode);
}

class ExchangeError extends Error {}

function noop(): void {}

/** Rejects as soon as `signal` aborts, whatever `work` does (for work that takes no signal, such as a DNS lookup). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** The address family to resolve for a link: only the one its source address has, or either when unknown. */
function lookupFamily(bindTo: ProbeBinding): 0 | 4 | 6 {
  if (bindTo.interface) {
    const has4 = interfaceAddress(bindTo.interface, 4) !== null;
    const has6 = interfaceAddress(bindTo.interface, 6) !== null;
    return has4 === has6 ? 0 : has4 ? 4 : 6;
  }
  const family = isIP(bindTo.source ?? "");
  return family === 4 || family === 6 ? family : 0;
}

function errorCode(err: unknown): string {
  const failure = err as NodeJS.ErrnoException;
  return failure.code ?? failure.message ?? String(err);
}

/** An operator's words for a transport error in `phase`. */
function transportReason(phase: ExchangePhase, err: unknown, host: string, localAddress: string | undefined, bodyBytes: number): string {
  const code = errorCode(err);
  if (phase === "dns") return code === "ENOTFOUND" ? `dns: ${host} not found` : `dns lookup of ${host} failed: ${code}`;
  if (code.startsWith("HPE_")) return `malformed response: ${(err as Error).message}`;
  if (phase === "body") return `body cut off after ${bodyBytes} bytes (${code})`;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
      return phase === "first byte" ? "connection closed before a response" : `connection reset (in ${phase})`;
    case "EHOSTUNREACH":
      return "host unreachable";
    case "ENETUNREACH":
      return "network unreachable";
    case "EADDRNOTAVAIL":
      return `cannot bind to source address ${localAddress ?? "(none)"}`;
  }
  return phase === "tls" ? `tls error: ${code}` : `${phase} failed: ${code}`;
}

/**
 * One HTTP/1.1 request over a new connection (never pooled, so every round measures its handshakes): resolves the
 * host (timed), decides the egress for the address (see decideEgress), connects bound to the link's source, does
 * the TLS handshake for https:, sends the request and reads the answer. Never rejects: a failure, or the signal, ends
 * the exchange with what it had. Every socket is destroyed before it resolves.
 */
export async function exchangeOnce(request: ExchangeRequest): Promise<Exchange> {
  const { url, signal } = request;
  const exchange: Exchange = {
    durations: { dnsMs: null, connectMs: null, tlsMs: null, waitMs: null },
    routeCheckMs: 0,
    statusCode: null,
    location: null,
    certNotAfterMs: null,
    body: null,
    failure: null,
  };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  let phase: ExchangePhase = "dns";
  let localAddress: string | undefined;
  let bodyBytes = 0;
  // The outermost socket of the connection: the TLS socket once there is one, which then owns the TCP socket's
  // handle. Destroying the wrapped TCP socket as well would close that handle twice (Node 20 segfaults when that
  // happens right after the handshake).
  let connection: Socket | null = null;
  try {
    let address = host;
    if (isIP(host) === 0) {
      const started = performance.now();
      address = (await abortable(lookup(host, { family: lookupFamily(request.bindTo) }), signal)).address;
      exchange.durations.dnsMs = performance.now() - started;
    }

    phase = "route check";
    const routeCheckStarted = performance.now();
    const egress = await decideEgress(address, request.bindTo, signal);
    exchange.routeCheckMs = performance.now() - routeCheckStarted;
    signal.throwIfAborted();
    if (!egress.ok) throw new ExchangeError(`not via link: ${egress.reason}`);
    localAddress = egress.localAddress;

    phase = "connect";
    let started = performance.now();
    const tcp = netConnect({ host: address, port, localAddress, noDelay: true });
    // Errors after the awaits below (e.g. a reset while tearing down) must never go unhandled.
    tcp.on("error", noop);
    connection = tcp;
    await once(tcp, "connect", { signal });
    exchange.durations.connectMs = performance.now() - started;

    if (url.protocol === "https:") {
      phase = "tls";
      started = performance.now();
      // rejectUnauthorized is false so that the certificate's expiry can be read even when verification fails;
      // verification is then enforced below, before a single byte of the request is written.
      const tlsSocket: TLSSocket = tlsConnect({
        socket: tcp,
        host,
        servername: isIP(host) === 0 ? host : undefined,
        rejectUnauthorized: false,
        ALPNProtocols: ["http/1.1"],
      });
      tlsSocket.on("error", noop);
      connection = tlsSocket;
      await once(tlsSocket, "secureConnect", { signal });
      exchange.durations.tlsMs = performance.now() - started;
      const notAfterMs = Date.parse(tlsSocket.getPeerCertificate().valid_to ?? "");
      exchange.certNotAfterMs = Number.isNaN(notAfterMs) ? null : notAfterMs;
      if (!tlsSocket.authorized && !request.tlsInsecure) {
        throw new ExchangeError(`certificate error: ${String(tlsSocket.authorizationError)}`);
      }
    }

    phase = "first byte";
    started = performance.now();
    const established = connection;
    const outgoing = httpRequest({
      createConnection: () => established,
      method: request.method,
      path: `${url.pathname}${url.search}`,
      headers: { host: url.host, "user-agent": "wardwatch-probe", accept: "*/*", connection: "close" },
    });
    outgoing.on("error", noop);
    outgoing.end();
    const [response] = (await once(outgoing, "response", { signal })) as [IncomingMessage];
    response.on("error", noop);
    exchange.durations.waitMs = performance.now() - started;
    const statusCode = response.statusCode ?? 0;
    // Node's parser takes any three digits; the protocol's samples hold 100–599.
    if (statusCode < 100 || statusCode > 599) throw new ExchangeError(`malformed response: status code ${statusCode}`);
    exchange.statusCode = statusCode;
    exchange.location = response.headers.location ?? null;
    exchange.body = Buffer.alloc(0);
    if (request.followRedirects && exchange.location !== null && isRedirectStatus(statusCode)) return exchange;

    phase = "body";
    const chunks: Buffer[] = [];
    const readBody = async (): Promise<void> => {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        const wanted = Math.min(chunk.length, request.maxBodyBytes - bodyBytes);
        chunks.push(chunk.subarray(0, wanted));
        bodyBytes += wanted;
        if (bodyBytes >= request.maxBodyBytes) break; // the limit: stop reading, the rest is not measured
      }
    };
    try {
      await abortable(readBody(), signal);
    } finally {
      exchange.body = Buffer.concat(chunks);
    }
    return exchange;
  } catch (err) {
    if (signal.aborted) exchange.failure = { kind: "aborted", phase };
    else if (err instanceof ExchangeError) exchange.failure = { kind: "error", reason: err.message };
    else exchange.failure = { kind: "error", reason: transportReason(phase, err, host, localAddress, bodyBytes) };
    return exchange;
  } finally {
    connection?.destroy();
  }
}
