/**
 * One DNS query and its response over UDP or TCP, bound to a local address (the link's), for the dns probe (dns.ts).
 * The round's signal ends an exchange (timeout or abort); datagrams that are not the response are counted, not taken.
 */
import { createSocket } from "node:dgram";
import { connect, isIP } from "node:net";
import type * as dnsPacket from "dns-packet";

/** Where the query goes. */
export interface DnsServer {
  server: string;
  port: number;
}

/** Largest DNS message over TCP (two-byte length prefix). */
const MAX_TCP_MESSAGE_BYTES = 65_535;

/** An exchange's failure reason when the round's signal ended it (timeout or abort; the round says which). */
export const STOPPED = "stopped";
/** The response to the query, or why there is none. */
export type Exchange = { response: dnsPacket.DecodedPacket; answerMs: number } | { reason: string };

/** dns-packet's decoder: an exchange reads the server's response with it. */
export type DecodePacket = (message: Buffer) => dnsPacket.DecodedPacket;

/** Counts of datagrams that were not the response, for the timeout reason. */
export interface Ignored {
  malformed: number;
  otherId: number;
  notResponse: number;
}

/** Decodes `message` as the response to query `id`: the packet, "ignore" (not ours) or "malformed" (ours, broken). */
function decodeResponse(decode: DecodePacket, message: Buffer, id: number, ignored: Ignored): dnsPacket.DecodedPacket | "ignore" | "malformed" {
  // Only a readable header with this query's id and the QR bit makes a datagram ours; anything else is noise.
  const why: keyof Ignored | null =
    message.length < 12 ? "malformed" : message.readUInt16BE(0) !== id ? "otherId" : (message[2]! & 0x80) === 0 ? "notResponse" : null;
  if (why !== null) {
    ignored[why]++;
    return "ignore";
  }
  try {
    return decode(message);
  } catch {
    return "malformed";
  }
}

/** " (ignored 2 malformed, 1 with another id)" for a timeout reason, or "". */
export function ignoredSummary(ignored: Ignored): string {
  const parts = [
    ignored.malformed && `${ignored.malformed} malformed`,
    ignored.otherId && `${ignored.otherId} with another id`,
    ignored.notResponse && `${ignored.notResponse} not a response`,
  ].filter(Boolean);
  return parts.length === 0 ? "" : ` (ignored ${parts.join(", ")})`;
}

/** Sends `query` in one datagram from `localAddress` and waits for the response carrying `id`. */
export function exchangeUdp(
  query: Buffer,
  id: number,
  decode: DecodePacket,
  settings: DnsServer,
  localAddress: string | undefined,
  signal: AbortSignal,
  ignored: Ignored,
): Promise<Exchange> {
  return new Promise((resolve) => {
    let settled = false;
    let started = 0;
    // Connected, so the kernel drops datagrams from any other address or port and reports ICMP port unreachable.
    const socket = createSocket(isIP(settings.server) === 6 ? "udp6" : "udp4");
    const finish = (exchange: Exchange): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      try {
        socket.close();
      } catch {
        // Already closed by a failed bind.
      }
      resolve(exchange);
    };
    const onAbort = (): void => finish({ reason: STOPPED });
    signal.addEventListener("abort", onAbort, { once: true });
    socket.on("error", (err: NodeJS.ErrnoException) => finish({ reason: err.code === "ECONNREFUSED" ? "port unreachable" : err.message }));
    socket.on("message", (message) => {
      const response = decodeResponse(decode, message, id, ignored);
      if (response === "malformed") finish({ reason: "malformed response" });
      else if (response !== "ignore") finish({ response, answerMs: performance.now() - started });
    });
    // The round may end (timeout, abort) between these steps; a closed socket must not be used again.
    socket.bind({ address: localAddress, port: 0 }, () => {
      if (settled) return;
      socket.connect(settings.port, settings.server, () => {
        if (settled) return;
        started = performance.now();
        socket.send(query);
      });
    });
  });
}

/** Sends `query` over a TCP connection from `localAddress` and reads one length-prefixed response. */
export function exchangeTcp(query: Buffer, id: number, decode: DecodePacket, settings: DnsServer, localAddress: string | undefined, signal: AbortSignal): Promise<Exchange> {
  return new Promise((resolve) => {
    let settled = false;
    let received = Buffer.alloc(0);
    const started = performance.now();
    const socket = connect({ host: settings.server, port: settings.port, localAddress });
    const finish = (exchange: Exchange): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(exchange);
    };
    const onAbort = (): void => finish({ reason: STOPPED });
    signal.addEventListener("abort", onAbort, { once: true });
    socket.on("error", (err: NodeJS.ErrnoException) => finish({ reason: err.code === "ECONNREFUSED" ? "connection refused" : err.message }));
    socket.on("end", () => finish({ reason: "connection closed before the response" }));
    socket.on("connect", () => socket.write(Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query])));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]).subarray(0, MAX_TCP_MESSAGE_BYTES + 2);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      const response = decodeResponse(decode, received.subarray(2, 2 + received.readUInt16BE(0)), id, { malformed: 0, otherId: 0, notResponse: 0 });
      // Over a connection of its own, anything but the response to this query is a broken server.
      if (typeof response === "string") finish({ reason: "malformed response" });
      else finish({ response, answerMs: performance.now() - started });
    });
  });
}
