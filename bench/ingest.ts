/**
 * The ingest bench: what the real collector (a child process, `bin/wardwatch.js collector`) does with pushes over
 * HTTP. Three modes (docs/benchmarks.md):
 * - `--mode throughput` (the default): 50 agents POST 500-sample batches back to back; stored samples/s.
 * - `--mode steady`: the country's shape, 3,321 simulated sites pushing a 10–14-sample batch every 10 s, after a
 *   first phase at 50 sites; CPU per push, latency, and the ingest pipeline without HTTP beside it.
 * - `--mode backfill`: steady load plus a tenth of the sites coming back from a 72 h outage at once.
 * Prints figures, never asserts on time; exits 1 only when a stored count is wrong or the run failed.
 * Build with `npx tsc -p tsconfig.build.json`, then `node dist/bench/ingest.js --mode <mode> [options]`.
 */
import { exitWithBenchResult } from "./benchExit.js";
import { runBackfillMode } from "./ingestBackfill.js";
import { runSteadyMode } from "./ingestSteady.js";
import { runThroughputMode } from "./ingestThroughput.js";

const MODES = { throughput: runThroughputMode, steady: runSteadyMode, backfill: runBackfillMode } satisfies Record<string, (argv: string[]) => Promise<number>>;

/** Splits `--mode M` / `--mode=M` off the arguments; the rest go to the mode. */
function splitMode(argv: string[]): { mode: string; rest: string[] } {
  const rest: string[] = [];
  let mode = "throughput";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--mode") mode = argv[++i] ?? "";
    else if (arg.startsWith("--mode=")) mode = arg.slice("--mode=".length);
    else rest.push(arg);
  }
  return { mode, rest };
}

exitWithBenchResult(async () => {
  const { mode, rest } = splitMode(process.argv.slice(2));
  if (!Object.hasOwn(MODES, mode)) throw new Error(`--mode must be one of ${Object.keys(MODES).join(", ")}, got '${mode}'`);
  return MODES[mode as keyof typeof MODES](rest);
});
