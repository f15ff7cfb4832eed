import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** scrypt cost of a new hash: N = 2^15, r = 8, p = 1 (32 MiB; one verify took 151 ms on the 2-core build machine under test load: login only). */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;

/** Shortest password accepted, characters. */
export const MIN_PASSWORD_LENGTH = 12;

/** Longest password accepted, characters (scrypt hashes any length; this bounds the work of a hostile request). */
export const MAX_PASSWORD_LENGTH = 256;

const KEY_BYTES = 32;
const STORED_PATTERN = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r * 2 };
  return new Promise((resolve, reject) => scrypt(password.normalize("NFC"), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** A stored form of `password`: `scrypt$N$r$p$salt$key` (base64url, a 16-byte random salt). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT_PARAMS);
  return `scrypt$${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/**
 * Whether `password` matches `stored` (from {@link hashPassword}); constant-time in the key comparison. A stored
 * form that does not parse, or with a cost above 2^20, never matches.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = STORED_PATTERN.exec(stored);
  if (!match || password.length > MAX_PASSWORD_LENGTH) return false;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (N > 2 ** 20 || r > 32 || p > 16) return false;
  const expected = Buffer.from(match[5]!, "base64url");
  const key = await derive(password, Buffer.from(match[4]!, "base64url"), { N, r, p });
  return expected.length === key.length && timingSafeEqual(expected, key);
}

/** A stored form no password matches: compared against when the user does not exist, so timing does not tell. */
export const DUMMY_PASSWORD_HASH = `scrypt$${SCRYPT_PARAMS.N}$8$1$${Buffer.alloc(16).toString("base64url")}$${Buffer.alloc(KEY_BYTES).toString("base64url")}`;

/** A generated password: 18 random bytes in base64url (24 characters, 144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

/** Why `password` cannot be set, or null when it can. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `the password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `the password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}
