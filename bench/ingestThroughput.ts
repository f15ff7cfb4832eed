/**
 * `bench/ingest.ts --mode throughput`: how many samples per second the real collector stores over HTTP.
 * Starts `wardwatch collector` as a child process with N sites, then N simulated agents (in this process) each POST
 * M pre-built gzipped batches of ICMP samples to /api/v1/ingest, one at a time, honouring 429 Retry-After. A second
 * pass resends every batch (replays, answered 409). The stored count is read from the collector's SQLite sample store (samples.db).
 * Prints figures; it never asserts on time. Exits 1 only when the stored count is wrong or the run failed.
 * Build with `npx tsc -p tsconfig.build.json`, then
 * `node dist/bench/ingest.js --mode throughput [--agents 50] [--batches-per-agent 20] [--batch-size 500] [--run-limit-s 300]
 * [--max-in-flight N]` (default 2 × agents, at least 64: the bench measures the store, not the 429 limiter).
 */
import { STORED_SAMPLES_SQL } from "./storedCheck.js";
import { setMaxListeners } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { MAX_SAMPLES_PER_BATCH } from "../protocol/ingest.js";
import { cleanUpOnSignal } from "./benchExit.js";
import { addSiteTokens, startCollectorProcess, writeBenchCollectorFiles, type CollectorProcess } from "./collectorProcess.js";
import { clockTicksPerSecond, readProcessTimes, type ProcessTimes } from "./processTimes.js";
import { seededRandom } from "../simulator/seededRandom.js";
import { buildSiteBodies, runAgentPass, type AgentPassResult, type SiteWorkload } from "./ingestWorkload.js";

/** The figure to compare against on the project's 2-core reference machine, samples/s. */
const TARGET_SAMPLES_PER_SECOND = 20_000;
const LISTEN_LIMIT_MS = 20_000;
const STOP_LIMIT_MS = 15_000;

