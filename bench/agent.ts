/**
 * The agent's memory and CPU while it probes 50 ICMP targets (127.0.0.1–127.0.0.50, loopback only) every 10 s with
 * 5 pings each, and fping doing the same work beside it, in the same run so that both see the same machine load.
 * Starts a real collector (`wardwatch collector`, token from `wardwatch token add`) and the real agent
 * (`wardwatch agent`, 2 links × 25 targets, `source: 127.0.0.1`, `log: warn`), samples the agent's /proc entry every
 * second, and runs `fping -C 5 -p 200 -t 1000 -q -S 127.0.0.1 <50 targets>` once per 10 s from this process. After
 * the run it measures, in this process, what spawning a child costs Node and what one ping process costs.
 * Prints figures beside the targets (RSS < 80 MB, CPU < 3 % of one core, within 2× of fping's CPU); it never
 * asserts on them. Exits 1 only when the run failed (a process died or did not stop); the temp dir and every child
 * are removed either way, also on Ctrl-C.
 * Build with `npx tsc -p tsconfig.build.json`, then `node dist/bench/agent.js [--duration-s 300] [--targets 50]`
 * (`--targets N` probes 127.0.0.1 … 127.0.0.N instead, split over the two links; `--targets 1` shows the floor).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { loadavg, tmpdir } from "node:os";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { addTokenWithCli, startAgentProcess, writeBenchAgentFile, type AgentProcess } from "./agentProcess.js";
import { cleanUpOnSignal, exitWithBenchResult } from "./benchExit.js";
import { startCollectorProcess, writeBenchCollectorFiles, type CollectorProcess } from "./collectorProcess.js";
import { fpingVersion, startFpingRounds, type FpingRounds } from "./fpingRounds.js";
import { BENCH_LINKS } from "./ingestWorkload.js";
import { clockTicksPerSecond, readMemorySplit, readProcessTimes } from "./processTimes.js";
import { printReport, type AgentRun } from "./agentReport.js";
import { measureSpawnCost, type SpawnCost } from "./spawnCost.js";

/** What each probe does, as the issue states the workload: a round of 5 pings 200 ms apart every 10 s, 1 s timeout. */
const WORKLOAD = { intervalMs: 10_000, count: 5, packetIntervalMs: 200, timeoutMs: 1000 } as const;
/** Every probe's source address; the targets are 127.0.0.1 … 127.0.0.N. Loopback only, never anything else. */
const SOURCE = "127.0.0.1";
/** The 50 targets, and the most the bench probes (the loopback range it allows itself). */
const MAX_TARGETS = 50;
const SITE = "ward-001";
/** fping's rounds start this long after the agent is spawned, when the agent's first round has about started too. */
const FPING_OFFSET_MS = 1000;
/**
 * The measured window starts this long after the spawn (and ends a whole number of intervals later), in the quiet
 * part of a round period: every ping and fping of the previous round has ended and been waited for, so the window
 * holds exactly duration / interval rounds of each and no part of another.
 */
const WINDOW_PHASE_MS = 6000;
const SAMPLE_EVERY_MS = 1000;
/** How long to wait, after the window, for the agent to push the window's samples (two push intervals and a bit). */
const STORED_WAIT_MS = 25_000;
const LISTEN_LIMIT_MS = 20_000;
const STOP_LIMIT_MS = 15_000;
const BREAKDOWN_ROUNDS = 3;

interface BenchOptions {
  durationMs: number;
  /** 127.0.0.1 … 127.0.0.<targets>, split over the two links (at most 32 probes per link). */
  targets: string[];
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({ args: argv, options: { "duration-s": { type: "string", default: "300" }, targets: { type: "string", default: String(MAX_TARGETS) } } });
  const targetCount = Number(values.targets);
  if (!Number.isInteger(targetCount) || targetCount < 1 || targetCount > MAX_TARGETS) throw new Error(`--targets must be an integer from 1 to ${MAX_TARGETS}, got '${values.targets}'`);
  const seconds = Number(values["duration-s"]);
  const intervalS = WORKLOAD.intervalMs / 1000;
  if (!Number.isInteger(seconds) || seconds < intervalS || seconds > 86_400 || seconds % intervalS !== 0) {
    throw new Error(`--duration-s must be a whole number of ${intervalS} s rounds from ${intervalS} to 86400, got '${values["duration-s"]}'`);
  }
  return { durationMs: seconds * 1000, targets: Array.from({ length: targetCount }, (_, i) => `127.0.0.${i + 1}`) };
}

