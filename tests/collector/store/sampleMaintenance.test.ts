import { describe, expect, it } from "vitest";
import { StoreBreaker } from "../../../collector/health/storeBreaker.js";
import { startSampleMaintenance } from "../../../collector/store/sampleMaintenance.js";
import type { RollupPassResult } from "../../../collector/store/samples/sampleStore.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

/** The error a store gives when it cannot be reached (as SampleStore.isUnavailableError recognises its own). */
class Unreachable extends Error {}

describe("collector/store/sampleMaintenance", () => {
  const setup = (rollUp: () => Promise<RollupPassResult>) => {
    const log = memoryLogger("maintenance");
    const breaker = new StoreBreaker({
      probe: () => {
        throw new Unreachable("still down");
      },
      isUnavailable: (err) => err instanceof Unreachable,
      policy: { probeIntervalMs: 1000, outageAfterMs: 30_000 },
      now: () => 1_000_000,
      logger: log.logger,
    });
    let passes = 0;
    const maintenance = startSampleMaintenance({
      samples: {
        rollUp: () => {
          passes++;
          return rollUp();
        },
        enforceRetention: () => Promise.resolve({ rawDeleted: 0, rollupsDeleted: 0 }),
      },
      breaker,
      policy: { rollupIntervalMs: 3_600_000, retentionIntervalMs: 3_600_000 },
      now: () => 1_000_000,
      logger: log.logger,
    });
    return { breaker, maintenance, passes: () => passes, log };
  };

  it("opens the sample store's breaker when a rollup pass finds the store unreachable, and skips passes while it is failing", async () => {
    const { breaker, maintenance, passes } = setup(() => Promise.reject(new Unreachable("connect ECONNREFUSED 127.0.0.1:8086")));
    await maintenance.rollUpNow();
    expect(breaker.writable).toBe(false);
    expect(breaker.state.status).toBe("failing");
    await maintenance.rollUpNow();
    expect(passes()).toBe(1);
    await maintenance.stop();
  });

  it("leaves the breaker alone for a pass that fails for another reason, and logs it", async () => {
    const { breaker, maintenance, log } = setup(() => Promise.reject(new Error("a bug")));
    await maintenance.rollUpNow();
    expect(breaker.writable).toBe(true);
    expect(log.lines.some((line) => String(line.message).includes("rollup pass failed"))).toBe(true);
    await maintenance.stop();
  });
});
