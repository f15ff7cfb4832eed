import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { connect, isIP } from "node:net";
import type * as dnsPacket from "dns-packet";
import { z } from "zod";
import { durationMs } from "../../config/units.js";
import { decideEgress } from "./egress.js";
import type { ProbeContext, ProbeResult } from "./probe.js";

// A DNS name: labels of letters, digits, hyphens and underscores (_dmarc, _sip._udp), 253 characters at most.
const LABEL = "[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?";
const DNS_NAME = new RegExp(`^(?=.{1,253}\\.?$)${LABEL}(?:\\.${LABEL})*\\.?$`);
/** The protocol's limits on a DNS sample's answers. */
const MAX_ANSWERS = 32;
const MAX_ANSWER_CHARS = 255;
/** Largest DNS message over TCP (two-byte length prefix). */
const MAX_TCP_MESSAGE_BYTES = 65_535;

/** The record types a DNS probe may ask for. */
export const dnsRecordTypes = ["A", "AAAA", "CNAME", "MX", "TXT", "NS"] as const;
/** A record type a DNS probe may ask for. */
export type DnsRecordType = (typeof dnsRecordTypes)[number];

/**
 * One answer in the form a probe reports and compares it: A as dotted quad; AAAA in RFC 5952 form (2001:db8::1);
 * CNAME and NS as a lower-case name without the final dot; MX as "preference exchange"; TXT as the record's
 * strings joined (UTF-8).
 */
function canonicalValue(type: DnsRecordType, value: string): string {
  if (type === "AAAA" && isIP(value) === 6) return new URL(`http://[${value}]/`).hostname.slice(1, -1);
  if (type === "CNAME" || type === "NS") return canonicalName(value);
  if (type === "MX") {
    const [preference, exchange] = value.includes(" ") ? value.split(/\s+/, 2) : [null, value];
    return preference === null ? canonicalName(exchange!) : `${Number(preference)} ${canonicalName(exchange!)}`;
  }
  return value;
}

function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/** Whether `expected` (canonical) is one of `answers` (canonical); for MX a bare exchange matches any preference. */
function answersContain(type: DnsRecordType, answers: string[], expected: string): boolean {
  return answers.some((answer) => answer === expected || (type === "MX" && !expected.includes(" ") && answer.split(" ")[1] === expected));
}

/** Why `value` cannot be an answer of `type`, or null when it can. */
function expectationError(type: DnsRecordType, value: string): string | null {
  const valid =
    type === "A" ? isIP(value) === 4
    : type === "AAAA" ? isIP(value) === 6
    : type === "MX" ? DNS_NAME.test(value) || (/^\d{1,5} \S+$/.test(value) && DNS_NAME.test(value.split(" ")[1]!))
    : type === "TXT" ? value.length <= MAX_ANSWER_CHARS
    : DNS_NAME.test(value);
  return valid ? null : `'${value}' cannot be an answer of type ${type}`;
}

/**
 * One `kind: dns` probe entry as written in the agent's YAML, parsed into {@link DnsProbeConfig}: `name` is asked
 * of `server` (an address) for `type` records; each `expect` value must be a possible answer of that type;
 * `timeout` must not exceed `interval`. Unknown keys are rejected.
 * See dns.example.yaml beside this file for every key, its default and its range.
 */
export const dnsProbeSchema = z
  .strictObject({
    kind: z.literal("dns"),
    name: z.string().regex(DNS_NAME, "must be a DNS name (example: one-stop.tinh.example)"),
    server: z.string().refine((text) => isIP(text) !== 0, "must be the IPv4 or IPv6 address of the DNS server to ask"),
    port: z.number().int().min(1).max(65535).default(53),
    type: z.enum(dnsRecordTypes).default("A"),
    expect: z.array(z.string().min(1)).min(1).max(MAX_ANSWERS).optional(),
    protocol: z.enum(["udp", "tcp"]).default("udp"),
    interval: durationMs(1000, 3_600_000).prefault("30s"),
    timeout: durationMs(10, 60_000).prefault("3s"),
  })
  .superRefine((probe, ctx) => {
    if (probe.timeout > probe.interval) {
      ctx.addIssue({ code: "custom", path: ["timeout"], message: `timeout (${probe.timeout} ms) must not exceed interval (${probe.interval} ms)` });
    }
    probe.expect?.forEach((value, index) => {
      const error = expectationError(probe.type, value);
      if (error) ctx.addIssue({ code: "custom", path: ["expect", index], message: error });
    });
  })
  .transform(
    (probe): DnsProbeConfig => ({
      kind: probe.kind,
      target: `${probe.name}@${probe.server}`,
      name: probe.name,
      server: probe.server,
      port: probe.port,
      type: probe.type,
      expect: (probe.expect ?? []).map((value) => canonicalValue(probe.type, value)),
      protocol: probe.protocol,
      intervalMs: probe.interval,
      timeoutMs: probe.timeout,
    }),
  );

