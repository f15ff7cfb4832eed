import type { HttpRoundResult, HttpRoundSettings, StatusRange } from "./http.js";
import type { Exchange, PhaseDurations } from "./httpExchange.js";

/** The protocol allows 500 characters of reason; ours stay far shorter (a quoted text or URL is cut). */
const MAX_QUOTED_CHARS = 100;
const DAY_MS = 86_400_000;

/** `text` cut to 100 characters (with "…") for quoting in a reason. */
export function quoted(text: string): string {
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
}

/** Ranges as an operator reads them: "200–399, 404". */
export function describeRanges(ranges: StatusRange[]): string {
  return ranges.map((range) => (range.min === range.max ? String(range.min) : `${range.min}–${range.max}`)).join(", ");
}

/** Whole days from `nowMs` until `notAfterMs` (both UTC ms), rounded down: −1 from the moment it has expired. */
export function certificateDaysLeft(notAfterMs: number, nowMs: number): number {
  return Math.floor((notAfterMs - nowMs) / DAY_MS);
}

/**
 * The result's phase times from one exchange's per-phase durations: each counted from the start of the hop, as
 * curl's -w times (see {@link HttpRoundResult}); null where the phase did not happen or finish.
 */
export function phaseTimes(durations: PhaseDurations): Pick<HttpRoundResult, "dnsMs" | "connectMs" | "tlsMs" | "firstByteMs"> {
  const { dnsMs } = durations;
  const connectMs = durations.connectMs === null ? null : (dnsMs ?? 0) + durations.connectMs;
  const tlsMs = durations.tlsMs === null || connectMs === null ? null : connectMs + durations.tlsMs;
  const handshakesMs = tlsMs ?? connectMs;
  const firstByteMs = durations.waitMs === null || handshakesMs === null ? null : handshakesMs + durations.waitMs;
  return { dnsMs, connectMs, tlsMs, firstByteMs };
}

/**
 * Judges a whole answer against the settings, in this order: status, body text, certificate expiry (days left
 * below certWarnDays). Returns the reason of the first check that fails, or null when all pass.
 */
export function judgeAnswer(exchange: Exchange, certDaysLeft: number | null, settings: HttpRoundSettings): string | null {
  const statusCode = exchange.statusCode ?? 0;
  if (!settings.expectStatus.some((range) => statusCode >= range.min && statusCode <= range.max)) {
    return `status ${statusCode} not expected (expected ${describeRanges(settings.expectStatus)})`;
  }
  const body = exchange.body ?? Buffer.alloc(0);
  if (settings.expectBody !== null && !body.includes(Buffer.from(settings.expectBody, "utf8"))) {
    const limited = body.length >= settings.maxBodyBytes ? ` (in the first ${settings.maxBodyBytes} bytes)` : "";
    return `body does not contain '${quoted(settings.expectBody)}'${limited}`;
  }
  if (certDaysLeft !== null && certDaysLeft < settings.certWarnDays) {
    if (certDaysLeft < 0) return `certificate expired ${-certDaysLeft} day${certDaysLeft === -1 ? "" : "s"} ago`;
    return `certificate expires in ${certDaysLeft} day${certDaysLeft === 1 ? "" : "s"}`;
  }
  return null;
}
