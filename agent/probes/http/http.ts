import { z } from "zod";
import { deadlineSignal } from "../../deadlineSignal.js";
import { durationMs, sizeBytes } from "../../../config/units.js";
import { exchangeOnce, isRedirectStatus } from "./httpExchange.js";
import { certificateDaysLeft, judgeAnswer, phaseTimes, quoted } from "./httpVerdict.js";
import type { ProbeContext, ProbeResult } from "../probe.js";

/** An inclusive range of HTTP status codes, e.g. 200–399; a single code has min = max. */
export interface StatusRange {
  min: number;
  max: number;
}

/** One `expect_status` item: a code (404) or a class ("2xx"), as a range. */
const statusItemSchema = z.union([
  z
    .number()
    .int()
    .min(100)
    .max(599)
    .transform((code): StatusRange => ({ min: code, max: code })),
  z
    .string()
    .regex(/^[1-5]xx$/, "must be a status code (e.g. 404) or a class 1xx–5xx")
    .transform((text): StatusRange => ({ min: Number(text[0]) * 100, max: Number(text[0]) * 100 + 99 })),
]);

/** Sorts ranges and merges overlapping or adjacent ones (2xx + 3xx → 200–399). */
function mergeRanges(ranges: StatusRange[]): StatusRange[] {
  const merged: StatusRange[] = [];
  for (const range of [...ranges].sort((a, b) => a.min - b.min)) {
    const last = merged.at(-1);
    if (last && range.min <= last.max + 1) last.max = Math.max(last.max, range.max);
    else merged.push({ ...range });
  }
  return merged;
}

