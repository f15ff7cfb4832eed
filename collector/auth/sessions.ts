import { createHash, randomBytes } from "node:crypto";
import type { AuthStore, StoredSession, StoredUser } from "../store/authStore.js";
import type { BestEffortWrite } from "./apiTokens.js";

/** How long a session lives without a request, ms (12 h). */
export const SESSION_IDLE_MS = 12 * 3_600_000;

/** How long a session lives at most, however used, ms (7 days). */
export const SESSION_ABSOLUTE_MS = 7 * 86_400_000;

/** A session's last-seen time is written at most this often, ms (so reads are not writes). */
const TOUCH_EVERY_MS = 60_000;

/** SHA-256 hex of a session id: the only form stored. */
export function hashSessionId(id: string): string {
  return createHash("sha256").update(id, "utf8").digest("hex");
}

/** A session just created: the id (for the cookie, never stored) and its CSRF token. */
export interface NewSession {
  id: string;
  csrfToken: string;
}

/** A live session and its user. */
export interface ActiveSession {
  session: StoredSession;
  user: StoredUser;
}

/**
 * Creates, finds and ends login sessions in the auth store. A session ends after {@link SESSION_IDLE_MS} without a
 * request or {@link SESSION_ABSOLUTE_MS} after login, and at once when its user is disabled or the password reset.
 */
export class SessionManager {
  constructor(
    private readonly store: AuthStore,
    private readonly now: () => number,
    /** How last-seen times and deletions of expired sessions are written (skipped while the store fails). */
    private readonly bestEffortWrite: BestEffortWrite = (work) => work(),
  ) {}

  /** A new session for `user`: 32 random bytes of id, 32 of CSRF token, both base64url. */
  create(user: string): NewSession {
    const id = randomBytes(32).toString("base64url");
    const csrfToken = randomBytes(32).toString("base64url");
    const nowMs = this.now();
    this.store.addSession({ idHash: hashSessionId(id), user, csrfToken, createdAt: nowMs, lastSeenAt: nowMs });
    return { id, csrfToken };
  }

  /** The live session of cookie value `id` and its enabled user, or null (an expired one is deleted). */
  find(id: string): ActiveSession | null {
    if (id.length === 0 || id.length > 100) return null;
    return this.findByHash(hashSessionId(id));
  }

  /** As {@link find}, from the stored hash of the id (a live-feed client's session, checked again later). */
  findByHash(idHash: string): ActiveSession | null {
    const session = this.store.getSession(idHash);
    if (!session) return null;
    const nowMs = this.now();
    if (nowMs - session.lastSeenAt > SESSION_IDLE_MS || nowMs - session.createdAt > SESSION_ABSOLUTE_MS) {
      // Refused either way; deleted now or by a later sweep.
      this.bestEffortWrite(() => this.store.deleteSession(idHash));
      return null;
    }
    const user = this.store.getUser(session.user);
    if (!user || user.disabled) return null;
    // A store that cannot take writes now must not log the user out: its idle time then counts from before.
    if (nowMs - session.lastSeenAt >= TOUCH_EVERY_MS) this.bestEffortWrite(() => this.store.touchSession(idHash, nowMs));
    return { session, user };
  }

  /** Ends the session of cookie value `id` (nothing when there is none). */
  end(id: string): void {
    this.store.deleteSession(hashSessionId(id));
  }

  /** Deletes every expired session (a best-effort write). */
  sweep(): void {
    const nowMs = this.now();
    this.bestEffortWrite(() => this.store.deleteExpiredSessions(nowMs - SESSION_IDLE_MS, nowMs - SESSION_ABSOLUTE_MS));
  }
}
