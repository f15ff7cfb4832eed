import { lookup } from "node:dns/promises";
import { connect, isIP } from "node:net";
import { z } from "zod";
import { durationMs } from "../../../config/units.js";
import { decideEgress } from "../egress.js";
import type { ProbeContext, ProbeResult } from "../probe.js";

// RFC 1123 host name, as icmp.ts accepts it: dot-separated labels of letters, digits and inner hyphens.
const HOSTNAME = /^(?=.{1,253}\.?$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;
/** The protocol allows 500 characters of reason; Node's own error messages are far shorter. */
const MAX_REASON_CHARS = 200;

/** "host:port" split into its parts, or what is wrong with it. */
export function parseTcpTarget(text: string): { host: string; port: number } | { error: string } {
  const match = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (!match) {
    return text.startsWith("[") || isIP(text.replace(/:\d+$/, "")) === 6 || isIP(text) === 6
      ? { error: "must write an IPv6 address in brackets, followed by the port: [fd00::1]:554" }
      : { error: "must be host:port (examples: 192.168.1.20:554, [fd00::1]:554, app.tinh.example:443)" };
  }
  const host = match[1]!;
  const port = Number(match[2]);
  const bracketed = text.startsWith("[");
  if (bracketed ? isIP(host) !== 6 : isIP(host) !== 4 && !HOSTNAME.test(host)) {
    return { error: bracketed ? `'${host}' is not an IPv6 address` : `'${host}' is neither an IPv4 address nor a host name` };
  }
  if (port < 1 || port > 65535) return { error: `port ${port} is out of range (1 to 65535)` };
  return { host, port };
}

/**
 * One `kind: tcp` probe entry as written in the agent's YAML, parsed into {@link TcpProbeConfig}: `target` is
 * host:port (IPv4, [IPv6] or a host name), `timeout` must not exceed `interval`. Unknown keys are rejected.
 * See tcp.example.yaml beside this file for every key, its default and its range.
 */
export const tcpProbeSchema = z
  .strictObject({
    kind: z.literal("tcp"),
    target: z.string().transform((text, ctx) => {
      const parsed = parseTcpTarget(text);
      if ("error" in parsed) {
        ctx.addIssue({ code: "custom", message: `'${text}' ${parsed.error}` });
        return z.NEVER;
      }
      return { text, ...parsed };
    }),
    interval: durationMs(1000, 3_600_000).prefault("30s"),
    timeout: durationMs(10, 60_000).prefault("5s"),
  })
  .superRefine((probe, ctx) => {
    if (probe.timeout > probe.interval) {
      ctx.addIssue({ code: "custom", path: ["timeout"], message: `timeout (${probe.timeout} ms) must not exceed interval (${probe.interval} ms)` });
    }
  })
  .transform(
    (probe): TcpProbeConfig => ({
      kind: probe.kind,
      target: probe.target.text,
      host: probe.target.host,
      port: probe.target.port,
      intervalMs: probe.interval,
      timeoutMs: probe.timeout,
    }),
  );

/** A validated TCP probe: a connection to `host`:`port` every `intervalMs`; durations in ms. */
export interface TcpProbeConfig {
  kind: "tcp";
  /** host:port as written, e.g. "192.168.1.20:554" or "[fd00::1]:554" (the sample's target label). */
  target: string;
  /** IPv4 or IPv6 address (without brackets) or host name, resolved each round with the system resolver. */
  host: string;
  /** 1–65535. */
  port: number;
  /** Time between the starts of two rounds (the scheduler's business, not the probe's). */
  intervalMs: number;
  /** The whole round (name lookup, route check, handshake) must end within this. */
  timeoutMs: number;
}

/** What one round needs from the configuration. */
export type TcpRoundSettings = Pick<TcpProbeConfig, "host" | "port" | "timeoutMs">;

/**
 * One TCP round.
 * - `ok`: the handshake completed within the timeout (the connection is closed at once, nothing is sent).
 * - `connectMs`: time from opening the connection to its completion, ms (name lookup and route check excluded);
 *   null when not ok.
 * - `reason` (only when not ok): "connection refused", "timeout after N ms", "host unreachable",
 *   "network unreachable", "connection reset", "aborted", "cannot resolve HOST: CODE", "not via link: …"
 *   (the egress decision's reason), or Node's error text for anything rarer.
 */
export interface TcpRoundResult extends ProbeResult {
  ok: boolean;
  connectMs: number | null;
  reason?: string;
}

/** The operator's words for a failed connect (Node's error code), e.g. ECONNREFUSED → "connection refused". */
export function connectFailureReason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "EHOSTUNREACH":
      return "host unreachable";
    case "ENETUNREACH":
      return "network unreachable";
    case "ECONNRESET":
      return "connection reset";
    default:
      return err.message.slice(0, MAX_REASON_CHARS);
  }
}

