/**
 * The agent bench's figures: what it measured (an {@link AgentRun}) printed beside the targets, and the
 * after-run breakdown of a process-per-target round. Printing only; nothing here asserts.
 */
import { cpus, loadavg } from "node:os";
import type { FpingRound } from "./fpingRounds.js";
import type { MemorySplit, ProcessTimes } from "./processTimes.js";
import type { SpawnCost } from "./spawnCost.js";

/** Resident memory the agent should stay under, bytes (80 MB, read as 10^6 bytes: the stricter reading). */
const TARGET_RSS_BYTES = 80e6;
/** CPU the agent (with its ping processes) should stay under, % of one core. */
const TARGET_CPU_PCT = 3;
/** The agent's CPU should be at most this many times fping's for the same work. */
const TARGET_FPING_RATIO = 2;

/** Everything one run measured; times in ms, memory in bytes, timestamps from performance.now(). */
export interface AgentRun {
  fpingVersion: string;
  /** os.loadavg() when the agent was spawned. */
  loadAtStart: number[];
  ticksPerSecond: number;
  targetCount: number;
  /** "tslcd × 25", one entry per link of the agent. */
  links: string[];
  pingsPerRound: number;
  durationMs: number;
  /** Rounds of each (agent and fping) inside the window. */
  rounds: number;
  /** The measured window, as timed (durationMs plus timer lateness). */
  windowMs: number;
  /** The agent's /proc readings, the first at the window's start, then one a second. */
  agentSamples: Array<{ at: number; usage: ProcessTimes }>;
  /** From the spawn to the window's end, and the agent's totals then (start-up included). */
  agentLife: { ms: number; usage: ProcessTimes };
  /** The agent's resident memory split at the window's end. */
  agentMemory: MemorySplit;
  /** What the collector stored with an agent timestamp inside the window. */
  stored: { samples: number; sent: number; received: number; failed: number };
  expectedSamples: number;
  agentLogLines: number;
  agentLastLines: string[];
  agentExit: number | string;
  collectorExit: number | string;
  collectorCpuMs: number;
  collectorPeakRssBytes: number;
  /** fping invocations started inside the window. */
  fpingRounds: FpingRound[];
  /** This process's cutime + cstime over the window: the fping invocations'. */
  fpingCpuMs: number;
  breakdown: SpawnCost[];
}

