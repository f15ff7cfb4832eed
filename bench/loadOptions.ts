/**
 * Command-line options of the steady and backfill modes of bench/ingest.ts, checked with clear errors.
 */
import { parseArgs } from "node:util";
import type { LoadOptions } from "./loadRun.js";

/** The whole country: 3,321 commune/ward sites. */
export const COUNTRY_SITES = 3321;

type OptionSpec = Record<string, { type: "string"; default: string }>;

/** Options every load mode takes, with their defaults. */
const COMMON: OptionSpec = {
  sites: { type: "string", default: String(COUNTRY_SITES) },
  "duration-s": { type: "string", default: "120" },
  "warmup-s": { type: "string", default: "20" },
  "push-interval-s": { type: "string", default: "10" },
  "max-in-flight": { type: "string", default: "64" },
  "batch-size": { type: "string", default: "500" },
  "pipeline-rounds": { type: "string", default: "3" },
  "run-limit-s": { type: "string", default: "1800" },
};

/**
 * Parses `argv` with the common options and the mode's `extra` ones; those named in `limits` (and the common ones)
 * must be whole numbers in their range, else it throws an error naming the option and the value. `strings` has every
 * option as given, for the mode's own checks.
 */
export function parseLoadOptions(argv: string[], extra: OptionSpec, limits: Record<string, [number, number]>): { load: LoadOptions; pipelineRounds: number; values: Record<string, number>; strings: Record<string, string> } {
  const { values } = parseArgs({ args: argv, options: { ...COMMON, ...extra }, strict: true });
  const ranges: Record<string, [number, number]> = {
    sites: [1, 20_000],
    "duration-s": [5, 86_400],
    "warmup-s": [0, 3600],
    "push-interval-s": [1, 3600],
    "max-in-flight": [1, 10_000],
    "batch-size": [1, 5000],
    "pipeline-rounds": [0, 100],
    "run-limit-s": [10, 86_400],
    ...limits,
  };
  const numbers: Record<string, number> = {};
  for (const [name, [min, max]] of Object.entries(ranges)) {
    const text = String((values as Record<string, unknown>)[name]);
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`);
    numbers[name] = value;
  }
  return {
    load: {
      sites: numbers.sites!,
      durationMs: numbers["duration-s"]! * 1000,
      warmupMs: numbers["warmup-s"]! * 1000,
      pushIntervalMs: numbers["push-interval-s"]! * 1000,
      maxInFlight: numbers["max-in-flight"]!,
      batchSize: numbers["batch-size"]!,
      runLimitMs: numbers["run-limit-s"]! * 1000,
    },
    pipelineRounds: numbers["pipeline-rounds"]!,
    values: numbers,
    strings: Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value)])),
  };
}
