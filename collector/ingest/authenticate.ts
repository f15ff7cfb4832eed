import { hashToken, parseBearer } from "../auth/tokens.js";
import type { MetadataStore } from "../store/store.js";

/**
 * Stage 1 of ingest (**authenticate** → parse → fit → write → judge → publish), before the body is read: the site a
 * push's bearer token belongs to; `refused` (401) for a missing, malformed or unknown token; `store_unavailable` when
 * the store cannot be read to check it (the push is answered 503 and resent).
 */
export type Authentication =
  | { kind: "site"; site: string }
  | { kind: "refused"; error: "missing_token" | "invalid_token"; message: string }
  | { kind: "store_unavailable"; err: unknown };

/** Checks the `Authorization` header against the stored token hashes. Throws only for a fault not the store's (a bug). */
export function authenticatePush(authorization: string | undefined, store: Pick<MetadataStore, "siteForTokenHash" | "isUnavailableError">): Authentication {
  if (!authorization) return { kind: "refused", error: "missing_token", message: "Authorization: Bearer <site token> is required" };
  const token = parseBearer(authorization);
  let site: string | null = null;
  try {
    site = token ? store.siteForTokenHash(hashToken(token)) : null;
  } catch (err) {
    if (!store.isUnavailableError(err)) throw err;
    return { kind: "store_unavailable", err };
  }
  if (!site) return { kind: "refused", error: "invalid_token", message: "the bearer token is not a known site token" };
  return { kind: "site", site };
}