const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(1)} MiB (${(bytes / 1e6).toFixed(1)} MB)`;
const line = (label: string, value: string): void => console.log(`  ${label.padEnd(44)} ${value}`);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

function verdict(ok: boolean, howMuch: string): string {
  return ok ? "met" : `NOT met (${howMuch})`;
}

/** Prints the run's figures; see the module comment. */
export function printReport(run: AgentRun): void {
  const first = run.agentSamples[0]!.usage;
  const last = run.agentSamples.at(-1)!.usage;
  const pct = (ms: number, overMs = run.windowMs): number => (100 * ms) / overMs;
  const ownMs = last.ownCpuMs - first.ownCpuMs;
  const childrenMs = last.childrenCpuMs - first.childrenCpuMs;
  const totalMs = ownMs + childrenMs;
  const pings = run.rounds * run.targetCount;
  const rss = run.agentSamples.map((sample) => sample.usage.rssBytes);

  console.log(`wardwatch agent bench: ${run.targetCount} ICMP target(s) (127.0.0.1–127.0.0.${run.targetCount}), ${run.pingsPerRound} pings each every 10 s, beside fping`);
  console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? "unknown"}), node ${process.version}, ${process.platform}, CLK_TCK ${run.ticksPerSecond}, ${run.fpingVersion}`);
  const loads = (values: number[]): string => values.map((load) => load.toFixed(2)).join(" ");
  console.log(`load average (1, 5, 15 min) at the agent's spawn: ${loads(run.loadAtStart)}, at the end: ${loads(loadavg())}`);
  console.log(`window: ${(run.windowMs / 1000).toFixed(1)} s = ${run.rounds} rounds of each, starting 6 s after the agent was spawned`);

  console.log(`\nagent (node bin/wardwatch.js agent: links ${run.links.join(", ")} icmp probes, source 127.0.0.1, log warn)`);
  const maxAtS = (run.agentSamples[rss.indexOf(Math.max(...rss))]!.at - run.agentSamples[0]!.at) / 1000;
  line("RSS (VmRSS) in the window min / median / max", `${mib(Math.min(...rss))} / ${mib(median(rss))} / ${mib(Math.max(...rss))} (max at +${maxAtS.toFixed(0)} s)`);
  line("RSS at the end: anonymous / file-backed", `${mib(run.agentMemory.anonymousBytes)} / ${mib(run.agentMemory.fileBytes)} (smaps_rollup)`);
  line("peak RSS (VmHWM, whole life)", mib(last.peakRssBytes));
  line("target: RSS under 80 MB", verdict(last.peakRssBytes < TARGET_RSS_BYTES, `${(last.peakRssBytes / TARGET_RSS_BYTES).toFixed(2)}× the target`));
  line("CPU, the agent's own (utime + stime)", `${(ownMs / 1000).toFixed(2)} s = ${pct(ownMs).toFixed(2)} % of one core, ${(ownMs / run.rounds).toFixed(1)} ms/round`);
  line("CPU, its children: fping, or ping (cutime + cstime)", `${(childrenMs / 1000).toFixed(2)} s = ${pct(childrenMs).toFixed(2)} % of one core, ${(childrenMs / pings).toFixed(2)} ms/target/round`);
  line("CPU, total", `${(totalMs / 1000).toFixed(2)} s = ${pct(totalMs).toFixed(2)} % of one core, ${(totalMs / run.rounds).toFixed(1)} ms/round`);
  line("target: CPU under 3 % of one core", verdict(pct(totalMs) < TARGET_CPU_PCT, `${(pct(totalMs) / TARGET_CPU_PCT).toFixed(2)}× the target`));
  const lifeMs = run.agentLife.usage.ownCpuMs + run.agentLife.usage.childrenCpuMs;
  line("CPU from the spawn (start-up included)", `${(lifeMs / 1000).toFixed(2)} s over ${(run.agentLife.ms / 1000).toFixed(1)} s = ${pct(lifeMs, run.agentLife.ms).toFixed(2)} % of one core`);
  const stepsPerMinute = Math.round(60_000 / (run.windowMs / (run.agentSamples.length - 1)));
  for (let from = 0; from + stepsPerMinute < run.agentSamples.length; from += stepsPerMinute) {
    const a = run.agentSamples[from]!;
    const b = run.agentSamples[from + stepsPerMinute]!;
    const span = b.at - a.at;
    line(
      `  minute ${from / stepsPerMinute + 1}: own / children, RSS at its end`,
      `${pct(b.usage.ownCpuMs - a.usage.ownCpuMs, span).toFixed(2)} % / ${pct(b.usage.childrenCpuMs - a.usage.childrenCpuMs, span).toFixed(2)} %, ${mib(b.usage.rssBytes)}`,
    );
  }
  const storedOk = run.stored.samples === run.expectedSamples;
  line("stored by the collector for the window", `${run.stored.samples} samples (expected ${run.expectedSamples}${storedOk ? "" : ": the rest not pushed in time"}), ${run.stored.received}/${run.stored.sent} replies, ${run.stored.failed} not ok`);
  line("agent log lines (warn and error)", String(run.agentLogLines));
  for (const logLine of run.agentLastLines.slice(-5)) console.log(`    ${logLine}`);
  line("agent exit after SIGTERM", String(run.agentExit));
  line("collector CPU, whole life / peak RSS", `${(run.collectorCpuMs / 1000).toFixed(2)} s / ${mib(run.collectorPeakRssBytes)} (exit ${run.collectorExit})`);

  const fpingWall = run.fpingRounds.map((round) => round.wallMs);
  const fpingSent = run.fpingRounds.reduce((sum, round) => sum + round.sent, 0);
  const fpingReceived = run.fpingRounds.reduce((sum, round) => sum + round.received, 0);
  const exits = [...new Set(run.fpingRounds.map((round) => String(round.exit)))].join(", ");
  console.log(`\nfping (one \`fping -C ${run.pingsPerRound} -p 200 -t 1000 -q -S 127.0.0.1 <${run.targetCount} targets>\` per round, from this process)`);
  line("rounds in the window", `${run.fpingRounds.length} (exit ${exits || "none"}), wall per round median / max ${median(fpingWall).toFixed(0)} / ${Math.max(...fpingWall).toFixed(0)} ms`);
  line("replies", `${fpingReceived}/${fpingSent} (expected ${run.rounds * run.targetCount * run.pingsPerRound} requests)`);
  line("CPU (this process's cutime + cstime)", `${(run.fpingCpuMs / 1000).toFixed(2)} s = ${pct(run.fpingCpuMs).toFixed(3)} % of one core, ${(run.fpingCpuMs / run.rounds).toFixed(1)} ms/round`);

  console.log("\nagent vs fping, same work, same window");
  const ratio = (ms: number): string => (run.fpingCpuMs > 0 ? `${(ms / run.fpingCpuMs).toFixed(1)}×` : "∞ (fping used no measurable CPU)");
  line("agent total CPU / fping CPU", ratio(totalMs));
  line("  of which its children / fping", ratio(childrenMs));
  line("  of which the agent's own / fping", ratio(ownMs));
  const withinRatio = run.fpingCpuMs > 0 && totalMs / run.fpingCpuMs <= TARGET_FPING_RATIO;
  line("target: within 2× of fping", verdict(withinRatio, run.fpingCpuMs > 0 ? `${(totalMs / run.fpingCpuMs / TARGET_FPING_RATIO).toFixed(1)}× over the 2× allowance` : "fping's CPU is not measurable"));

  console.log(`\nbreakdown, measured after the run in this Node process: ${run.breakdown[0]?.rounds ?? 0} rounds of ${run.targetCount} concurrent children each, spawned as the agent spawns ping when fping is missing`);
  line("child", "Node side ms/child   child ms/child   ok");
  for (const cost of run.breakdown) {
    line(cost.label, `${cost.parentCpuMsPerChild.toFixed(2).padStart(17)}   ${cost.childCpuMsPerChild.toFixed(2).padStart(14)}   ${cost.succeeded}/${cost.rounds * cost.childrenPerRound}`);
  }
  const asAgent = run.breakdown.at(-1);
  if (asAgent) {
    const spawnSideMs = asAgent.parentCpuMsPerChild * run.targetCount;
    line("so a round of one ping per target would cost", `≈ ${spawnSideMs.toFixed(1)} ms in Node + ≈ ${(asAgent.childCpuMsPerChild * run.targetCount).toFixed(1)} ms in the pings (the run: own ${(ownMs / run.rounds).toFixed(1)} ms + children ${(childrenMs / run.rounds).toFixed(1)} ms per round)`);
  }
}
