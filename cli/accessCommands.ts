import { userInfo } from "node:os";
import type { CollectorConfig } from "../config/collectorSchema.js";
import { createApiToken } from "../collector/auth/apiTokens.js";
import { userNameSchema } from "../collector/auth/authRoutes.js";
import { generatePassword, hashPassword, passwordProblem } from "../collector/auth/passwords.js";
import { ROLES, roleScopeSchema, type RoleScope } from "../collector/auth/scope.js";
import { openStore } from "../collector/main.js";
import type { SqliteMetadataStore } from "../collector/store/sqlite.js";

/** A mistake on the command line, answered with exit code 1 and the message. */
export class AccessUsageError extends Error {}

/** The options the access commands read. */
export interface AccessOptions {
  role?: string | undefined;
  provider?: string | undefined;
  site?: string | undefined;
  passwordStdin?: boolean | undefined;
}

/** What a command prints: `stdout` (a secret shown once, or a listing) and `stderr` (what was done). */
export interface AccessOutput {
  stdout: string;
  stderr: string;
}

/** The actor of changes made from the command line, in the audit log: `cli:<OS user>`. */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli";
  }
}

/** The role and scope the options give, each checked against the configuration (a known provider or site). */
export function grantFromOptions(config: CollectorConfig, options: AccessOptions): RoleScope {
  const role = options.role;
  if (!role || !(ROLES as readonly string[]).includes(role)) throw new AccessUsageError(`--role must be one of: ${ROLES.join(", ")}`);
  if (role === "vendor") {
    const known = config.providers.map((p) => p.id);
    if (!options.provider || !known.includes(options.provider)) throw new AccessUsageError(`a vendor needs --provider ID (known: ${known.join(", ")})`);
  }
  if (role === "ward") {
    const known = config.sites.map((s) => s.id);
    if (!options.site || !known.includes(options.site)) throw new AccessUsageError(`a ward needs --site ID (known: ${known.join(", ")})`);
  }
  if ((role !== "vendor" && options.provider) || (role !== "ward" && options.site)) throw new AccessUsageError("--provider is only for a vendor, --site only for a ward");
  return roleScopeSchema.parse(role === "vendor" ? { role, provider: options.provider } : role === "ward" ? { role, site: options.site } : { role });
}

function describeGrant(grant: RoleScope): string {
  return grant.role === "vendor" ? `vendor of ${grant.provider}` : grant.role === "ward" ? `ward of ${grant.site}` : "province";
}

function withStore<T>(config: CollectorConfig, work: (store: SqliteMetadataStore) => T): T {
  const store = openStore(config);
  try {
    return work(store);
  } finally {
    store.close();
  }
}

/** The new password: read from stdin (`--password-stdin`, first line) and checked, or generated (then printed once). */
async function newPassword(options: AccessOptions, readStdin: () => Promise<string>): Promise<{ password: string; generated: boolean }> {
  if (!options.passwordStdin) return { password: generatePassword(), generated: true };
  const password = (await readStdin()).split(/\r?\n/)[0] ?? "";
  const problem = passwordProblem(password);
  if (problem) throw new AccessUsageError(problem);
  return { password, generated: false };
}

/**
 * `user add NAME --role R [--provider ID] [--site ID] [--password-stdin]`, `user list`, `user disable NAME`,
 * `user reset-password NAME [--password-stdin]`. A generated password is printed once on stdout; only its scrypt
 * hash is stored. Every change is in the audit log.
 */
export async function userCommand(config: CollectorConfig, args: string[], options: AccessOptions, readStdin: () => Promise<string>): Promise<AccessOutput> {
  const [action, name, ...extra] = args;
  const nowMs = Date.now();
  if (action === "list" && name === undefined) {
    const users = withStore(config, (store) => store.auth.listUsers());
    const lines = users.map((u) => `${u.name}\t${describeGrant(u.grant)}\t${u.disabled ? "disabled" : "enabled"}\t${new Date(u.createdAt).toISOString()}`);
    return { stdout: lines.length > 0 ? `${lines.join("\n")}\n` : "", stderr: lines.length > 0 ? "" : "no users yet: wardwatch user add admin --role province\n" };
  }
  if (!name || extra.length > 0 || !["add", "disable", "reset-password"].includes(action ?? "")) {
    throw new AccessUsageError("usage: wardwatch user add NAME --role province|vendor|ward [--provider ID] [--site ID] [--password-stdin] | user list | user disable NAME | user reset-password NAME [--password-stdin]");
  }
  const parsedName = userNameSchema.safeParse(name);
  if (!parsedName.success) throw new AccessUsageError(`user name ${parsedName.error.issues[0]?.message ?? "is not valid"}`);
  const audit = (store: SqliteMetadataStore, what: string, outcome = "ok") => store.auth.audit({ ts: nowMs, actor: cliActor(), action: what, target: name, ip: null, outcome });
  if (action === "disable") {
    const done = withStore(config, (store) => {
      const changed = store.auth.disableUser(name);
      audit(store, "user.disable", changed ? "ok" : "unknown_user");
      return changed;
    });
    if (!done) throw new Error(`no user '${name}'`);
    return { stdout: "", stderr: `user '${name}' disabled; their sessions are ended\n` };
  }
  const grant = action === "add" ? grantFromOptions(config, options) : null;
  const { password, generated } = await newPassword(options, readStdin);
  const passwordHash = await hashPassword(password);
  withStore(config, (store) => {
    if (grant) {
      if (store.auth.getUser(name)) throw new Error(`user '${name}' exists already (wardwatch user reset-password ${name})`);
      store.auth.addUser({ name, grant, passwordHash, disabled: false, createdAt: nowMs });
      audit(store, "user.add");
    } else {
      if (!store.auth.setPassword(name, passwordHash)) throw new Error(`no user '${name}'`);
      audit(store, "user.reset_password");
    }
  });
  const done = grant ? `user '${name}' added (${describeGrant(grant)})` : `password of '${name}' reset; their sessions are ended`;
  return generated ? { stdout: `${password}\n`, stderr: `${done}; the password (shown once, only its hash is stored):\n` } : { stdout: "", stderr: `${done}\n` };
}

