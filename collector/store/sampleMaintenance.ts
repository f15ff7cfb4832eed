import type { Logger } from "../../config/logger.js";
import type { StoreBreaker } from "../health/storeBreaker.js";
import type { SampleStore } from "./samples/sampleStore.js";

/** How often the sample store's rollups and retention run, ms. */
export interface SampleMaintenancePolicy {
  rollupIntervalMs: number;
  retentionIntervalMs: number;
}

/** Rollups every 30 s, retention every 10 minutes (docs/storage.md). */
export const DEFAULT_SAMPLE_MAINTENANCE: SampleMaintenancePolicy = Object.freeze({ rollupIntervalMs: 30_000, retentionIntervalMs: 600_000 });

/** What the timers work from. */
export interface SampleMaintenanceDeps {
  samples: Pick<SampleStore, "rollUp" | "enforceRetention">;
  /**
   * The sample store's breaker: passes are skipped while it is failing, and run through it, so a pass that finds the
   * store unreachable opens it (/healthz and /metrics say so even when no push comes in).
   */
  breaker: Pick<StoreBreaker, "writable" | "writeAsync">;
  policy?: SampleMaintenancePolicy | undefined;
  /** The collector's clock, UTC ms. */
  now(): number;
  logger: Logger;
}

/** The running timers. */
export interface SampleMaintenance {
  /** Runs one rollup pass now (unless one is under way); resolves when it is done. For tests and the migration. */
  rollUpNow(): Promise<void>;
  /** Stops the timers and waits for a pass under way to finish. */
  stop(): Promise<void>;
}

/**
 * The sample store's upkeep, off the ingest path: a rollup pass (`rollUp`, at most its batch of windows) every
 * `rollupIntervalMs` and a retention pass (`enforceRetention`, in chunks that let writes in between) every
 * `retentionIntervalMs`. A pass never starts while the previous one of its kind runs, nor while the sample store's
 * breaker is failing (its writes would fail too; the marks wait); a store failure in a pass opens the breaker.
 * Errors are logged, never thrown.
 */
export function startSampleMaintenance(deps: SampleMaintenanceDeps): SampleMaintenance {
  const policy = deps.policy ?? DEFAULT_SAMPLE_MAINTENANCE;
  const { logger } = deps;
  let stopped = false;
  const running = new Set<Promise<void>>();
  const exclusive = (name: string, pass: () => Promise<unknown>) => {
    let current: Promise<void> | null = null;
    return (): Promise<void> => {
      if (current) return current;
      if (stopped || !deps.breaker.writable) return Promise.resolve();
      const started: Promise<void> = deps.breaker.writeAsync(pass).then(
        (result) => void logger.debug(`sample store ${name} pass done`, { result }),
        (err: unknown) => void logger.warn(`sample store ${name} pass failed; tried again at the next`, { err }),
      );
      const tracked = started.finally(() => {
        current = null;
        running.delete(tracked);
      });
      current = tracked;
      running.add(tracked);
      return tracked;
    };
  };
  const rollUp = exclusive("rollup", () => deps.samples.rollUp(deps.now()));
  const retain = exclusive("retention", () => deps.samples.enforceRetention(deps.now()));
  const rollupTimer = setInterval(() => void rollUp(), policy.rollupIntervalMs);
  const retentionTimer = setInterval(() => void retain(), policy.retentionIntervalMs);
  rollupTimer.unref();
  retentionTimer.unref();
  return {
    rollUpNow: rollUp,
    async stop() {
      stopped = true;
      clearInterval(rollupTimer);
      clearInterval(retentionTimer);
      await Promise.all(running);
    },
  };
}
