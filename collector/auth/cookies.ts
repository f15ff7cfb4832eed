/** The session cookie: HttpOnly, SameSite=Strict, the session id (only its SHA-256 is stored). */
export const SESSION_COOKIE = "ww_session";

/** The CSRF cookie: readable by the page, which sends it back in {@link CSRF_HEADER} (double submit). */
export const CSRF_COOKIE = "ww_csrf";

/** The header a state-changing request made with a session must carry, equal to the {@link CSRF_COOKIE}. */
export const CSRF_HEADER = "x-csrf-token";

/** Longest Cookie header read, characters: a longer one is treated as carrying no cookies. */
const MAX_COOKIE_HEADER = 8192;

/** The cookies of a `Cookie` header, name → value (the first of a repeated name; values not decoded). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header || header.length > MAX_COOKIE_HEADER) return cookies;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** Options of a cookie set by the collector; `maxAgeS` 0 deletes it. */
export interface CookieOptions {
  httpOnly: boolean;
  secure: boolean;
  /** Seconds. */
  maxAgeS: number;
}

/** A `Set-Cookie` value: Path=/, SameSite=Strict, and the given flags. `value` must be cookie-safe (base64url). */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, "Path=/", "SameSite=Strict", `Max-Age=${options.maxAgeS}`];
  if (options.httpOnly) parts.push("HttpOnly");
  if (options.secure) parts.push("Secure");
  return parts.join("; ");
}
