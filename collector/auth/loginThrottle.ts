/** How many failed logins a key may have before it is locked out, and for how long then (ms, doubling). */
export interface ThrottlePolicy {
  /** Failures of one user name from one IP address allowed before that pair is locked out. */
  freeFailuresPerUser: number;
  /**
   * Failures of one user name from anywhere allowed before the name is locked out everywhere: the backstop against
   * guessing from many addresses, high enough that one address (locked after its own failures) cannot lock a user
   * out for everyone.
   */
  freeFailuresPerUserEverywhere: number;
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

/** 5 failures per user and address, 50 per user, 20 per address, then 30 s doubling to 1 h; forgotten after a day. */
export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  freeFailuresPerUser: 5,
  freeFailuresPerUserEverywhere: 50,
  freeFailuresPerIp: 20,
  firstLockMs: 30_000,
  maxLockMs: 3_600_000,
  forgetAfterMs: 86_400_000,
  maxKeys: 50_000,
};

interface KeyState {
  failures: number;
  lastFailureMs: number;
  lockedUntilMs: number;
}

/** Whether a login may be tried now: `retryAfterMs` until it may, when locked out. */
export type ThrottleCheck = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Counts failed logins per user name and address, per user name and per address (time passed in). Every attempt is
 * counted as a failure when it begins ({@link begin}), before its password is checked, so attempts sent in parallel
 * cannot all pass the check while the first ones are still being verified; a success takes its own count back and
 * clears the user's. A locked-out key is refused before its password is checked (no scrypt work for it).
 */
export class LoginThrottle {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY) {}

  /** Whether `user` may try to log in from `ip` at `nowMs`; when it may, the attempt is counted as a failure now. */
  begin(user: string, ip: string, nowMs: number): ThrottleCheck {
    const keys = this.keysOf(user, ip);
    const until = Math.max(...keys.map(([key]) => this.lockedUntil(key, nowMs)));
    if (until > nowMs) return { allowed: false, retryAfterMs: until - nowMs };
    for (const [key, free] of keys) this.fail(key, free, nowMs);
    return { allowed: true };
  }

  /** The attempt {@link begin} counted succeeded: the user's failures are forgotten, the address's takes it back. */
  succeeded(user: string, ip: string): void {
    this.keys.delete(`u:${user}@${ip}`);
    this.keys.delete(`u:${user}`);
    const address = this.keys.get(`ip:${ip}`);
    if (address) address.failures = Math.max(0, address.failures - 1);
  }

  private keysOf(user: string, ip: string): Array<[string, number]> {
    return [
      [`u:${user}@${ip}`, this.policy.freeFailuresPerUser],
      [`u:${user}`, this.policy.freeFailuresPerUserEverywhere],
      [`ip:${ip}`, this.policy.freeFailuresPerIp],
    ];
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