interface BenchOptions {
  agents: number;
  batchesPerAgent: number;
  batchSize: number;
  runLimitMs: number;
  /** The collector's ingest.max_in_flight; by default 2 × agents (at least 64), so no batch meets the 429 limiter. */
  maxInFlight: number;
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      agents: { type: "string", default: "50" },
      "batches-per-agent": { type: "string", default: "20" },
      "batch-size": { type: "string", default: "500" },
      "run-limit-s": { type: "string", default: "300" },
      "max-in-flight": { type: "string" },
    },
  });
  const integer = (name: string, text: string, max: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be an integer from 1 to ${max}, got '${text}'`);
    return value;
  };
  const agents = integer("agents", values.agents, 10_000);
  return {
    agents,
    batchesPerAgent: integer("batches-per-agent", values["batches-per-agent"], 1_000_000),
    batchSize: integer("batch-size", values["batch-size"], MAX_SAMPLES_PER_BATCH),
    runLimitMs: integer("run-limit-s", values["run-limit-s"], 86_400) * 1000,
    maxInFlight: values["max-in-flight"] === undefined ? Math.min(10_000, Math.max(64, 2 * agents)) : integer("max-in-flight", values["max-in-flight"], 10_000),
  };
}

/** One pass of every agent: wall time from the first send to the last answer, and the agents' results merged. */
interface PassResult extends AgentPassResult {
  seconds: number;
  usageBefore: ProcessTimes;
  usageAfter: ProcessTimes;
  /** CPU time of this (client) process during the pass, ms: shows whether the client was the bottleneck. */
  clientCpuMs: number;
}

/** Runs every agent's batches concurrently; the first failing agent aborts the others. */
async function runPass(collector: CollectorProcess, workloads: SiteWorkload[], ticksPerSecond: number, runSignal: AbortSignal): Promise<PassResult> {
  const pass = new AbortController();
  const signal = AbortSignal.any([runSignal, pass.signal]);
  // Every agent listens on this signal (requests, Retry-After waits): many listeners are expected, not a leak.
  setMaxListeners(0, signal);
  const usageBefore = readProcessTimes(collector.pid, ticksPerSecond);
  const clientCpuBefore = process.cpuUsage();
  const started = performance.now();
  const results = await Promise.all(
    workloads.map((workload) =>
      runAgentPass(collector.url, workload, signal).catch((err: unknown) => {
        pass.abort(err);
        throw err;
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const usageAfter = readProcessTimes(collector.pid, ticksPerSecond);
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const merged: AgentPassResult = { latenciesMs: [], acceptedBatches: 0, acceptedSamples: 0, duplicateSamples: 0, replayBatches: 0, busyAnswers: 0 };
  for (const result of results) {
    merged.latenciesMs.push(...result.latenciesMs);
    merged.acceptedBatches += result.acceptedBatches;
    merged.acceptedSamples += result.acceptedSamples;
    merged.duplicateSamples += result.duplicateSamples;
    merged.replayBatches += result.replayBatches;
    merged.busyAnswers += result.busyAnswers;
  }
  return { ...merged, seconds, usageBefore, usageAfter, clientCpuMs: (clientCpu.user + clientCpu.system) / 1000 };
}

/** Rows in the samples table, read through a read-only connection (safe while the collector runs: WAL). */
function countStoredSamples(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${STORED_SAMPLES_SQL}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Nearest-rank percentile of `values`, ms. */
function percentile(values: number[], pct: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((pct / 100) * sorted.length) - 1)] ?? NaN;
}

const int = (value: number): string => Math.round(value).toLocaleString("en-US");
const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
const line = (label: string, value: string): void => console.log(`  ${label.padEnd(38)} ${value}`);

function printPass(title: string, pass: PassResult, samplesPerPass: number): void {
  const cpuSeconds = (pass.usageAfter.ownCpuMs - pass.usageBefore.ownCpuMs) / 1000;
  const batches = pass.latenciesMs.length;
  console.log(`\n${title}`);
  line("wall time (first send → last answer)", `${pass.seconds.toFixed(2)} s`);
  line("samples/s", int(samplesPerPass / pass.seconds));
  line("batches/s", (batches / pass.seconds).toFixed(1));
  line("batch latency p50 / p99", `${percentile(pass.latenciesMs, 50).toFixed(1)} / ${percentile(pass.latenciesMs, 99).toFixed(1)} ms`);
  line("429 answers (retried)", int(pass.busyAnswers));
  line("answers", `${int(pass.acceptedBatches)} × 200 (${int(pass.acceptedSamples)} new, ${int(pass.duplicateSamples)} duplicate samples), ${int(pass.replayBatches)} × 409 replay`);
  line("collector CPU time", `${cpuSeconds.toFixed(2)} s (${(cpuSeconds / pass.seconds).toFixed(2)} cores, ${((cpuSeconds * 1e6) / samplesPerPass).toFixed(1)} µs/sample)`);
  line("bench client CPU time", `${(pass.clientCpuMs / 1000).toFixed(2)} s (${(pass.clientCpuMs / 1000 / pass.seconds).toFixed(2)} cores)`);
}

async function runBench(options: BenchOptions, dir: string, onCollector: (collector: CollectorProcess) => void, runSignal: AbortSignal): Promise<number> {
  const { agents, batchesPerAgent, batchSize } = options;
  const expected = agents * batchesPerAgent * batchSize;
  const sites = Array.from({ length: agents }, (_, i) => `ward-${String(i + 1).padStart(3, "0")}`);
  console.log(`wardwatch ingest bench: ${agents} agents × ${batchesPerAgent} batches × ${batchSize} samples = ${int(expected)} samples`);
  console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? "unknown"}), node ${process.version}, ${process.platform}`);

  const files = writeBenchCollectorFiles(dir, sites, options.maxInFlight);
  const tokens = addSiteTokens(files.dbFile, sites);
  const prepStarted = performance.now();
  const random = seededRandom(20_251_101);
  const endTs = Date.now();
  const workloads = sites.map((site) => buildSiteBodies({ site, token: tokens.get(site)!, batchCount: batchesPerAgent, batchSize, endTs, random }));
  const gzipBytes = workloads.reduce((sum, w) => sum + w.bodies.reduce((s, b) => s + b.length, 0), 0);
  const batchCount = agents * batchesPerAgent;
  console.log(`prepared ${int(batchCount)} gzipped bodies (${mib(gzipBytes)}, ${(gzipBytes / batchCount / 1024).toFixed(1)} KiB each) in ${((performance.now() - prepStarted) / 1000).toFixed(1)} s`);

  const collector = await startCollectorProcess(files.configFile, LISTEN_LIMIT_MS);
  onCollector(collector);
  const ticksPerSecond = clockTicksPerSecond();
  console.log(`collector pid ${collector.pid} at ${collector.url} (ingest.max_in_flight ${options.maxInFlight}, CLK_TCK ${ticksPerSecond})`);

  const first = await runPass(collector, workloads, ticksPerSecond, runSignal);
  const storedAfterFirst = countStoredSamples(files.samplesFile);
  const replay = await runPass(collector, workloads, ticksPerSecond, runSignal);
  const finalUsage = readProcessTimes(collector.pid, ticksPerSecond);
  const exitCode = await collector.stop(STOP_LIMIT_MS);
  const storedFinal = countStoredSamples(files.samplesFile);

  const firstRate = expected / first.seconds;
  printPass("first pass: new samples", first, expected);
  line("target (2-core machine)", `≥ ${int(TARGET_SAMPLES_PER_SECOND)} samples/s: ${firstRate >= TARGET_SAMPLES_PER_SECOND ? "met" : "NOT met"}`);
  line("stored after the pass (SQLite)", int(storedAfterFirst));
  printPass("second pass: every batch resent (replays)", replay, expected);
  line("replays/s", `${(replay.latenciesMs.length / replay.seconds).toFixed(1)} batches/s`);

  const countOk = storedAfterFirst === expected && storedFinal === expected;
  console.log("\ncollector process");
  line("peak RSS (VmHWM)", mib(finalUsage.peakRssBytes));
  line("final RSS (VmRSS, before SIGTERM)", mib(finalUsage.rssBytes));
  line("CPU time, whole life", `${(finalUsage.ownCpuMs / 1000).toFixed(2)} s`);
  line("exit after SIGTERM", String(exitCode));
  line("stored samples (SQLite, after stop)", `${int(storedFinal)}, expected ${int(expected)}: ${storedFinal === expected ? "ok" : "WRONG"}`);
  line("count unchanged by the replays", storedFinal === storedAfterFirst ? "yes" : `NO (${int(storedAfterFirst)} → ${int(storedFinal)})`);
  return countOk && exitCode === 0 ? 0 : 1;
}

/** Runs the throughput mode with the command line's other options (`argv` without `--mode`); resolves with the exit code. */
export async function runThroughputMode(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const dir = mkdtempSync(join(tmpdir(), "wardwatch-bench-ingest-"));
  let collector: CollectorProcess | null = null;
  const cleanUp = (): void => {
    collector?.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  const removeSignalHandlers = cleanUpOnSignal(cleanUp);
  const run = new AbortController();
  const limit = setTimeout(() => run.abort(new Error(`the run took longer than --run-limit-s (${options.runLimitMs / 1000} s)`)), options.runLimitMs);
  try {
    return await runBench(options, dir, (started) => (collector = started), run.signal);
  } finally {
    clearTimeout(limit);
    cleanUp();
    removeSignalHandlers();
  }
}
