import express, { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { Logger } from "../../config/logger.js";
import type { AuthStore } from "../store/authStore.js";
import type { BestEffortWrite } from "./apiTokens.js";
import { sendError } from "../api/httpErrors.js";
import { CSRF_COOKIE, SESSION_COOKIE, parseCookies, serializeCookie } from "./cookies.js";
import type { LoginThrottle } from "./loginThrottle.js";
import { DUMMY_PASSWORD_HASH, MAX_PASSWORD_LENGTH, verifyPassword } from "./passwords.js";
import { requestIdentity } from "./routeGuard.js";
import { SESSION_ABSOLUTE_MS, type SessionManager } from "./sessions.js";
import { scopeFor, type Scope } from "./scope.js";

/** What the login routes need. `secureCookies`: mark cookies Secure on plain HTTP too (behind a TLS proxy). */
export interface AuthRoutesDeps {
  auth: AuthStore;
  sessions: SessionManager;
  throttle: LoginThrottle;
  secureCookies: boolean;
  /** Whether the metadata store takes writes now (a login writes its session); false: 503 at once, not a lock wait. */
  writable: () => boolean;
  /** How login attempts are audited (skipped while the store fails). */
  bestEffortWrite: BestEffortWrite;
  now: () => number;
  logger: Logger;
}

/** A user name: 1–64 characters of a-z, 0-9, '.', '-', '_' (what `wardwatch user add` accepts). */
export const userNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "must be 1–64 characters of a-z, 0-9, '.', '-' or '_', starting with a letter or digit");

const loginBodySchema = z.strictObject({ name: z.string().min(1).max(64), password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });
const auditQuerySchema = z.strictObject({
  from: z.string().regex(/^\d{1,15}$/, "must be UTC ms").optional(),
  limit: z.string().regex(/^[1-9]\d{0,3}$/, "must be 1–1000").optional(),
});

/** The request's address for the audit log and the throttle. */
export function clientIp(req: Request): string {
  return (req.socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "");
}

/** What GET /me and a login answer: the user's name, role and scope. */
function whoIs(scope: Scope, via: "session" | "token") {
  return { name: scope.actor, role: scope.role, provider: scope.role === "vendor" ? scope.provider : null, site: scope.role === "ward" ? scope.site : null, via };
}

/**
 * POST /login `{ name, password }` → 200 with the `ww_session` (HttpOnly) and `ww_csrf` cookies (SameSite=Strict);
 * 401 `bad_credentials` for an unknown user, a wrong password or a disabled user (the same answer, after the same
 * scrypt work); 429 `too_many_attempts` with Retry-After after repeated failures (loginThrottle.ts).
 * POST /logout ends the session and clears both cookies. GET /me: who the request is. GET /audit?from=&limit=: the
 * audit log, newest first (province). Every login, failed or not, and every logout is in the audit log.
 */
export function authRouter(deps: AuthRoutesDeps): Router {
  const router = Router();
  const parseJson = express.json({ limit: "4kb", strict: true });
  const cookieFlags = (req: Request) => ({ secure: deps.secureCookies || req.secure, maxAgeS: SESSION_ABSOLUTE_MS / 1000 });

  router.post("/login", parseJson, async (req, res) => {
    const parsed = loginBodySchema.safeParse(req.body ?? {});
    if (!parsed.success) return sendError(res, 400, "invalid_body", "the body must be JSON { name, password } (strings)");
    const { name, password } = parsed.data;
    const ip = clientIp(req);
    const audit = (outcome: string) => deps.bestEffortWrite(() => deps.auth.audit({ ts: deps.now(), actor: name.slice(0, 64), action: "login", target: null, ip, outcome }));
    const allowed = deps.throttle.begin(name, ip, deps.now());
    if (!allowed.allowed) {
      audit("locked");
      res.setHeader("Retry-After", String(Math.ceil(allowed.retryAfterMs / 1000)));
      return sendError(res, 429, "too_many_attempts", `too many failed logins; try again in ${Math.ceil(allowed.retryAfterMs / 1000)} s`);
    }
    const user = deps.auth.getUser(name);
    const matches = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !matches || user.disabled) {
      audit(!user ? "unknown_user" : !matches ? "bad_password" : "disabled");
      return sendError(res, 401, "bad_credentials", "wrong user name or password");
    }
    if (!deps.writable()) {
      res.setHeader("Retry-After", "5");
      return sendError(res, 503, "store_unavailable", "the collector cannot write to its store now; log in again shortly");
    }
    deps.throttle.succeeded(name, ip);
    const session = deps.sessions.create(user.name);
    audit("ok");
    deps.logger.info("user logged in", { user: user.name, ip });
    const flags = cookieFlags(req);
    res.append("Set-Cookie", serializeCookie(SESSION_COOKIE, session.id, { ...flags, httpOnly: true }));
    res.append("Set-Cookie", serializeCookie(CSRF_COOKIE, session.csrfToken, { ...flags, httpOnly: false }));
    res.json({ ...whoIs(scopeFor(user.name, user.grant), "session"), csrfToken: session.csrfToken });
  });

  router.post("/logout", (req, res) => {
    const identity = requestIdentity(res);
    const sessionId = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (identity.session && sessionId) {
      // Ending the session is a write that must happen: refused at once while the store fails, not waited out.
      if (!deps.writable()) return sendError(res, 503, "store_unavailable", "the collector cannot write to its store now; log out again shortly");
      deps.sessions.end(sessionId);
    }
    deps.bestEffortWrite(() => deps.auth.audit({ ts: deps.now(), actor: identity.scope.actor, action: "logout", target: null, ip: clientIp(req), outcome: "ok" }));
    const flags = { ...cookieFlags(req), maxAgeS: 0 };
    res.append("Set-Cookie", serializeCookie(SESSION_COOKIE, "", { ...flags, httpOnly: true }));
    res.append("Set-Cookie", serializeCookie(CSRF_COOKIE, "", { ...flags, httpOnly: false }));
    res.status(204).end();
  });

  router.get("/me", (_req, res) => {
    const identity = requestIdentity(res);
    res.json(whoIs(identity.scope, identity.session ? "session" : "token"));
  });

  router.get("/audit", (req, res) => {
    const parsed = auditQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return sendError(res, 400, "bad_query", `${issue?.path.join(".") || "query"}: ${issue?.message ?? "invalid"} (known: from, limit)`);
    }
    res.json(deps.auth.listAudit(Number(parsed.data.from ?? 0), Number(parsed.data.limit ?? 200)));
  });
  return router;
}
