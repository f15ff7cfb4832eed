/**
 * `bench/ingest.ts --mode steady`: the country's real load shape. N simulated sites (simulator/) each push one
 * real-shaped batch (10–14 samples) every push interval, their phases spread evenly over it, to the real collector in
 * a child process. A first window at 50 sites, then one at N, in the same run and against the same collector (it is
 * configured with all N sites from the start); then the ingest pipeline in one process on the same kind of batches.
 * Prints figures and the targets beside them; exits 1 only when a stored count is wrong or the run failed.
 */
import { cpuPerPushMs, int, line, percentile, printPipeline, printStoredCheck, printTarget, printWindows } from "./loadReport.js";
import { parseLoadOptions } from "./loadOptions.js";
import { withLoadRun, type LoadEnd } from "./loadRun.js";
import type { LoadRecorder } from "./loadWindow.js";
import type { SiteModel } from "../simulator/siteModel.js";
import { measureIngestPipeline } from "./ingestPipeline.js";
import type { WindowFigures } from "./loadWindow.js";

/** Targets of the issue (printed, never asserted). */
export const STEADY_TARGETS = { maxCores: 0.5, maxLiveP99Ms: 500, maxCpuPerPushRatio: 1.5, minHttpShareOfPipeline: 0.4 } as const;

