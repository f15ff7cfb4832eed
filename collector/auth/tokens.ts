import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Prefix of every agent token, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_PREFIX = "ww_";

/** Longest token `parseBearer` accepts, characters (a generated one is 46). */
export const MAX_TOKEN_LENGTH = 200;

const BEARER_PATTERN = /^bearer +([A-Za-z0-9_-]+)$/i;

/**
 * A new agent token for `site`: `ww_` followed by 32 random bytes in base64url (43 characters).
 * The site id is deliberately not embedded: the token is an opaque secret, and the collector maps it to its
 * site through the stored hash ({@link hashToken}). `site` is taken only so call sites read as what they do.
 */
export function generateToken(site: string): string {
  void site;
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

/**
 * SHA-256 hex digest of a token, the only form the collector stores. A fast hash is right here: tokens carry
 * 256 random bits, so there is nothing to brute-force that a slow password hash (scrypt, argon2) would protect,
 * and every push is authenticated, so a slow hash would only cost CPU.
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * The token of an `Authorization: Bearer <token>` header value (scheme case-insensitive), or null when the
 * header is missing, uses another scheme, has an empty token, a token over {@link MAX_TOKEN_LENGTH} characters,
 * or characters outside base64url (A–Z, a–z, 0–9, '-', '_').
 */
export function parseBearer(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = BEARER_PATTERN.exec(header.trim());
  const token = match?.[1];
  if (token === undefined || token.length > MAX_TOKEN_LENGTH) return null;
  return token;
}

/**
 * Constant-time comparison of two tokens. Both are hashed first, so neither their contents nor a length
 * difference shows in the timing (timingSafeEqual itself requires equal lengths).
 */
export function tokensEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a, "utf8").digest(), createHash("sha256").update(b, "utf8").digest());
}
