import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreBreaker, StoreUnavailableError } from "../../../collector/health/storeBreaker.js";
import type { StoreHealthEvent } from "../../../collector/health/storeHealth.js";
import { FakeClock } from "../../helpers/dispatcherHarness.js";
import { lockableStore, type LockableStore } from "../../helpers/lockableStore.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

const POLICY = { probeIntervalMs: 1000, outageAfterMs: 30_000 };

describe("collector/health/storeBreaker (a real SQLite store, locked by another connection)", () => {
  let db: LockableStore;
  let clock: FakeClock;
  let events: StoreHealthEvent[];
  let probes: number;
  let breaker: StoreBreaker;
  let log: ReturnType<typeof memoryLogger>;

  beforeEach(() => {
    db = lockableStore();
    clock = new FakeClock();
    events = [];
    probes = 0;
    log = memoryLogger("breaker");
    breaker = new StoreBreaker({
      probe: (nowMs) => {
        probes++;
        db.store.probeWrite(nowMs);
      },
      isUnavailable: (err) => db.store.isUnavailableError(err),
      policy: POLICY,
      now: clock.now,
      logger: log.logger,
      onEvent: (event) => events.push(event),
    });
  });
  afterEach(() => db.remove());

  /** A real write: a token row. */
  const writeToken = (n: number) => () => db.store.addToken("tan-phong", `hash-${n}`, clock.nowMs);

  it("lets writes through while the store takes them, and never probes", () => {
    breaker.write(writeToken(1));
    clock.advance(5000);
    breaker.tick();
    expect(db.store.siteForTokenHash("hash-1")).toBe("tan-phong");
    expect([breaker.writable, probes, events]).toEqual([true, 0, []]);
  });

  it("a write the locked store refuses opens it: the error goes on, later writes are refused without touching the store", () => {
    db.lock();
    const failedAt = clock.nowMs;
    expect(() => breaker.write(writeToken(1))).toThrow(/database is locked/);
    expect(breaker.writable).toBe(false);
    expect(events).toEqual([{ type: "failing", sinceTs: failedAt, error: "SQLITE_BUSY: database is locked" }]);

    let called = false;
    clock.advance(10);
    const refused = (() => {
      try {
        breaker.write(() => {
          called = true;
        });
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(refused).toBeInstanceOf(StoreUnavailableError);
    expect(refused).toMatchObject({ sinceTs: failedAt, lastError: "SQLITE_BUSY: database is locked" });
    expect(called).toBe(false);
    expect(log.lines.filter((l) => l.level === "error").map((l) => l.message)).toEqual(["store failing: writes refused until a probe succeeds"]);
  });

  it("a fault of the write itself (a constraint) goes through and leaves the store up", () => {
    breaker.write(writeToken(1));
    expect(() => breaker.write(writeToken(1))).toThrow(/UNIQUE/);
    expect([breaker.writable, events]).toEqual([true, []]);
  });

  it("while failing, probes once per probe interval; the first probe that succeeds closes it", () => {
    db.lock();
    expect(() => breaker.write(writeToken(1))).toThrow();
    const sinceTs = clock.nowMs;
    clock.advance(999);
    breaker.tick();
    expect(probes).toBe(0);
    clock.advance(1);
    breaker.tick();
    breaker.tick();
    expect([probes, breaker.writable]).toEqual([1, false]);
    expect(breaker.state).toMatchObject({ status: "failing", failures: 2 });

    db.unlock();
    clock.advance(500);
    breaker.tick();
    expect(probes).toBe(1);
    clock.advance(500);
    breaker.tick();
    expect([probes, breaker.writable]).toEqual([2, true]);
    expect(events.at(-1)).toEqual({ type: "restored", sinceTs, restoredTs: clock.nowMs, outage: false, failures: 2 });
    breaker.write(writeToken(2));
    expect(db.store.siteForTokenHash("hash-2")).toBe("tan-phong");
  });

  it("failing for outageAfterMs with no success is declared an outage, once", () => {
    db.lock();
    expect(() => breaker.write(writeToken(1))).toThrow();
    const sinceTs = clock.nowMs;
    for (let i = 0; i < 8; i++) {
      clock.advance(5000);
      breaker.tick();
    }
    expect(events.map((e) => e.type)).toEqual(["failing", "outage"]);
    expect(events[1]).toEqual({ type: "outage", sinceTs, detectedTs: sinceTs + 30_000, error: "SQLITE_BUSY: database is locked" });
    db.unlock();
    clock.advance(1000);
    breaker.tick();
    expect(events.at(-1)).toMatchObject({ type: "restored", sinceTs, outage: true, failures: 9 });
  });

  it("a closed database is failing too, and a listener that throws does not reach the writer", () => {
    const throwing = new StoreBreaker({
      probe: (nowMs) => db.store.probeWrite(nowMs),
      isUnavailable: (err) => db.store.isUnavailableError(err),
      policy: POLICY,
      now: clock.now,
      logger: log.logger,
      onEvent: () => {
        throw new Error("listener bug");
      },
    });
    db.store.close();
    expect(() => throwing.write(writeToken(1))).toThrow(/not open/);
    expect(throwing.writable).toBe(false);
    expect(log.lines.some((l) => l.message === "store health listener failed")).toBe(true);
  });
});