const STOPPED = Symbol("stopped");

/** Why the round's signal fired: its own timeout or the caller's abort. */
function stopReason(signal: AbortSignal, timeoutMs: number): string {
  return signal.reason === "timeout" ? `timeout after ${timeoutMs} ms` : "aborted";
}

/** `work`, or STOPPED as soon as `signal` aborts (for steps that cannot be cancelled, such as getaddrinfo). */
function untilStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T | typeof STOPPED> {
  if (signal.aborted) return Promise.resolve(STOPPED);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(STOPPED);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => (signal.removeEventListener("abort", onAbort), resolve(value)),
      (err: unknown) => (signal.removeEventListener("abort", onAbort), reject(err)),
    );
  });
}

/** Opens one connection and closes it as soon as the handshake completes. */
function connectOnce(host: string, port: number, localAddress: string | undefined, signal: AbortSignal, timeoutMs: number): Promise<TcpRoundResult> {
  return new Promise((resolve) => {
    let settled = false;
    const started = performance.now();
    const socket = connect({ host, port, localAddress });
    const finish = (result: TcpRoundResult): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish({ ok: false, connectMs: null, reason: stopReason(signal, timeoutMs) });
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => finish({ ok: true, connectMs: roundMs(performance.now() - started) }));
    // Stays attached after finish, so that a late error on the destroyed socket is never unhandled.
    socket.on("error", (err: NodeJS.ErrnoException) => finish({ ok: false, connectMs: null, reason: connectFailureReason(err) }));
  });
}

async function tcpRound(settings: TcpRoundSettings, context: ProbeContext, signal: AbortSignal): Promise<TcpRoundResult> {
  const stopped = (): TcpRoundResult => ({ ok: false, connectMs: null, reason: stopReason(signal, settings.timeoutMs) });
  let address = settings.host;
  if (isIP(address) === 0) {
    // A link bound to a source address can only reach targets of that address's family.
    const family = isIP(context.bindTo.source ?? "");
    try {
      const resolved = await untilStopped(lookup(settings.host, family === 0 ? {} : { family }), signal);
      if (resolved === STOPPED) return stopped();
      address = resolved.address;
    } catch (err) {
      return { ok: false, connectMs: null, reason: `cannot resolve ${settings.host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
  }
  const egress = await decideEgress(address, context.bindTo, signal);
  if (signal.aborted) return stopped();
  if (!egress.ok) return { ok: false, connectMs: null, reason: `not via link: ${egress.reason}` };
  return connectOnce(address, settings.port, egress.localAddress, signal, settings.timeoutMs);
}

/**
 * One TCP round: connects to `settings.host`:`settings.port` (the validated config; `target` is only its label)
 * from the link's source address (see decideEgress; unbound for LAN devices) and closes the connection as soon as
 * it is established. Resolves (never rejects) within `timeoutMs`, and promptly with reason "aborted" once
 * `context.signal` aborts.
 */
export async function probeTcp(target: string, settings: TcpRoundSettings, context: ProbeContext): Promise<TcpRoundResult> {
  if (context.signal.aborted) return { ok: false, connectMs: null, reason: "aborted" };
  const round = new AbortController();
  const timer = setTimeout(() => round.abort("timeout"), settings.timeoutMs);
  const onAbort = (): void => round.abort("aborted");
  context.signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await tcpRound(settings, context, round.signal);
  } finally {
    clearTimeout(timer);
    context.signal.removeEventListener("abort", onAbort);
  }
}

/** ms rounded to the microsecond. */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