/** A validated DNS probe: `name` asked of `server`:`port` for `type` records every `intervalMs`; durations in ms. */
export interface DnsProbeConfig {
  kind: "dns";
  /** "<name>@<server>", e.g. "one-stop.tinh.example@10.10.0.53" (the sample's target label). */
  target: string;
  /** The name to resolve. */
  name: string;
  /** IPv4 or IPv6 address of the DNS server asked. */
  server: string;
  port: number;
  type: DnsRecordType;
  /** Answers that must all be present, in canonical form (see the result's `answers`); empty: any answer will do. */
  expect: string[];
  /** "udp" (one datagram each way) or "tcp" (a connection per round, e.g. where UDP/53 is filtered). */
  protocol: "udp" | "tcp";
  /** Time between the starts of two rounds (the scheduler's business, not the probe's). */
  intervalMs: number;
  /** The whole round (route check and exchange) must end within this. */
  timeoutMs: number;
}

/** What one round needs from the configuration. */
export type DnsRoundSettings = Pick<DnsProbeConfig, "name" | "server" | "port" | "type" | "expect" | "protocol" | "timeoutMs">;

/**
 * One DNS round.
 * - `ok`: the server answered NOERROR with at least one record of the asked type, and every expected value is
 *   among them.
 * - `answerMs`: time from sending the query (UDP) or opening the connection (TCP) to the response, ms; null when
 *   no response came. `rcode`: the response code ("NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", …), null when none.
 * - `answers`: the records of the asked type, canonical (see {@link canonicalValue}); at most 32 of 255 characters.
 * - `ignoredPackets`: UDP datagrams that were not the response to this query (undecodable, another id, or a query).
 * - `reason` (only when not ok): the rcode when not NOERROR, "no answer", "answer does not contain X (got Y)",
 *   "timeout after N ms" (with the ignored packets counted when there were any), "port unreachable",
 *   "connection refused", "malformed response", "truncated response (use protocol: tcp)", "not via link: …",
 *   "aborted", or Node's error text for anything rarer.
 */
export interface DnsRoundResult extends ProbeResult {
  ok: boolean;
  answerMs: number | null;
  rcode: string | null;
  answers: string[];
  ignoredPackets: number;
  reason?: string;
}

/** An exchange's failure reason when the round's signal ended it (timeout or abort; the round says which). */
const STOPPED = "stopped";
/** The response to the query, or why there is none. */
type Exchange = { response: dnsPacket.DecodedPacket; answerMs: number } | { reason: string };

/** dns-packet's decoder: an exchange reads the server's response with it. */
type DecodePacket = (message: Buffer) => dnsPacket.DecodedPacket;