/** `token list` (site tokens: site, hash prefix, created, revoked) and `token revoke SITE` (every live token of SITE). */
export function siteTokenCommand(config: CollectorConfig, args: string[]): AccessOutput {
  const [action, site, ...extra] = args;
  if (action === "list" && site === undefined) {
    const entries = withStore(config, (store) => store.auth.listSiteTokens());
    const lines = entries.map((t) => `${t.site}\t${t.hashPrefix}\t${new Date(t.createdAt).toISOString()}\t${t.revokedAt === null ? "live" : `revoked ${new Date(t.revokedAt).toISOString()}`}`);
    return { stdout: lines.length > 0 ? `${lines.join("\n")}\n` : "", stderr: "" };
  }
  if (action !== "revoke" || !site || extra.length > 0) throw new AccessUsageError("usage: wardwatch token add SITE | token list | token revoke SITE");
  if (!config.sites.some((s) => s.id === site)) throw new AccessUsageError(`unknown site '${site}' (known: ${config.sites.map((s) => s.id).join(", ")})`);
  const revoked = withStore(config, (store) => {
    const count = store.auth.revokeSiteTokens(site, Date.now());
    store.auth.audit({ ts: Date.now(), actor: cliActor(), action: "token.revoke", target: `site:${site}`, ip: null, outcome: count > 0 ? "ok" : "none_live" });
    return count;
  });
  return { stdout: "", stderr: `${revoked} token(s) of site '${site}' revoked: its agent is refused until it has a new one (wardwatch token add ${site})\n` };
}

/** `api-token add NAME --role R [--provider ID] [--site ID]` (printed once), `api-token list`, `api-token revoke ID`. */
export function apiTokenCommand(config: CollectorConfig, args: string[], options: AccessOptions): AccessOutput {
  const [action, subject, ...extra] = args;
  if (action === "list" && subject === undefined) {
    const tokens = withStore(config, (store) => store.auth.listApiTokens());
    const lines = tokens.map(
      (t) => `${t.id}\t${t.name}\t${describeGrant(t.grant)}\t${t.lastUsedAt === null ? "never used" : `last used ${new Date(t.lastUsedAt).toISOString()}`}\t${t.revokedAt === null ? "live" : "revoked"}`,
    );
    return { stdout: lines.length > 0 ? `${lines.join("\n")}\n` : "", stderr: "" };
  }
  if (!subject || extra.length > 0 || (action !== "add" && action !== "revoke")) {
    throw new AccessUsageError("usage: wardwatch api-token add NAME --role province|vendor|ward [--provider ID] [--site ID] | api-token list | api-token revoke ID");
  }
  if (action === "add") {
    const grant = grantFromOptions(config, options);
    const { id, token } = withStore(config, (store) => {
      const made = createApiToken(store.auth, subject.slice(0, 64), grant, Date.now());
      store.auth.audit({ ts: Date.now(), actor: cliActor(), action: "api_token.add", target: `${made.id}:${subject.slice(0, 64)}`, ip: null, outcome: "ok" });
      return made;
    });
    return { stdout: `${token}\n`, stderr: `API token ${id} '${subject}' (${describeGrant(grant)}) created; shown once, only its hash is stored:\n` };
  }
  const id = Number(subject);
  if (!Number.isSafeInteger(id) || id <= 0) throw new AccessUsageError("api-token revoke takes the token's id (wardwatch api-token list)");
  const revoked = withStore(config, (store) => {
    const done = store.auth.revokeApiToken(id, Date.now());
    store.auth.audit({ ts: Date.now(), actor: cliActor(), action: "api_token.revoke", target: String(id), ip: null, outcome: done ? "ok" : "unknown_or_revoked" });
    return done;
  });
  if (!revoked) throw new Error(`no live API token ${id}`);
  return { stdout: "", stderr: `API token ${id} revoked\n` };
}
