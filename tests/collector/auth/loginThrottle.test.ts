import { describe, expect, it } from "vitest";
import { LoginThrottle } from "../../../collector/auth/loginThrottle.js";

const POLICY = { freeFailuresPerUser: 5, freeFailuresPerUserEverywhere: 50, freeFailuresPerIp: 20, firstLockMs: 30_000, maxLockMs: 3_600_000, forgetAfterMs: 86_400_000, maxKeys: 1000 };

describe("collector/auth/loginThrottle", () => {
  it("counts an attempt when it begins: attempts begun together cannot all pass before the first are verified", () => {
    const throttle = new LoginThrottle(POLICY);
    const begun = Array.from({ length: 60 }, () => throttle.begin("admin", "203.0.113.9", 0));
    expect(begun.filter((check) => check.allowed)).toHaveLength(5);
    expect(begun[5]).toEqual({ allowed: false, retryAfterMs: 30_000 });
  });

  it("locks one address out of a user, not the user out for everyone else", () => {
    const throttle = new LoginThrottle(POLICY);
    for (let i = 0; i < 30; i++) throttle.begin("admin", "203.0.113.9", i);
    expect(throttle.begin("admin", "203.0.113.9", 100).allowed).toBe(false);
    expect(throttle.begin("admin", "198.51.100.7", 100).allowed).toBe(true);
  });

  it("locks a user out everywhere after guesses from many addresses", () => {
    const throttle = new LoginThrottle(POLICY);
    for (let i = 0; i < 50; i++) throttle.begin("admin", `198.51.100.${i}`, i);
    expect(throttle.begin("admin", "192.0.2.1", 100).allowed).toBe(false);
    expect(throttle.begin("someone-else", "192.0.2.1", 100).allowed).toBe(true);
  });

  it("takes a successful attempt back: a user who logs in is not counted towards a lock-out", () => {
    const throttle = new LoginThrottle(POLICY);
    for (let i = 0; i < 30; i++) {
      expect(throttle.begin("an", "192.0.2.1", i).allowed).toBe(true);
      throttle.succeeded("an", "192.0.2.1");
    }
  });
});
