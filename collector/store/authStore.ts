import type { RoleScope } from "../auth/scope.js";

/** A dashboard user as stored; `passwordHash` is scrypt (collector/auth/passwords.ts), never the password. */
export interface StoredUser {
  name: string;
  grant: RoleScope;
  passwordHash: string;
  disabled: boolean;
  /** UTC ms. */
  createdAt: number;
}

/** A login session as stored: only the SHA-256 of its id is kept. Times UTC ms. */
export interface StoredSession {
  idHash: string;
  user: string;
  /** The double-submit CSRF token bound to this session (readable cookie `ww_csrf`). */
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
}

/** An API token for scripts as stored: only the SHA-256 of the token is kept. Times UTC ms. */
export interface StoredApiToken {
  id: number;
  name: string;
  grant: RoleScope;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** A site (agent) token as listed: never the token or its hash. Times UTC ms. */
export interface SiteTokenEntry {
  site: string;
  /** The first 8 hex digits of the token's hash, to tell tokens of one site apart. */
  hashPrefix: string;
  createdAt: number;
  revokedAt: number | null;
}

/** One audit log entry: who did what to what, from where, and how it ended. `ts` UTC ms. */
export interface AuditEntry {
  ts: number;
  actor: string;
  /** e.g. `login`, `logout`, `incident.ack`, `incident.resolve`, `user.add`, `user.disable`, `token.revoke`. */
  action: string;
  target: string | null;
  ip: string | null;
  /** `ok`, or why it was refused (`bad_password`, `locked`, `disabled`, …). */
  outcome: string;
}

/**
 * Users, sessions, API tokens, site-token revocation and the audit log, in the metadata store's file. Each write is
 * durable before it returns. Names are unique; a disabled user's sessions are deleted with it.
 */
export interface AuthStore {
  addUser(user: StoredUser): void;
  getUser(name: string): StoredUser | null;
  listUsers(): StoredUser[];
  /** False when there is no such user. Deletes the user's sessions. */
  disableUser(name: string): boolean;
  /** False when there is no such user. Deletes the user's sessions (a reset logs everyone out). */
  setPassword(name: string, passwordHash: string): boolean;

  addSession(session: StoredSession): void;
  getSession(idHash: string): StoredSession | null;
  touchSession(idHash: string, lastSeenAt: number): void;
  deleteSession(idHash: string): void;
  /** Deletes sessions last seen before `idleBefore` or created before `createdBefore` (UTC ms); returns how many. */
  deleteExpiredSessions(idleBefore: number, createdBefore: number): number;

  /** Stores a new API token (its hash); returns its id. */
  addApiToken(name: string, tokenHash: string, grant: RoleScope, createdAt: number): number;
  /** The token with this hash, revoked or not, or null. */
  apiTokenByHash(tokenHash: string): StoredApiToken | null;
  touchApiToken(id: number, lastUsedAt: number): void;
  listApiTokens(): StoredApiToken[];
  /** False when there is no such token or it was revoked already. */
  revokeApiToken(id: number, revokedAt: number): boolean;

  listSiteTokens(): SiteTokenEntry[];
  /** Revokes every live token of `site`; returns how many (their agents are refused from then on). */
  revokeSiteTokens(site: string, revokedAt: number): number;

  audit(entry: AuditEntry): void;
  /** The newest entries first, at most `limit`, those at or after `fromTs`. */
  listAudit(fromTs: number, limit: number): AuditEntry[];
}
