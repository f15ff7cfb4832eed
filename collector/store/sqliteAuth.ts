import type Database from "better-sqlite3";
import { roleScopeSchema, type RoleScope } from "../auth/scope.js";
import type { AuditEntry, AuthStore, SiteTokenEntry, StoredApiToken, StoredSession, StoredUser } from "./authStore.js";

interface GrantColumns {
  role: string;
  provider: string | null;
  site: string | null;
}

/** The grant of a row; a row whose role or scope does not parse fails loudly, naming `what`. */
function grantOf(row: GrantColumns, what: string): RoleScope {
  const raw = row.role === "vendor" ? { role: row.role, provider: row.provider } : row.role === "ward" ? { role: row.role, site: row.site } : { role: row.role };
  const parsed = roleScopeSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`stored ${what} has a malformed role or scope: ${parsed.error.message}`);
  return parsed.data;
}

function grantColumns(grant: RoleScope): GrantColumns {
  return { role: grant.role, provider: grant.role === "vendor" ? grant.provider : null, site: grant.role === "ward" ? grant.site : null };
}

interface UserRow extends GrantColumns {
  name: string;
  password_hash: string;
  disabled: number;
  created_at: number;
}

interface ApiTokenRow extends GrantColumns {
  id: number;
  name: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const toUser = (row: UserRow): StoredUser => ({ name: row.name, grant: grantOf(row, `user '${row.name}'`), passwordHash: row.password_hash, disabled: row.disabled !== 0, createdAt: row.created_at });
const toApiToken = (row: ApiTokenRow): StoredApiToken => ({
  id: row.id,
  name: row.name,
  grant: grantOf(row, `API token ${row.id}`),
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

/** {@link AuthStore} in the metadata store's SQLite file (tables of migration 5, sqliteSchema.ts). */
export class SqliteAuthStore implements AuthStore {
  constructor(private readonly db: Database.Database) {}

  /** Throws when a user of that name exists. */
  addUser(user: StoredUser): void {
    const { role, provider, site } = grantColumns(user.grant);
    this.db
      .prepare("INSERT INTO users (name, role, provider, site, password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(user.name, role, provider, site, user.passwordHash, user.disabled ? 1 : 0, user.createdAt);
  }

  getUser(name: string): StoredUser | null {
    const row = this.db.prepare("SELECT * FROM users WHERE name = ?").get(name) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  listUsers(): StoredUser[] {
    return (this.db.prepare("SELECT * FROM users ORDER BY name").all() as UserRow[]).map(toUser);
  }

  disableUser(name: string): boolean {
    return this.db.transaction(() => {
      const changed = this.db.prepare("UPDATE users SET disabled = 1 WHERE name = ?").run(name).changes > 0;
      this.db.prepare("DELETE FROM sessions WHERE user_name = ?").run(name);
      return changed;
    })();
  }

  setPassword(name: string, passwordHash: string): boolean {
    return this.db.transaction(() => {
      const changed = this.db.prepare("UPDATE users SET password_hash = ? WHERE name = ?").run(passwordHash, name).changes > 0;
      this.db.prepare("DELETE FROM sessions WHERE user_name = ?").run(name);
      return changed;
    })();
  }

  addSession(session: StoredSession): void {
    this.db
      .prepare("INSERT INTO sessions (id_hash, user_name, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)")
      .run(session.idHash, session.user, session.csrfToken, session.createdAt, session.lastSeenAt);
  }

  getSession(idHash: string): StoredSession | null {
    const row = this.db.prepare("SELECT * FROM sessions WHERE id_hash = ?").get(idHash) as
      | { id_hash: string; user_name: string; csrf_token: string; created_at: number; last_seen_at: number }
      | undefined;
    return row ? { idHash: row.id_hash, user: row.user_name, csrfToken: row.csrf_token, createdAt: row.created_at, lastSeenAt: row.last_seen_at } : null;
  }

  touchSession(idHash: string, lastSeenAt: number): void {
    this.db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?").run(lastSeenAt, idHash);
  }

  deleteSession(idHash: string): void {
    this.db.prepare("DELETE FROM sessions WHERE id_hash = ?").run(idHash);
  }

  deleteExpiredSessions(idleBefore: number, createdBefore: number): number {
    return this.db.prepare("DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?").run(idleBefore, createdBefore).changes;
  }

  addApiToken(name: string, tokenHash: string, grant: RoleScope, createdAt: number): number {
    const { role, provider, site } = grantColumns(grant);
    const result = this.db.prepare("INSERT INTO api_tokens (name, token_hash, role, provider, site, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(name, tokenHash, role, provider, site, createdAt);
    return Number(result.lastInsertRowid);
  }

  apiTokenByHash(tokenHash: string): StoredApiToken | null {
    const row = this.db.prepare("SELECT * FROM api_tokens WHERE token_hash = ?").get(tokenHash) as ApiTokenRow | undefined;
    return row ? toApiToken(row) : null;
  }

  touchApiToken(id: number, lastUsedAt: number): void {
    this.db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(lastUsedAt, id);
  }

  listApiTokens(): StoredApiToken[] {
    return (this.db.prepare("SELECT * FROM api_tokens ORDER BY id").all() as ApiTokenRow[]).map(toApiToken);
  }

  revokeApiToken(id: number, revokedAt: number): boolean {
    return this.db.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(revokedAt, id).changes > 0;
  }

  listSiteTokens(): SiteTokenEntry[] {
    const rows = this.db.prepare("SELECT site, substr(token_hash, 1, 8) AS prefix, created_at, revoked_at FROM tokens ORDER BY site, created_at").all() as Array<{
      site: string;
      prefix: string;
      created_at: number;
      revoked_at: number | null;
    }>;
    return rows.map((row) => ({ site: row.site, hashPrefix: row.prefix, createdAt: row.created_at, revokedAt: row.revoked_at }));
  }

  revokeSiteTokens(site: string, revokedAt: number): number {
    return this.db.prepare("UPDATE tokens SET revoked_at = ? WHERE site = ? AND revoked_at IS NULL").run(revokedAt, site).changes;
  }

  audit(entry: AuditEntry): void {
    this.db.prepare("INSERT INTO audit_log (ts, actor, action, target, ip, outcome) VALUES (?, ?, ?, ?, ?, ?)").run(entry.ts, entry.actor, entry.action, entry.target, entry.ip, entry.outcome);
  }

  listAudit(fromTs: number, limit: number): AuditEntry[] {
    return this.db.prepare("SELECT ts, actor, action, target, ip, outcome FROM audit_log WHERE ts >= ? ORDER BY id DESC LIMIT ?").all(fromTs, limit) as AuditEntry[];
  }
}
