import { isIP } from "node:net";
import { z } from "zod";

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Parses "500ms", "10s", "5m", "1h", "2d" (or "1m30s") into milliseconds; undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text.trim()) return undefined;
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * DURATION_UNITS_MS[unit!]!, 0);
}

/** Parses "512kb", "64mb", "1gb" or a plain number of bytes; undefined when malformed. */
export function parseSizeBytes(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * SIZE_UNITS_BYTES[(match[2] ?? "b").toLowerCase()]!);
}

/** A duration string such as "10s" (see {@link parseDurationMs}), parsed to ms and checked against [minMs, maxMs]. */
export function durationMs(minMs: number, maxMs: number) {
  return z.string().transform((text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: `'${text}' is not a duration (examples: 500ms, 10s, 5m, 1h)` });
      return z.NEVER;
    }
    if (ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: "custom", message: `${text} is out of range (${minMs} ms to ${maxMs} ms)` });
      return z.NEVER;
    }
    return ms;
  });
}

/** A size such as "64mb" or a number of bytes, parsed to bytes and checked against [minBytes, maxBytes]. */
export function sizeBytes(minBytes: number, maxBytes: number) {
  return z.union([z.number().int(), z.string()]).transform((value, ctx) => {
    const bytes = typeof value === "number" ? value : parseSizeBytes(value);
    if (bytes === undefined) {
      ctx.addIssue({ code: "custom", message: `'${value}' is not a size (examples: 512kb, 64mb, 1gb)` });
      return z.NEVER;
    }
    if (bytes < minBytes || bytes > maxBytes) {
      ctx.addIssue({ code: "custom", message: `${value} is out of range (${minBytes} to ${maxBytes} bytes)` });
      return z.NEVER;
    }
    return bytes;
  });
}

/** Whether `host` (brackets removed) can be listened on: an IPv6 address in brackets, an IPv4 address or a host name. */
function isListenHost(host: string, bracketed: boolean): boolean {
  if (bracketed) return isIP(host) === 6;
  // All digits and dots is meant as an address (999.1.1.1 would otherwise pass as a host name and fail at start).
  if (/^[\d.]+$/.test(host)) return isIP(host) === 4;
  return /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/.test(host);
}

/** "host:port" with an IPv4 address, a host name ("localhost") or "[IPv6]", port 0–65535; parsed to { host, port }. */
export const listenAddressSchema = z.string().transform((text, ctx) => {
  const match = /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535 || !isListenHost(match[1]!.replace(/^\[|\]$/g, ""), match[1]!.startsWith("["))) {
    ctx.addIssue({ code: "custom", message: `'${text}' is not host:port (example: 127.0.0.1:8080)` });
    return z.NEVER;
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ""), port };
});

/** A listen address, see {@link listenAddressSchema}. */
export type ListenAddress = z.infer<typeof listenAddressSchema>;