/** Runs the steady mode with the command line's other options; resolves with the exit code. */
export async function runSteadyMode(argv: string[]): Promise<number> {
  const { load, pipelineRounds, values, strings } = parseLoadOptions(
    argv,
    { "small-sites": { type: "string", default: "50" }, "idle-s": { type: "string", default: "10" }, "small-collector": { type: "string", default: "own" } },
    { "small-sites": [1, 20_000], "idle-s": [0, 3600] },
  );
  const smallSites = Math.min(values["small-sites"]!, load.sites);
  const smallCollector = strings["small-collector"];
  if (smallCollector !== "own" && smallCollector !== "shared") throw new Error(`--small-collector must be 'own' or 'shared', got '${smallCollector}'`);
  // own: the small phase has a collector configured with only its sites, so work that grows with the configured
  // sites shows in the ratio; shared: one collector configured with all N sites serves both phases.
  const plan: Array<{ configured: number; phases: number[] }> =
    smallSites >= load.sites ? [{ configured: load.sites, phases: [load.sites] }]
    : smallCollector === "own" ? [{ configured: smallSites, phases: [smallSites] }, { configured: load.sites, phases: [load.sites] }]
    : [{ configured: load.sites, phases: [smallSites, load.sites] }];
  console.log(
    `wardwatch ingest bench, steady: ${plan.map((p) => `${p.phases.map(int).join(" then ")} of ${int(p.configured)} configured sites`).join("; then ")}, ` +
      `one push each every ${load.pushIntervalMs / 1000} s; ${values["idle-s"]} s with no push, then per phase ${load.warmupMs / 1000} s warm-up and ${load.durationMs / 1000} s measured`,
  );
  const runs: Array<{ windows: WindowFigures[]; idle: WindowFigures | null; end: LoadEnd; recorder: LoadRecorder; models: SiteModel[] }> = [];
  for (const { configured, phases } of plan) {
    const { result, end, run } = await withLoadRun({ ...load, sites: configured }, () => "live", async (run) => {
      const windows: WindowFigures[] = [];
      let idle: WindowFigures | null = null;
      if (values["idle-s"]! > 0) {
        // The collector's own work with no push at all (timers, the alert tick over every configured site).
        run.recorder.begin(`idle, ${int(configured)} cfg`, 0);
        await run.wait(values["idle-s"]! * 1000);
        idle = run.recorder.end();
        windows.push(idle);
      }
      for (const count of phases) {
        const scheduler = run.tick(run.agents.slice(0, count));
        await run.wait(load.warmupMs);
        run.recorder.begin(`${int(count)} of ${int(configured)} cfg`, count);
        await run.wait(load.durationMs);
        windows.push(run.recorder.end());
        scheduler.stop();
      }
      return { windows, idle };
    });
    runs.push({ ...result, end, recorder: run.recorder, models: run.sites.models });
  }
  const windows = runs.flatMap((r) => r.windows);
  const pipeline = pipelineRounds > 0 ? await measureIngestPipeline(runs.at(-1)!.models, pipelineRounds, load.pushIntervalMs) : null;

  printWindows("collector over HTTP (live pushes, each window after its warm-up)", windows);
  const loaded = windows.filter((w) => w.sites > 0);
  const small = loaded.length > 1 ? loaded[0]! : null;
  const full = windows.at(-1)!;
  const keptUp = full.live.pushes >= 0.99 * full.live.offeredPushes && full.live.samples >= 0.99 * full.live.offeredSamples;
  const cores = full.collectorCpuMs / 1000 / full.seconds;
  const p99 = percentile(full.live.latenciesMs, 99);
  console.log(`\ntargets at ${int(full.sites)} sites (figures are noisy: the machine is shared)`);
  printTarget(`keeps up (≥ 99 % of offered), < ${STEADY_TARGETS.maxCores} core`, `${((full.live.pushes / full.live.offeredPushes) * 100).toFixed(1)} % of pushes, ${cores.toFixed(3)} cores`, keptUp && cores < STEADY_TARGETS.maxCores);
  printTarget(`live push p99 < ${STEADY_TARGETS.maxLiveP99Ms} ms`, `${p99.toFixed(1)} ms`, p99 < STEADY_TARGETS.maxLiveP99Ms);
  if (small) {
    const ratio = cpuPerPushMs(full) / cpuPerPushMs(small);
    printTarget(`CPU per push ${int(full.sites)} / ${int(small.sites)} ≤ ${STEADY_TARGETS.maxCpuPerPushRatio}`, `${cpuPerPushMs(full).toFixed(3)} / ${cpuPerPushMs(small).toFixed(3)} ms = ${ratio.toFixed(2)}`, ratio <= STEADY_TARGETS.maxCpuPerPushRatio);
  }
  const marginal = runs.flatMap(({ windows: ws, idle }) =>
    idle ? ws.filter((w) => w.sites > 0).map((w) => `${((w.collectorCpuMs - (idle.collectorCpuMs / idle.seconds) * w.seconds) / (w.live.pushes + w.backfill.pushes)).toFixed(3)} ms (${w.name})`) : [],
  );
  if (marginal.length > 0) line("CPU per push above its collector's idle CPU", marginal.join(", "));
  if (pipeline) {
    printPipeline(pipeline);
    const pipelinePerBatch = pipeline.cpuMs / pipeline.batches;
    const share = pipelinePerBatch / cpuPerPushMs(full);
    printTarget(`HTTP ≥ ${STEADY_TARGETS.minHttpShareOfPipeline} of the pipeline (CPU per batch)`, `${pipelinePerBatch.toFixed(3)} / ${cpuPerPushMs(full).toFixed(3)} ms = ${share.toFixed(2)}`, share >= STEADY_TARGETS.minHttpShareOfPipeline);
  }
  return Math.max(...runs.map((r) => finish(r.end, r.recorder)));
}

/** Prints the collector's end and the exact check; the exit code: 1 for a wrong count, a broken answer or a bad exit. */
export function finish(end: LoadEnd, recorder: { unexpectedCount: number; unexpectedAnswers: string[] }): number {
  console.log("\ncollector process");
  line("peak RSS (VmHWM, whole run)", `${(end.peakRssBytes / 1024 ** 2).toFixed(1)} MiB`);
  line("exit after SIGTERM", String(end.collectorExit));
  line("answers other than 200, 409 replay, 429, 503", recorder.unexpectedCount === 0 ? "none" : `${int(recorder.unexpectedCount)}: ${recorder.unexpectedAnswers.join("; ")}`);
  printStoredCheck(end.check);
  return end.check.mismatchCount === 0 && recorder.unexpectedCount === 0 && end.collectorExit === 0 ? 0 : 1;
}
