import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StoreBreaker, StoreUnavailableError } from "../../../collector/health/storeBreaker.js";
import { STORE_HALF_OPEN_WAIT_MS, type StoreHealthEvent } from "../../../collector/health/storeHealth.js";
import { FakeClock } from "../../helpers/dispatcherHarness.js";
import { lockableStore, type LockableStore } from "../../helpers/lockableStore.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

const POLICY = { probeIntervalMs: 1000, outageAfterMs: 30_000 };

describe("collector/health/storeBreaker (a real SQLite store, locked by another connection)", () => {
  let db: LockableStore;
  /** The wall clock (event times) and the monotonic one (probe schedule), moved together unless a test says otherwise. */
  let clock: FakeClock;
  let mono: FakeClock;
  let events: StoreHealthEvent[];
  let probes: number;
  /** Writes run with the probe's short lock wait (the breaker's `cautiously`). */
  let cautious: number;
  let breaker: StoreBreaker;
  let log: ReturnType<typeof memoryLogger>;

  beforeEach(() => {
    db = lockableStore();
    clock = new FakeClock();
    mono = new FakeClock(0);
    events = [];
    probes = 0;
    cautious = 0;
    log = memoryLogger("breaker");
    breaker = new StoreBreaker({
      probe: (nowMs) => {
        probes++;
        db.store.probeWrite(nowMs);
      },
      isUnavailable: (err) => db.store.isUnavailableError(err),
      cautiously: (write) => {
        cautious++;
        return db.store.withShortLockWait(write);
      },
      policy: POLICY,
      now: clock.now,
      monotonicNow: mono.now,
      logger: log.logger,
    });
    breaker.subscribe((event) => events.push(event));
  });
  afterEach(() => db.remove());

  /** Moves both clocks. */
  const advance = (ms: number): void => {
    clock.advance(ms);
    mono.advance(ms);
  };
  /** A real write: a token row. */
  const writeToken = (n: number) => () => db.store.addToken("tan-phong", `hash-${n}`, clock.nowMs);

  it("lets writes through while the store takes them, and never probes", () => {
    breaker.write(writeToken(1));
    advance(5000);
    breaker.tick();
    expect(db.store.siteForTokenHash("hash-1")).toBe("tan-phong");
    expect([breaker.writable, probes, cautious, events]).toEqual([true, 0, 0, []]);
  });

  it("a write the locked store refuses opens it: the error goes on, later writes are refused without touching the store", () => {
    db.lock();
    const failedAt = clock.nowMs;
    expect(() => breaker.write(writeToken(1))).toThrow(/database is locked/);
    expect(breaker.writable).toBe(false);
    expect(events).toEqual([{ type: "failing", sinceTs: failedAt, error: "SQLITE_BUSY: database is locked" }]);

    let called = false;
    advance(10);
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

  it("while failing, probes once per probe interval; a good probe lets writes through (short lock wait), the first real write that succeeds closes it", () => {
    db.lock();
    expect(() => breaker.write(writeToken(1))).toThrow();
    const sinceTs = clock.nowMs;
    advance(999);
    breaker.tick();
    expect(probes).toBe(0);
    advance(1);
    breaker.tick();
    breaker.tick();
    expect([probes, breaker.writable]).toEqual([1, false]);
    expect(breaker.state).toMatchObject({ status: "failing", failures: 2 });

    db.unlock();
    advance(500);
    breaker.tick();
    expect(probes).toBe(1);
    advance(500);
    breaker.tick();
    expect([probes, breaker.writable, breaker.state.status]).toEqual([2, true, "halfOpen"]);
    expect(events.at(-1)).toEqual({ type: "probed", sinceTs, probedTs: clock.nowMs });
    advance(5000);
    breaker.tick();
    expect(probes).toBe(2); // half-open: no more probes, the writes tell

    advance(100);
    breaker.write(writeToken(2));
    expect(db.store.siteForTokenHash("hash-2")).toBe("tan-phong");
    expect(cautious).toBe(1);
    expect(events.at(-1)).toEqual({ type: "restored", sinceTs, restoredTs: clock.nowMs, outage: false, failures: 2 });
    expect(breaker.state.status).toBe("up");
    breaker.write(writeToken(3));
    expect(cautious).toBe(1); // up again: the ordinary lock wait
  });

  it("a lock taken in bursts: probes get through between bursts, real writes do not; it stays failing since the first failure and the outage is declared", () => {
    db.lock();
    expect(() => breaker.write(writeToken(0))).toThrow(/database is locked/);
    const sinceTs = clock.nowMs;
    for (let burst = 1; burst <= 8; burst++) {
      db.unlock();
      advance(1000);
      breaker.tick(); // the probe gets through the gap
      expect(breaker.state.status).toBe("halfOpen");
      db.lock();
      advance(3000);
      expect(() => breaker.write(writeToken(burst))).toThrow(/database is locked/); // the next real write meets the lock
    }
    expect(cautious).toBe(8);
    expect(breaker.state).toMatchObject({ status: "failing", sinceTs, outage: true, failures: 9 });
    expect(events.filter((e) => e.type === "failing")).toHaveLength(1);
    expect(events.filter((e) => e.type === "restored")).toEqual([]);
    expect(events.find((e) => e.type === "outage")).toEqual({ type: "outage", sinceTs, detectedTs: sinceTs + 32_000, error: "SQLITE_BUSY: database is locked" });
  });

  it("a write let through after a good probe whose nested writes fail counts one failure, and nothing is restored", () => {
    db.lock();
    expect(() => breaker.write(writeToken(0))).toThrow();
    db.unlock();
    advance(1000);
    breaker.tick();
    db.lock();
    expect(() => breaker.write(() => db.store.atomically(() => breaker.write(writeToken(1))))).toThrow(/database is locked/);
    expect(breaker.state).toMatchObject({ status: "failing", failures: 2 });
    expect(events.map((e) => e.type)).toEqual(["failing", "probed", "relapsed"]);
  });

  it("keeps probing when the wall clock is stepped back (probes are scheduled on the monotonic clock)", () => {
    db.lock();
    expect(() => breaker.write(writeToken(1))).toThrow();
    clock.advance(-3_600_000); // NTP or an operator sets the clock back an hour
    mono.advance(1000);
    breaker.tick();
    expect(probes).toBe(1);
    db.unlock();
    clock.advance(1000);
    mono.advance(1000);
    breaker.tick();
    expect([probes, breaker.state.status]).toEqual([2, "halfOpen"]);
  });

  it("while failing for outageAfterMs with no success it is declared an outage, once", () => {
    db.lock();
    expect(() => breaker.write(writeToken(1))).toThrow();
    const sinceTs = clock.nowMs;
    for (let i = 0; i < 8; i++) {
      advance(5000);
      breaker.tick();
    }
    expect(events.map((e) => e.type)).toEqual(["failing", "outage"]);
    expect(events[1]).toEqual({ type: "outage", sinceTs, detectedTs: sinceTs + 30_000, error: "SQLITE_BUSY: database is locked" });
    db.unlock();
    advance(1000);
    breaker.tick();
    breaker.write(writeToken(2));
    expect(events.at(-1)).toMatchObject({ type: "restored", sinceTs, outage: true, failures: 9 });
  });

  it("half-open with no write for halfOpenWaitMs, a second good probe closes it; a failure after that is a new outage with its own clock", () => {
    db.lock();
    expect(() => breaker.write(writeToken(1))).toThrow();
    const firstSince = clock.nowMs;
    for (let i = 0; i < 8; i++) {
      advance(5000);
      breaker.tick();
    }
    expect(breaker.state).toMatchObject({ status: "failing", outage: true });
    db.unlock();
    advance(1000);
    breaker.tick();
    expect(breaker.state.status).toBe("halfOpen");
    advance(STORE_HALF_OPEN_WAIT_MS - 1);
    breaker.tick();
    expect([probes, breaker.state.status]).toEqual([9, "halfOpen"]);
    advance(1);
    breaker.tick(); // nothing waits to be written: the probe says the store takes writes
    expect([probes, breaker.state.status, breaker.writable]).toEqual([10, "up", true]);
    expect(events.at(-1)).toEqual({ type: "restored", sinceTs: firstSince, restoredTs: clock.nowMs, outage: true, failures: 9 });

    advance(3_600_000); // an hour of health, no pushes
    db.lock();
    expect(() => breaker.write(writeToken(2))).toThrow();
    expect(breaker.state).toMatchObject({ status: "failing", sinceTs: clock.nowMs, outage: false, failures: 1 });
    expect(events.at(-1)).toEqual({ type: "failing", sinceTs: clock.nowMs, error: "SQLITE_BUSY: database is locked" });
    expect(events.filter((e) => e.type === "outage")).toHaveLength(1);
  });

  it("half-open, a write under way holds the second probe off: the write decides", () => {
    db.lock();
    expect(() => breaker.write(writeToken(1))).toThrow();
    db.unlock();
    advance(1000);
    breaker.tick();
    expect([probes, breaker.state.status]).toEqual([1, "halfOpen"]);
    breaker.write(() => {
      advance(STORE_HALF_OPEN_WAIT_MS);
      breaker.tick(); // a tick inside the write (a timer cannot, but nothing stops a caller)
      expect(probes).toBe(1);
      return writeToken(2)();
    });
    expect(breaker.state.status).toBe("up");
    expect(events.map((e) => e.type)).toEqual(["failing", "probed", "restored"]);
  });

  it("a closed database is failing too, and a listener that throws does not reach the writer", () => {
    breaker.subscribe(() => {
      throw new Error("listener bug");
    });
    db.store.close();
    expect(() => breaker.write(writeToken(1))).toThrow(/not open/);
    expect(breaker.writable).toBe(false);
    expect(events.map((e) => e.type)).toEqual(["failing"]);
    expect(log.lines.some((l) => l.message === "store health listener failed")).toBe(true);
  });

  it("an unsubscribed listener is told nothing more", () => {
    const told: string[] = [];
    const unsubscribe = breaker.subscribe((event) => told.push(event.type));
    unsubscribe();
    db.lock();
    expect(() => breaker.write(writeToken(1))).toThrow();
    expect([told, events.map((e) => e.type)]).toEqual([[], ["failing"]]);
  });
});

describe("collector/health/storeBreaker, asynchronous writes and probes (a real SQLite store, locked by another connection)", () => {
  let db: LockableStore;
  let clock: FakeClock;
  let events: StoreHealthEvent[];
  let probesStarted: number;
  let breaker: StoreBreaker;

  beforeEach(() => {
    db = lockableStore();
    clock = new FakeClock();
    events = [];
    probesStarted = 0;
    breaker = new StoreBreaker({
      // Awaited, as a sample store's probe is: the write happens a turn of the event loop later.
      probe: async (nowMs) => {
        probesStarted++;
        await Promise.resolve();
        db.store.probeWrite(nowMs);
      },
      isUnavailable: (err) => db.store.isUnavailableError(err),
      policy: POLICY,
      now: clock.now,
      monotonicNow: clock.now,
      logger: memoryLogger("breaker").logger,
    });
    breaker.subscribe((event) => events.push(event));
  });
  afterEach(() => db.remove());

  const writeToken = (n: number) => async () => {
    await Promise.resolve();
    db.store.addToken("tan-phong", `hash-${n}`, clock.nowMs);
    return n;
  };

  it("an awaited write the store refuses opens it; the next is refused without being called; an awaited probe lets writes through, and a real write closes it", async () => {
    expect(await breaker.writeAsync(writeToken(1))).toBe(1);
    db.lock();
    await expect(breaker.writeAsync(writeToken(2))).rejects.toThrow(/locked/);
    expect(events.map((e) => e.type)).toEqual(["failing"]);
    let called = false;
    await expect(
      breaker.writeAsync(async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(called).toBe(false);

    db.unlock();
    clock.advance(1000);
    breaker.tick();
    breaker.tick(); // the probe is under way: no second one
    expect(probesStarted).toBe(1);
    expect(breaker.writable).toBe(false);
    await vi.waitFor(() => expect(breaker.state.status).toBe("halfOpen"));
    expect(await breaker.writeAsync(writeToken(3))).toBe(3);
    expect(events.map((e) => e.type)).toEqual(["failing", "probed", "restored"]);
    expect(db.store.siteForTokenHash("hash-3")).toBe("tan-phong");
  });

  it("an awaited probe that fails keeps it failing, and the next probe waits a probe interval", async () => {
    db.lock();
    await expect(breaker.writeAsync(writeToken(1))).rejects.toThrow();
    clock.advance(1000);
    breaker.tick();
    await vi.waitFor(() => expect(breaker.state).toMatchObject({ status: "failing", failures: 2 }));
    breaker.tick();
    expect(probesStarted).toBe(1);
    clock.advance(1000);
    breaker.tick();
    expect(probesStarted).toBe(2);
  });
});
