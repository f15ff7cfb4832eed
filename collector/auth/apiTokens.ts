import type { AuthStore, StoredApiToken } from "../store/authStore.js";
import type { RoleScope } from "./scope.js";
import { generateToken, hashToken } from "./tokens.js";

/**
 * Runs a write that may be skipped (last-used times, expired sessions, audit entries of refusals): skipped while the
 * store is failing, with a short lock wait, errors swallowed, so bookkeeping never stalls or fails a request.
 */
export type BestEffortWrite = (work: () => void) => void;

/** API tokens' last-used time is written at most this often, ms. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Creates an API token for scripts named `name` with `grant`; stores only its SHA-256 and returns the token
 * (`ww_…`, shown once) and its id.
 */
export function createApiToken(store: AuthStore, name: string, grant: RoleScope, nowMs: number): { id: number; token: string } {
  const token = generateToken(name);
  const id = store.addApiToken(name, hashToken(token), grant, nowMs);
  return { id, token };
}

/**
 * The live (not revoked) API token `token`, its last-used time brought up to date (at most once a minute, best
 * effort); null when unknown or revoked.
 */
export function findApiToken(store: AuthStore, token: string, nowMs: number, bestEffortWrite: BestEffortWrite): StoredApiToken | null {
  const found = store.apiTokenByHash(hashToken(token));
  if (!found || found.revokedAt !== null) return null;
  // A store that cannot take writes now (locked, failing) must neither refuse a valid token nor stall the request.
  if (found.lastUsedAt === null || nowMs - found.lastUsedAt >= TOUCH_EVERY_MS) bestEffortWrite(() => store.touchApiToken(found.id, nowMs));
  return found;
}
