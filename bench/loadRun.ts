/**
 * The frame of a steady or backfill run: a temp dir, the simulated sites and their collector (a child process, as
 * today), the recorder, one simulated agent per site; then the drain, the collector's stop and the exact check; and
 * the clean-up on any end (Ctrl-C included). The mode decides which sites tick when, and what is measured.
 */
import { setMaxListeners } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PhaseScheduler } from "../simulator/scheduler.js";
import type { SimulatedAgent } from "../simulator/pushLoop.js";
import { cleanUpOnSignal } from "./benchExit.js";
import { startCollectorProcess, type CollectorProcess } from "./collectorProcess.js";
import { createLoadAgents, prepareLoadSites, type LoadSites } from "./loadSites.js";
import { LoadRecorder, type PushGroup } from "./loadWindow.js";
import { readProcessTimes, clockTicksPerSecond } from "./processTimes.js";
import { checkStoredSamples, type StoredCheck } from "./storedCheck.js";
import { int, line } from "./loadReport.js";

const LISTEN_LIMIT_MS = 60_000;
const STOP_LIMIT_MS = 30_000;
/**
 * How long the drain may take, ms: every push under way gets its answer (a time-out is 15 s), and an overloaded
 * collector works through the requests it has queued before it answers the repeats.
 */
const DRAIN_LIMIT_MS = 120_000;

/** Options shared by the steady and backfill modes. Durations in ms. */
export interface LoadOptions {
  sites: number;
  durationMs: number;
  warmupMs: number;
  pushIntervalMs: number;
  /** The collector's ingest.max_in_flight (its default, 64, unless told otherwise). */
  maxInFlight: number;
  /** Most records per batch of every simulated agent (the agent's `collector.batch_size`, 500 unless told otherwise). */
  batchSize: number;
  runLimitMs: number;
}

/** A started load run, handed to the mode. */
export interface LoadRun {
  sites: LoadSites;
  collector: CollectorProcess;
  recorder: LoadRecorder;
  /** One per site, same order as `sites.models`; none started yet. */
  agents: SimulatedAgent[];
  /** Starts ticking `agents` (phases spread over the push interval; each tick counted as offered) and starts their loops. */
  tick(agents: readonly SimulatedAgent[]): PhaseScheduler;
  /** Waits `ms`, or rejects when the run limit passes. */
  wait(ms: number): Promise<void>;
}

/** What the run ended with: the exact check and the collector's final state. */
export interface LoadEnd {
  check: StoredCheck;
  collectorExit: number | string;
  peakRssBytes: number;
}

/**
 * Sets up a run, calls `mode` with it, then drains every agent (no new attempts; every attempt under way answered),
 * stops the collector and checks what it stored. Resolves with `mode`'s result and the end; the temp dir and the
 * collector are removed whatever happens.
 */
export async function withLoadRun<T>(options: LoadOptions, groupOf: (site: string) => PushGroup, mode: (run: LoadRun) => Promise<T>): Promise<{ result: T; end: LoadEnd; run: LoadRun }> {
  const dir = mkdtempSync(join(tmpdir(), "wardwatch-bench-load-"));
  let collector: CollectorProcess | null = null;
  const schedulers: PhaseScheduler[] = [];
  const cleanUp = (): void => {
    for (const scheduler of schedulers) scheduler.stop();
    collector?.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  const removeSignalHandlers = cleanUpOnSignal(cleanUp);
  const limit = AbortSignal.timeout(options.runLimitMs);
  setMaxListeners(0, limit);
  try {
    console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? "unknown"}), node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    const prepared = performance.now();
    const sites = prepareLoadSites(dir, options.sites, options.maxInFlight);
    const samplesPerPeriod = sites.models.reduce((sum, m) => sum + m.samplesPerPeriod, 0) / sites.models.length;
    console.log(`${int(options.sites)} simulated sites (${samplesPerPeriod.toFixed(1)} samples per 10 s round period on average), collector file and tokens in ${((performance.now() - prepared) / 1000).toFixed(1)} s`);
    collector = await startCollectorProcess(sites.files.configFile, LISTEN_LIMIT_MS);
    const ticksPerSecond = clockTicksPerSecond();
    console.log(`collector pid ${collector.pid} at ${collector.url} (ingest.max_in_flight ${options.maxInFlight}), push interval ${options.pushIntervalMs / 1000} s, ${options.batchSize} records per batch at most`);
    const recorder = new LoadRecorder(collector.pid, ticksPerSecond, groupOf);
    const agents = createLoadAgents(sites, collector.url, options.pushIntervalMs, options.batchSize, recorder);
    const run: LoadRun = {
      sites,
      collector,
      recorder,
      agents,
      tick(ticking) {
        const scheduler = new PhaseScheduler(options.pushIntervalMs, () => Date.now(), (index) => recorder.ticked(ticking[index]!.site.id, ticking[index]!.site.samplesPerPeriod));
        schedulers.push(scheduler);
        for (const agent of ticking) agent.start();
        scheduler.start(ticking);
        return scheduler;
      },
      wait: (ms) => sleep(ms, undefined, { signal: limit }).catch(() => {
        throw new Error(`the run took longer than --run-limit-s (${options.runLimitMs / 1000} s)`);
      }),
    };
    const result = await mode(run);
    for (const scheduler of schedulers) scheduler.stop();
    const drainStarted = performance.now();
    const drain = AbortSignal.timeout(DRAIN_LIMIT_MS);
    setMaxListeners(0, drain);
    await Promise.all(agents.map((agent) => agent.stop(drain)));
    console.log("");
    line("drain (every attempt under way answered)", `${((performance.now() - drainStarted) / 1000).toFixed(1)} s`);
    const peakRssBytes = readProcessTimes(collector.pid, ticksPerSecond).peakRssBytes;
    const collectorExit = await collector.stop(STOP_LIMIT_MS);
    const check = checkStoredSamples(sites.files.samplesFile, agents);
    return { result, end: { check, collectorExit, peakRssBytes }, run };
  } finally {
    cleanUp();
    removeSignalHandlers();
  }
}