/** Counts of datagrams that were not the response, for the timeout reason. */
interface Ignored {
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

function ignoredSummary(ignored: Ignored): string {
  const parts = [
    ignored.malformed && `${ignored.malformed} malformed`,
    ignored.otherId && `${ignored.otherId} with another id`,
    ignored.notResponse && `${ignored.notResponse} not a response`,
  ].filter(Boolean);
  return parts.length === 0 ? "" : ` (ignored ${parts.join(", ")})`;
}

/** Sends `query` in one datagram from `localAddress` and waits for the response carrying `id`. */
function exchangeUdp(
  query: Buffer,
  id: number,
  decode: DecodePacket,
  settings: DnsRoundSettings,
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
function exchangeTcp(query: Buffer, id: number, decode: DecodePacket, settings: DnsRoundSettings, localAddress: string | undefined, signal: AbortSignal): Promise<Exchange> {
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

/** The records of `type` in `response`, canonical; records the decoder could not read as expected are skipped. */
function answersOfType(response: dnsPacket.DecodedPacket, type: DnsRecordType): string[] {
  const values: string[] = [];
  for (const answer of response.answers ?? []) {
    if (answer.type !== type) continue;
    const data: unknown = answer.data;
    let value: string | null = null;
    if (typeof data === "string") value = data;
    else if (type === "MX" && typeof data === "object" && data !== null && "exchange" in data) {
      const mx = data as dnsPacket.MxData;
      value = `${mx.preference ?? 0} ${mx.exchange}`;
    } else if (type === "TXT") value = (Array.isArray(data) ? data : [data]).map((part) => Buffer.from(part as Buffer).toString("utf8")).join("");
    if (value !== null) values.push(canonicalValue(type, value).slice(0, MAX_ANSWER_CHARS));
  }
  return values.slice(0, MAX_ANSWERS);
}

/** The round's result from the server's response; pure. */
export function evaluateDnsResponse(response: dnsPacket.DecodedPacket, settings: Pick<DnsRoundSettings, "type" | "expect" | "protocol">, answerMs: number, ignoredPackets: number): DnsRoundResult {
  const rcode = (response as { rcode?: string }).rcode ?? "NOERROR";
  const answers = answersOfType(response, settings.type);
  const base = { answerMs: Math.round(answerMs * 1000) / 1000, rcode, answers, ignoredPackets };
  if (rcode !== "NOERROR") return { ok: false, ...base, reason: rcode };
  if (answers.length === 0) {
    const truncated = response.flag_tc && settings.protocol === "udp";
    return { ok: false, ...base, reason: truncated ? "truncated response (use protocol: tcp)" : "no answer" };
  }
  const missing = settings.expect.filter((expected) => !answersContain(settings.type, answers, expected));
  if (missing.length > 0) return { ok: false, ...base, reason: `answer does not contain ${missing.join(", ")} (got ${answers.join(", ")})` };
  return { ok: true, ...base };
}

/**
 * One DNS round: asks `settings.server` for `settings.name` (the validated config; `target` is only its label)
 * from the link's source address (see decideEgress), with a random id and recursion desired, and checks the answer.
 * Over UDP, datagrams that are not the response (undecodable, another id) are counted and ignored. Resolves
 * (never rejects) within `timeoutMs`, and promptly with reason "aborted" once `context.signal` aborts.
 */
export async function probeDns(target: string, settings: DnsRoundSettings, context: ProbeContext): Promise<DnsRoundResult> {
  const failed = (reason: string, ignoredPackets = 0): DnsRoundResult => ({ ok: false, answerMs: null, rcode: null, answers: [], ignoredPackets, reason });
  if (context.signal.aborted) return failed("aborted");
  const round = new AbortController();
  const timer = setTimeout(() => round.abort("timeout"), settings.timeoutMs);
  const onAbort = (): void => round.abort("aborted");
  context.signal.addEventListener("abort", onAbort, { once: true });
  const ignored: Ignored = { malformed: 0, otherId: 0, notResponse: 0 };
  const ignoredCount = (): number => ignored.malformed + ignored.otherId + ignored.notResponse;
  const stopped = (): DnsRoundResult =>
    round.signal.reason === "timeout"
      ? failed(`timeout after ${settings.timeoutMs} ms${ignoredSummary(ignored)}`, ignoredCount())
      : failed("aborted", ignoredCount());
  try {
    const egress = await decideEgress(settings.server, context.bindTo, round.signal);
    if (round.signal.aborted) return stopped();
    if (!egress.ok) return failed(`not via link: ${egress.reason}`);
    // Loaded with the first DNS round, not at start-up: an agent without DNS probes never pays for it (2.4 MiB of RSS,
    // docs/benchmarks.md). Later rounds get the module already loaded.
    const { encode, decode, RECURSION_DESIRED } = await import("dns-packet");
    if (round.signal.aborted) return stopped();
    const id = randomInt(0, 0x10000);
    const query = encode({
      type: "query",
      id,
      flags: RECURSION_DESIRED,
      questions: [{ type: settings.type, name: settings.name, class: "IN" }],
    });
    const exchange =
      settings.protocol === "tcp"
        ? await exchangeTcp(query, id, decode, settings, egress.localAddress, round.signal)
        : await exchangeUdp(query, id, decode, settings, egress.localAddress, round.signal, ignored);
    if ("reason" in exchange) return exchange.reason === STOPPED ? stopped() : failed(exchange.reason, ignoredCount());
    return evaluateDnsResponse(exchange.response, settings, exchange.answerMs, ignoredCount());
  } finally {
    clearTimeout(timer);
    context.signal.removeEventListener("abort", onAbort);
  }
}
