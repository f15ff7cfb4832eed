import type { SpoolBodyParser } from "./pendingReader.js";
import type { SpoolLogger } from "./spoolLogger.js";

/**
 * How to open a spool.
 * - `dir`: the spool's own directory (created if missing); nothing else may write into it.
 * - `maxBytes`: bound on the segment files' total size, bytes; beyond it the oldest segments are dropped.
 * - `segmentBytes`: a segment is closed and a new one started once it has reached this size, bytes;
 *   at most `maxBytes`, and best a small fraction of it (the newest segment is never dropped).
 * - `parseBody`: parses each record read back into the spool's record type (the agent's: agent/spool/spooledRecord.ts);
 *   a record it refuses is dropped and counted like a corrupt one. Without it, bodies come back as their JSON.
 */
export interface SpoolOptions<T = unknown> {
  dir: string;
  maxBytes: number;
  segmentBytes: number;
  logger?: SpoolLogger;
  parseBody?: SpoolBodyParser<T>;
}

/** Throws RangeError naming the option when `options` cannot open a spool. */
export function validateSpoolOptions(options: SpoolOptions<unknown>): void {
  if (typeof options.dir !== "string" || options.dir === "") throw new RangeError("spool: dir must be a non-empty path");
  for (const key of ["maxBytes", "segmentBytes"] as const) {
    const value = options[key];
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`spool: ${key} must be a positive integer, got ${value}`);
  }
  if (options.segmentBytes > options.maxBytes) {
    throw new RangeError(`spool: segmentBytes (${options.segmentBytes}) must not exceed maxBytes (${options.maxBytes})`);
  }
}

