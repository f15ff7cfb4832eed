import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook signatures. Every webhook request carries two headers:
 *
 *   X-Wardwatch-Timestamp: 1735689600
 *   X-Wardwatch-Signature: sha256=5d41402abc4b2a76b9719d911017c592...
 *
 * The signature is the lower-case hex HMAC-SHA256, keyed with the receiver's shared secret (UTF-8), of the bytes
 * `<timestamp>.<raw body>`: the timestamp header exactly as sent, one dot, then the request body exactly as
 * received (before any JSON parsing). A receiver checks it like this (any language):
 *
 *   1. read the raw body and both headers; reject if either header is missing;
 *   2. reject if the timestamp is more than 300 s away from its own clock (stops replays of old requests);
 *   3. compute "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)) and compare it with the header in
 *      constant time (crypto.timingSafeEqual, hmac.compare_digest, hash_equals), rejecting on a mismatch;
 *   4. only then parse the JSON, and drop duplicates by its `Idempotency-Key` header (the same for every retry).
 *
 * {@link verifyWebhook} is that check; the test receiver uses it too.
 */

const SIGNATURE_PATTERN = /^sha256=([0-9a-f]{64})$/;
/** Unix seconds as the timestamp header carries them: digits only, no sign, no leading spaces. */
const TIMESTAMP_PATTERN = /^(0|[1-9][0-9]{0,11})$/;

/** The `sha256=` signature header value for `body` sent at `timestampSec` (unix seconds), keyed with `secret`. */
export function signWebhook(secret: string, timestampSec: number | string, body: string | Buffer): string {
  return `sha256=${macHex(secret, String(timestampSec), body)}`;
}

/**
 * Whether `header` (the X-Wardwatch-Signature value) is a valid signature of `body` sent at `timestampSec` (the
 * X-Wardwatch-Timestamp value, unix seconds, as a number or as the header text) and that timestamp is within
 * `toleranceSec` seconds of `nowSec` either way. False for a missing or malformed header or timestamp. The digest
 * comparison is constant-time.
 */
export function verifyWebhook(
  secret: string,
  header: string | null | undefined,
  timestampSec: number | string | null | undefined,
  body: string | Buffer,
  nowSec: number,
  toleranceSec = 300,
): boolean {
  if (typeof header !== "string" || timestampSec === null || timestampSec === undefined) return false;
  const timestampText = String(timestampSec);
  if (!TIMESTAMP_PATTERN.test(timestampText)) return false;
  if (Math.abs(nowSec - Number(timestampText)) > toleranceSec) return false;
  const given = SIGNATURE_PATTERN.exec(header.trim().toLowerCase())?.[1];
  if (given === undefined) return false;
  const expected = Buffer.from(macHex(secret, timestampText, body), "utf8");
  return timingSafeEqual(expected, Buffer.from(given, "utf8"));
}

function macHex(secret: string, timestampText: string, body: string | Buffer): string {
  return createHmac("sha256", secret).update(`${timestampText}.`, "utf8").update(body).digest("hex");
}
