import { randomInt } from "node:crypto";
import { isIP } from "node:net";
import type * as dnsPacket from "dns-packet";
import { z } from "zod";
import { durationMs } from "../../../config/units.js";
import { decideEgress } from "../egress.js";
import { exchangeTcp, exchangeUdp, ignoredSummary, STOPPED, type Ignored } from "./dnsExchange.js";
import type { ProbeContext, ProbeResult } from "../probe.js";

// A DNS name: labels of letters, digits, hyphens and underscores (_dmarc, _sip._udp), 253 characters at most.
const LABEL = "[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?";
const DNS_NAME = new RegExp(`^(?=.{1,253}\\.?$)${LABEL}(?:\\.${LABEL})*\\.?$`);
/** The protocol's limits on a DNS sample's answers. */
const MAX_ANSWERS = 32;
const MAX_ANSWER_CHARS = 255;

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
