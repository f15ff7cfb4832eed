import type { IncomingHttpHeaders } from "node:http";

/** Methods that change something: they need a same-origin page (and, with a session, the CSRF token). */
export const STATE_CHANGING_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The origin of a URL (`https://host:port`, lower case), or null when it is not an http(s) URL. */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin.toLowerCase() : null;
  } catch {
    return null;
  }
}

/**
 * Whose pages may call the collector with a browser's credentials: the collector's own origin (the request's Host,
 * whatever the scheme, so a TLS-terminating proxy in front needs no setting), `public_url`'s origin and
 * `http.allowed_origins`.
 */
export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(publicUrl: string, allowedOrigins: readonly string[]) {
    const own = originOf(publicUrl);
    this.allowed = new Set([...(own ? [own] : []), ...allowedOrigins.map((origin) => origin.toLowerCase())]);
  }

  /**
   * Why a request with these headers is refused as coming from a foreign page, or null: `Sec-Fetch-Site: cross-site`,
   * an `Origin` (also `null`, a sandboxed or opaque page) that is neither the Host's nor allowed. A request with
   * neither header (a script, curl) passes: it carries no browser credential a foreign page could have lent it.
   */
  foreignReason(headers: IncomingHttpHeaders): string | null {
    if (headers["sec-fetch-site"] === "cross-site") return "the request comes from another site's page (Sec-Fetch-Site: cross-site)";
    const origin = headers.origin;
    if (origin === undefined) return null;
    if (this.isAllowed(origin, headers.host)) return null;
    return `the request comes from a page of ${JSON.stringify(origin.slice(0, 100))}, not of this collector (allowed origins: http.allowed_origins)`;
  }

  /** Whether a page of `origin` may call a collector reached as `host` (the Host header). */
  isAllowed(origin: string, host: string | undefined): boolean {
    const lower = origin.toLowerCase();
    if (this.allowed.has(lower)) return true;
    const parsed = originOf(lower);
    if (!parsed || parsed !== lower || host === undefined) return false;
    return new URL(parsed).host === host.toLowerCase();
  }
}