/** `text` (relative to `base`, if given) as an http: or https: URL, or null. */
function httpUrl(text: string, base?: URL): URL | null {
  const url = URL.canParse(text, base?.href) ? new URL(text, base) : null;
  return url && (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "" ? url : null;
}

const httpUrlSchema = z
  .string()
  .max(2048)
  .superRefine((text, ctx) => {
    const url = httpUrl(text);
    if (!url) {
      ctx.addIssue({ code: "custom", message: `'${quoted(text)}' is not an http:// or https:// URL` });
    } else if (url.username !== "" || url.password !== "") {
      // The URL is the sample's target: it is logged and sent to the collector.
      ctx.addIssue({ code: "custom", message: "must not contain a user name or password" });
    }
  });

/**
 * One `kind: http` probe entry as written in the agent's YAML (snake_case, durations and sizes as strings), parsed
 * into {@link HttpProbeConfig}. Unknown keys are rejected; `timeout` must fit in `interval`; `expect_body` needs GET.
 * See http.example.yaml beside this file for every key, its default and its range.
 */
export const httpProbeSchema = z
  .strictObject({
    kind: z.literal("http"),
    url: httpUrlSchema,
    interval: durationMs(1000, 3_600_000).prefault("30s"),
    timeout: durationMs(100, 120_000).prefault("10s"),
    method: z.enum(["GET", "HEAD"]).default("GET"),
    expect_status: z.array(statusItemSchema).min(1).max(32).prefault(["2xx", "3xx"]),
    expect_body: z.string().min(1).max(1024).optional(),
    max_body_bytes: sizeBytes(1, 64 * 1024 * 1024).prefault("256kb"),
    max_redirects: z.number().int().min(0).max(20).default(5),
    tls_insecure: z.boolean().default(false),
    cert_warn_days: z.number().int().min(0).max(365).default(14),
  })
  .superRefine((probe, ctx) => {
    if (probe.timeout > probe.interval) {
      ctx.addIssue({ code: "custom", path: ["timeout"], message: `timeout (${probe.timeout} ms) is longer than interval (${probe.interval} ms)` });
    }
    if (probe.expect_body !== undefined && probe.method === "HEAD") {
      ctx.addIssue({ code: "custom", path: ["expect_body"], message: "a HEAD answer has no body to search: use method GET" });
    }
    if (probe.expect_body !== undefined && Buffer.byteLength(probe.expect_body) > probe.max_body_bytes) {
      ctx.addIssue({ code: "custom", path: ["expect_body"], message: `is longer than max_body_bytes (${probe.max_body_bytes})` });
    }
  })
  .transform(
    (probe): HttpProbeConfig => ({
      kind: probe.kind,
      target: probe.url,
      intervalMs: probe.interval,
      timeoutMs: probe.timeout,
      method: probe.method,
      expectStatus: mergeRanges(probe.expect_status),
      expectBody: probe.expect_body ?? null,
      maxBodyBytes: probe.max_body_bytes,
      maxRedirects: probe.max_redirects,
      tlsInsecure: probe.tls_insecure,
      certWarnDays: probe.cert_warn_days,
    }),
  );

/** A validated HTTP(S) probe: one request to `target` every `intervalMs`; durations in ms, sizes in bytes. */
export interface HttpProbeConfig {
  kind: "http";
  /** The http:// or https:// URL (YAML key `url`), without credentials. */
  target: string;
  /** Time between the starts of two rounds (the scheduler's business, not the probe's). */
  intervalMs: number;
  /** The whole round, redirects included, must end within this. */
  timeoutMs: number;
  method: "GET" | "HEAD";
  /** Status codes that count as success (of the last answer, after redirects): sorted, merged ranges. */
  expectStatus: StatusRange[];
  /** Text the body must contain (compared as UTF-8 bytes), or null. */
  expectBody: string | null;
  /** The body is read up to this many bytes; the rest is neither read nor searched. */
  maxBodyBytes: number;
  /** Redirects followed (each hop bound to the link again); 0 = none, a 3xx is then judged like any status. */
  maxRedirects: number;
  /** Skip certificate verification; the expiry is still read and judged. */
  tlsInsecure: boolean;
  /** The round is not ok when the certificate expires in fewer than this many whole days; 0 = only when expired. */
  certWarnDays: number;
}

/** What one round needs from the configuration (the target is passed on its own; the interval is the scheduler's). */
export type HttpRoundSettings = Omit<HttpProbeConfig, "kind" | "target" | "intervalMs">;

/**
 * One round of an HTTP(S) probe.
 * - `ok`: the last answer's status is expected, its body contains `expectBody`, its certificate (https) verifies
 *   (unless tlsInsecure) and expires in certWarnDays days or more, all within the timeout.
 * - Phase times, ms from the start of the last hop (as curl's time_namelookup, time_connect, time_appconnect,
 *   time_starttransfer), without the agent's own route check: `dnsMs` the lookup (null for an IP-literal host:
 *   no lookup happens), `connectMs` lookup + TCP handshake, `tlsMs` that + TLS handshake (null for http:),
 *   `firstByteMs` that + waiting for the response headers. Each is null when its phase did not happen or finish.
 *   So the TCP handshake alone is connectMs − (dnsMs ?? 0).
 * - `totalMs`: the whole round (every hop, less the agent's own route checks) until the last body was read to its end or to
 *   maxBodyBytes; null when the round failed before a whole answer (timeout, refused, certificate error …).
 * - `certDaysLeft`: whole days until the last hop's leaf certificate's notAfter (floor; negative when expired),
 *   null for http: or when no certificate was seen. `redirects`: redirects followed. `bodyBytes`: body bytes read
 *   (at most maxBodyBytes; 0 for HEAD; those read before a cut), null when no answer came.
 * - `reason` (only when not ok): "timeout after N ms (in dns|route check|connect|tls|first byte|body)",
 *   "connection refused", "status 503 not expected (expected 200–399)", "body does not contain '…'",
 *   "certificate expires in 3 days", "certificate expired 2 days ago", "certificate error: CODE", "tls error: CODE",
 *   "too many redirects (5)", "not via link: <egress reason>", "dns: host not found", "malformed response: …",
 *   "body cut off after N bytes (CODE)", "aborted".
 */
export interface HttpRoundResult extends ProbeResult {
  statusCode: number | null;
  dnsMs: number | null;
  connectMs: number | null;
  tlsMs: number | null;
  firstByteMs: number | null;
  totalMs: number | null;
  certDaysLeft: number | null;
  redirects: number;
  bodyBytes: number | null;
}

/**
 * One HTTP(S) round against the URL `target`: each hop over a new connection bound to `context.bindTo` (see
 * decideEgress; a hop that would leave through another link fails), redirects followed up to maxRedirects.
 * Resolves (never rejects) within timeoutMs (plus a few ms of teardown), and promptly after `context.signal` aborts
 * (ok false, reason "aborted"). Persists nothing and mutates nothing it is given.
 */
export async function probeHttp(target: string, settings: HttpRoundSettings, context: ProbeContext): Promise<HttpRoundResult> {
  const started = performance.now();
  const nothing: HttpRoundResult = {
    ok: false,
    statusCode: null,
    dnsMs: null,
    connectMs: null,
    tlsMs: null,
    firstByteMs: null,
    totalMs: null,
    certDaysLeft: null,
    redirects: 0,
    bodyBytes: null,
  };
  if (context.signal.aborted) return { ...nothing, reason: "aborted" };
  const url = httpUrl(target);
  if (!url) return { ...nothing, reason: `'${quoted(target)}' is not an http:// or https:// URL` };
  const round = deadlineSignal(context.signal, settings.timeoutMs);
  try {
    return await followHops(url, settings, context, round.signal, started);
  } finally {
    round.release();
  }
}

/** The hops of one round (see {@link probeHttp}), ended by `signal`; `started` is the round's start (performance.now()). */
async function followHops(firstUrl: URL, settings: HttpRoundSettings, context: ProbeContext, signal: AbortSignal, started: number): Promise<HttpRoundResult> {
  let url = firstUrl;
  let redirects = 0;
  let routeCheckMs = 0;
  for (;;) {
    const exchange = await exchangeOnce({
      url,
      method: settings.method,
      maxBodyBytes: settings.maxBodyBytes,
      followRedirects: settings.maxRedirects > 0,
      tlsInsecure: settings.tlsInsecure,
      bindTo: context.bindTo,
      signal,
    });
    routeCheckMs += exchange.routeCheckMs;
    const lastHop: HttpRoundResult = {
      ok: false,
      statusCode: exchange.statusCode,
      ...phaseTimes(exchange.durations),
      totalMs: null,
      certDaysLeft: exchange.certNotAfterMs === null ? null : certificateDaysLeft(exchange.certNotAfterMs, Date.now()),
      redirects,
      bodyBytes: exchange.body?.length ?? null,
    };
    if (exchange.failure?.kind === "aborted") {
      const reason = context.signal.aborted ? "aborted" : `timeout after ${settings.timeoutMs} ms (in ${exchange.failure.phase})`;
      return { ...lastHop, reason };
    }
    if (exchange.failure) return { ...lastHop, reason: exchange.failure.reason };

    // The agent's own route checks (an `ip route get` per hop) are not the network's time.
    const answered = { ...lastHop, totalMs: performance.now() - started - routeCheckMs };
    const redirected = settings.maxRedirects > 0 && exchange.location !== null && isRedirectStatus(exchange.statusCode ?? 0);
    if (!redirected) {
      const failure = judgeAnswer(exchange, answered.certDaysLeft, settings);
      return failure === null ? { ...answered, ok: true } : { ...answered, reason: failure };
    }
    if (redirects === settings.maxRedirects) return { ...answered, reason: `too many redirects (${settings.maxRedirects})` };
    const next = httpUrl(exchange.location!, url);
    if (!next) return { ...answered, reason: `redirect to an unsupported location '${quoted(exchange.location!)}'` };
    redirects += 1;
    url = next;
  }
}
