import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Signed acknowledgement links: a vendor opens the link from the fault report and acknowledges the incident without
 * logging in. The link is `${publicUrl}/ack/${token}`, where
 *
 *   token   = payload "." signature
 *   payload = base64url(JSON {"i": incident id, "r": receiver id, "e": expiry, UTC ms})
 *   signature = base64url(HMAC-SHA256(key, payload as ASCII))
 *
 * Nobody without the key can make or alter a token, and a token stops working at its expiry.
 */

/** Bytes of a key made by {@link loadOrCreateAckKey}; also the least a signer accepts. */
export const ACK_KEY_BYTES = 32;

/** Longest token {@link AckLinkSigner.verify} looks at; real ones are about 120 characters. */
const MAX_TOKEN_CHARS = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** base64url of a 32-byte HMAC-SHA256, unpadded. */
const SIGNATURE_CHARS = 43;

/** What {@link AckLinkSigner.verify} found: the incident and receiver a valid token names, or why it is refused. */
export type AckLinkCheck =
  | { ok: true; incidentId: number; receiverId: string }
  | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

/** What a signer is built from. `ttlMs`: how long a link works after it was made; `now`: the clock, UTC ms. */
export interface AckLinkSignerOptions {
  key: Buffer;
  /** Base URL of the collector as vendors reach it, e.g. "https://wardwatch.example.gov.vn"; a trailing slash is dropped. */
  publicUrl: string;
  ttlMs: number;
  now: () => number;
}

/** Makes and checks signed acknowledgement links (see the module comment for the token format). */
export class AckLinkSigner {
  private readonly key: Buffer;
  private readonly publicUrl: string;
  private readonly ttlMs: number;
  private readonly now: () => number;

  /** Throws a RangeError when the key is shorter than 32 bytes or `ttlMs` is not a positive number. */
  constructor(options: AckLinkSignerOptions) {
    if (options.key.length < ACK_KEY_BYTES) throw new RangeError(`the acknowledgement link key must be at least ${ACK_KEY_BYTES} bytes`);
    if (!Number.isFinite(options.ttlMs) || options.ttlMs <= 0) throw new RangeError("ttlMs must be a positive number of milliseconds");
    this.key = Buffer.from(options.key);
    this.publicUrl = options.publicUrl.replace(/\/+$/, "");
    this.ttlMs = options.ttlMs;
    this.now = options.now;
  }

  /** The link for `receiverId` to acknowledge incident `incidentId`, valid for `ttlMs` from now. */
  link(incidentId: number, receiverId: string): string {
    return `${this.publicUrl}/ack/${this.token(incidentId, receiverId)}`;
  }

  /** The token part of {@link link}: URL-safe, no padding. */
  token(incidentId: number, receiverId: string): string {
    if (!Number.isSafeInteger(incidentId) || incidentId < 1) throw new RangeError(`incident id must be a positive integer, got ${incidentId}`);
    if (receiverId.length === 0) throw new RangeError("receiver id must not be empty");
    const payload = Buffer.from(JSON.stringify({ i: incidentId, r: receiverId, e: this.now() + this.ttlMs }), "utf8").toString("base64url");
    return `${payload}.${this.sign(payload)}`;
  }

  /**
   * Checks `token` (anything a client sent): `malformed` when it is not shaped like a token, `bad_signature` when the
   * signature does not match (a forged or altered token), `expired` when it is genuine but past its expiry. The
   * signature is checked, in constant time, before the payload is read. Never throws.
   */
  verify(token: unknown): AckLinkCheck {
    if (typeof token !== "string" || token.length > MAX_TOKEN_CHARS) return { ok: false, reason: "malformed" };
    const parts = token.split(".");
    if (parts.length !== 2) return { ok: false, reason: "malformed" };
    const [payload, signature] = parts as [string, string];
    if (!BASE64URL.test(payload) || !BASE64URL.test(signature) || signature.length !== SIGNATURE_CHARS) return { ok: false, reason: "malformed" };
    // Comparing the base64url text (not decoded bytes) also refuses other spellings of the same signature.
    if (!timingSafeEqual(Buffer.from(this.sign(payload), "ascii"), Buffer.from(signature, "ascii"))) return { ok: false, reason: "bad_signature" };
    const claims = parseClaims(payload);
    if (!claims) return { ok: false, reason: "malformed" };
    if (this.now() >= claims.e) return { ok: false, reason: "expired" };
    return { ok: true, incidentId: claims.i, receiverId: claims.r };
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.key).update(payload, "ascii").digest("base64url");
  }
}

function parseClaims(payload: string): { i: number; r: string; e: number } | null {
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (typeof claims !== "object" || claims === null) return null;
  const { i, r, e } = claims as Record<string, unknown>;
  if (typeof i !== "number" || !Number.isSafeInteger(i) || i < 1) return null;
  if (typeof r !== "string" || r.length === 0) return null;
  if (typeof e !== "number" || !Number.isFinite(e)) return null;
  return { i, r, e };
}

/**
 * The acknowledgement link key kept in `file` (the collector's data_dir), so links stay valid across restarts.
 * An existing file must hold exactly 32 bytes, raw or as 64 hex digits (surrounding whitespace ignored); otherwise
 * this throws an Error naming the file (never its content). When the file is absent, a key is made with
 * crypto.randomBytes and written as hex with mode 0600, atomically: a crash leaves either no file or a whole key,
 * and when two processes race, both end up with the one that was linked first.
 */
export function loadOrCreateAckKey(file: string): Buffer {
  const existing = readKeyFile(file);
  if (existing) return existing;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const key = randomBytes(ACK_KEY_BYTES);
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, `${key.toString("hex")}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // link() never replaces an existing file, unlike rename(): a key another process just wrote wins.
    linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    unlinkSync(temp);
  }
  return readKeyFile(file) ?? key;
}

function readKeyFile(file: string): Buffer | null {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const text = content.toString("latin1").trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  if (content.length === ACK_KEY_BYTES) return content;
  throw new Error(`acknowledgement link key file ${file} must hold ${ACK_KEY_BYTES} bytes, raw or as ${ACK_KEY_BYTES * 2} hex digits`);
}
