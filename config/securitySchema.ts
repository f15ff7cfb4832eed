import { z } from "zod";
import { secretRefSchema, type SecretRef } from "./alertingSchema.js";

/** An origin as browsers send it: scheme, host and optional port, nothing after (e.g. `https://giamsat.tinh.gov.vn`). */
const originSchema = z
  .string()
  .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/, "must be an origin such as https://giamsat.example.gov.vn (scheme, host, optional port; no path)");

/**
 * `http:` — how the collector treats browsers (docs/security.md): `secure_cookies` marks the session cookies Secure
 * even on a plain-HTTP request (behind a TLS-terminating proxy; they are always Secure on an https request);
 * `allowed_origins`: origins besides the collector's own (its Host, and public_url) whose pages may change things and
 * open the live feed; `max_live_clients`: WebSocket clients at once (more are refused with 503).
 */
export const httpSchema = z
  .strictObject({
    secure_cookies: z.boolean().default(false),
    allowed_origins: z.array(originSchema).max(50).default([]),
    max_live_clients: z.number().int().min(1).max(100_000).default(200),
  })
  .prefault({});

/** `metrics:` — `scrape_token`: the bearer token that lets a Prometheus not on loopback read /metrics. */
export const metricsSchema = z.strictObject({ scrape_token: secretRefSchema.optional() }).prefault({});

/** The validated `http:` section. */
export interface HttpConfig {
  secureCookies: boolean;
  /** Lower-cased origins, without a trailing slash. */
  allowedOrigins: string[];
  maxLiveClients: number;
}

/** The validated `metrics:` section; the scrape token still a reference (resolved when the collector starts). */
export interface MetricsConfig {
  scrapeToken: SecretRef | null;
}

/** The domain form of both sections. */
export function toSecurityConfig(http: z.output<typeof httpSchema>, metrics: z.output<typeof metricsSchema>): { http: HttpConfig; metrics: MetricsConfig } {
  return {
    http: { secureCookies: http.secure_cookies, allowedOrigins: http.allowed_origins.map((origin) => origin.toLowerCase()), maxLiveClients: http.max_live_clients },
    metrics: { scrapeToken: metrics.scrape_token ?? null },
  };
}