/** Resolves at performance.now() = `at`; rejects with the signal's reason once it aborts. */
function waitUntil(at: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, at - performance.now()));
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Samples, requests and replies the collector stored for the site with an agent timestamp in [fromTs, toTs), UTC ms. */
function storedSamples(dbFile: string, fromTs: number, toTs: number): AgentRun["stored"] {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare("SELECT COUNT(*) AS samples, COALESCE(SUM(sent), 0) AS sent, COALESCE(SUM(received), 0) AS received, COALESCE(SUM(ok = 0), 0) AS failed FROM raw_icmp WHERE site = ? AND agent_ts >= ? AND agent_ts < ?")
      .get(SITE, fromTs, toTs) as AgentRun["stored"];
    return row;
  } finally {
    db.close();
  }
}

/** Children the bench started, for clean-up. */
interface Started {
  collector?: CollectorProcess;
  agent?: AgentProcess;
  fping?: FpingRounds;
}

async function runBench({ durationMs, targets }: BenchOptions, dir: string, started: Started, signal: AbortSignal): Promise<number> {
  const fping = fpingVersion();
  const collectorFiles = writeBenchCollectorFiles(dir, [SITE], 64);
  const tokenFile = join(dir, "agent.token");
  await addTokenWithCli(collectorFiles.configFile, SITE, tokenFile);
  const collector = await startCollectorProcess(collectorFiles.configFile, LISTEN_LIMIT_MS);
  started.collector = collector;
  const ticksPerSecond = clockTicksPerSecond();

  const spoolDir = join(dir, "spool");
  mkdirSync(spoolDir);
  const perLink = Math.ceil(targets.length / BENCH_LINKS.length);
  const links = BENCH_LINKS.map((id, i) => ({ id, targets: targets.slice(i * perLink, (i + 1) * perLink) })).filter((link) => link.targets.length > 0);
  const agentFile = writeBenchAgentFile(dir, {
    site: SITE,
    collectorUrl: collector.url,
    tokenFile,
    spoolDir,
    source: SOURCE,
    links,
    intervalMs: WORKLOAD.intervalMs,
    count: WORKLOAD.count,
    packetIntervalMs: WORKLOAD.packetIntervalMs,
    timeoutMs: WORKLOAD.timeoutMs,
    pushIntervalMs: 10_000,
  });

  const loadAtStart = loadavg();
  const spawnedAt = performance.now();
  const agent = startAgentProcess(agentFile);
  started.agent = agent;
  started.fping = startFpingRounds({ targets, source: SOURCE, ...WORKLOAD, firstRoundAt: spawnedAt + FPING_OFFSET_MS });
  const checkAgent = (): void => {
    const status = agent.exitStatus();
    if (status !== null) throw new Error(`the agent exited (${status}) during the run:\n${agent.lastLines.join("\n")}`);
  };

  await waitUntil(spawnedAt + WINDOW_PHASE_MS, signal);
  checkAgent();
  const windowStart = { at: performance.now(), wallTs: Date.now(), self: readProcessTimes(process.pid, ticksPerSecond) };
  const samples = [{ at: windowStart.at, usage: readProcessTimes(agent.pid, ticksPerSecond) }];
  for (let i = 1; i * SAMPLE_EVERY_MS <= durationMs; i++) {
    await waitUntil(windowStart.at + i * SAMPLE_EVERY_MS, signal);
    checkAgent();
    samples.push({ at: performance.now(), usage: readProcessTimes(agent.pid, ticksPerSecond) });
  }
  const windowEnd = { at: performance.now(), wallTs: Date.now(), self: readProcessTimes(process.pid, ticksPerSecond) };
  const agentMemory = readMemorySplit(agent.pid);
  const collectorUsage = readProcessTimes(collector.pid, ticksPerSecond);
  const agentLife = { ms: windowEnd.at - spawnedAt, usage: samples.at(-1)!.usage };
  await started.fping.stop();

  // The agent pushes every 10 s: give it time to deliver the window's last rounds before stopping it.
  const rounds = durationMs / WORKLOAD.intervalMs;
  const expectedSamples = rounds * targets.length;
  let stored = storedSamples(collectorFiles.samplesFile, windowStart.wallTs, windowEnd.wallTs);
  for (const waitStarted = performance.now(); stored.samples < expectedSamples && performance.now() - waitStarted < STORED_WAIT_MS; ) {
    await waitUntil(performance.now() + 1000, signal);
    checkAgent();
    stored = storedSamples(collectorFiles.samplesFile, windowStart.wallTs, windowEnd.wallTs);
  }
  const agentLogLines = agent.lineCount;
  const agentLastLines = [...agent.lastLines];
  const agentExit = await agent.stop(STOP_LIMIT_MS);
  const collectorExit = await collector.stop(STOP_LIMIT_MS);

  // After the run, alone: what the agent's way of probing costs per child, on the Node side and in the child.
  // The agent's own argument list (agent/probes/icmp/icmp.ts) for a `source:`-bound IPv4 target.
  const seconds = (ms: number): string => String(ms / 1000);
  const agentPingArgs = (count: number) => (i: number): [string, ...string[]] =>
    ["ping", "-n", "-c", String(count), "-i", seconds(WORKLOAD.packetIntervalMs), "-W", seconds(WORKLOAD.timeoutMs), "-4", "-I", SOURCE, "--", targets[i % targets.length]!];
  const breakdown: SpawnCost[] = [];
  for (const spawnCase of [
    { label: "/bin/true (spawn + exec floor)", argv: (): [string, ...string[]] => ["/bin/true"] },
    { label: "ping -c 1 (start-up + 1 packet)", argv: agentPingArgs(1) },
    { label: "ping -c 5 -i 0.2 (the agent's round)", argv: agentPingArgs(WORKLOAD.count) },
  ]) {
    breakdown.push(await measureSpawnCost(spawnCase, BREAKDOWN_ROUNDS, targets.length, ticksPerSecond));
  }

  const run: AgentRun = {
    fpingVersion: fping,
    loadAtStart,
    ticksPerSecond,
    targetCount: targets.length,
    links: links.map((link) => `${link.id} × ${link.targets.length}`),
    pingsPerRound: WORKLOAD.count,
    durationMs,
    rounds,
    windowMs: windowEnd.at - windowStart.at,
    agentSamples: samples,
    agentLife,
    agentMemory,
    stored,
    expectedSamples,
    agentLogLines,
    agentLastLines,
    agentExit,
    collectorExit,
    collectorCpuMs: collectorUsage.ownCpuMs,
    collectorPeakRssBytes: collectorUsage.peakRssBytes,
    fpingRounds: started.fping.rounds.filter((round) => round.startedAt >= windowStart.at && round.startedAt < windowEnd.at),
    fpingCpuMs: windowEnd.self.childrenCpuMs - windowStart.self.childrenCpuMs,
    breakdown,
  };
  printReport(run);
  return agentExit === 0 && collectorExit === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const { durationMs } = options;
  const dir = mkdtempSync(join(tmpdir(), "wardwatch-bench-agent-"));
  const started: Started = {};
  const cleanUp = (): void => {
    started.fping?.kill();
    started.agent?.kill();
    started.collector?.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  const removeSignalHandlers = cleanUpOnSignal(cleanUp);
  // Stops by itself even if something hangs: the window, the push wait, the stops and the breakdown, with room to spare.
  const limitMs = WINDOW_PHASE_MS + durationMs + STORED_WAIT_MS + 2 * STOP_LIMIT_MS + LISTEN_LIMIT_MS + 60_000;
  const run = new AbortController();
  const limit = setTimeout(() => {
    run.abort(new Error(`the run took longer than ${Math.round(limitMs / 1000)} s`));
    // The after-run breakdown does not listen to the signal: should it hang, leave anyway.
    setTimeout(() => {
      console.error("bench failed: it did not end after its run limit");
      cleanUp();
      process.exit(1);
    }, STOP_LIMIT_MS).unref();
  }, limitMs);
  try {
    return await runBench(options, dir, started, run.signal);
  } finally {
    clearTimeout(limit);
    cleanUp();
    removeSignalHandlers();
  }
}

exitWithBenchResult(main);
