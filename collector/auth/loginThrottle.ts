/** How many failed logins a key may have before it is locked out, and for how long then (ms, doubling). */
export interface ThrottlePolicy {
  /** Failures of one user name allowed before a lock-out. */
  freeFailuresPerUser: number;
  /** Failures from one IP address allowed before a lock-out (an office behind NAT shares one). */
  freeFailuresPerIp: number;
  /** The first lock-out, ms; each failure after it doubles it, up to `maxLockMs`. */
  firstLockMs: number;
  maxLockMs: number;
  /** A key with no failure for this long is forgotten, ms. */
  forgetAfterMs: number;
  /** Keys remembered at most (the oldest are forgotten first), so a flood of names cannot grow memory. */
  maxKeys: number;
}

/** 5 failures per user, 20 per IP, then 30 s doubling to 1 h; forgotten after a day. */
export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = { freeFailuresPerUser: 5, freeFailuresPerIp: 20, firstLockMs: 30_000, maxLockMs: 3_600_000, forgetAfterMs: 86_400_000, maxKeys: 50_000 };

interface KeyState {
  failures: number;
  lastFailureMs: number;
  lockedUntilMs: number;
}

/** Whether a login may be tried now: `retryAfterMs` until it may, when locked out. */
export type ThrottleCheck = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Counts failed logins per user name and per IP address (time passed in). A locked-out user or address is refused
 * before its password is checked (no scrypt work for it); a success clears the user's count, not the address's.
 */
export class LoginThrottle {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY) {}

  /** Whether `user` may try to log in from `ip` at `nowMs`. */
  check(user: string, ip: string, nowMs: number): ThrottleCheck {
    const until = Math.max(this.lockedUntil(`u:${user}`, nowMs), this.lockedUntil(`ip:${ip}`, nowMs));
    return until > nowMs ? { allowed: false, retryAfterMs: until - nowMs } : { allowed: true };
  }

  /** Records a failed login. */
  failed(user: string, ip: string, nowMs: number): void {
    this.fail(`u:${user}`, this.policy.freeFailuresPerUser, nowMs);
    this.fail(`ip:${ip}`, this.policy.freeFailuresPerIp, nowMs);
  }

  /** Records a successful login: the user's failures are forgotten. */
  succeeded(user: string): void {
    this.keys.delete(`u:${user}`);
  }

  private lockedUntil(key: string, nowMs: number): number {
    const state = this.keys.get(key);
    if (!state) return 0;
    if (nowMs - state.lastFailureMs > this.policy.forgetAfterMs) {
      this.keys.delete(key);
      return 0;
    }
    return state.lockedUntilMs;
  }

  private fail(key: string, free: number, nowMs: number): void {
    const state = this.keys.get(key) ?? { failures: 0, lastFailureMs: nowMs, lockedUntilMs: 0 };
    state.failures += 1;
    state.lastFailureMs = nowMs;
    if (state.failures >= free) {
      const lockMs = Math.min(this.policy.maxLockMs, this.policy.firstLockMs * 2 ** Math.min(30, state.failures - free));
      state.lockedUntilMs = nowMs + lockMs;
    }
    this.keys.delete(key); // re-inserted last: the Map's order is then oldest failure first
    this.keys.set(key, state);
    while (this.keys.size > this.policy.maxKeys) {
      const oldest = this.keys.keys().next().value;
      if (oldest === undefined) break;
      this.keys.delete(oldest);
    }
  }
}
