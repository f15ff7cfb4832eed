/**
 * Where a process-per-target round spends its CPU, measured in this (Node) process after the agent bench's run:
 * rounds of N concurrent children spawned the way the agent spawns `ping` (piped stdout and stderr, read to the
 * end, LC_ALL=C), for a few commands, so that the cost of Node spawning a child, of exec'ing ping, and of ping's
 * packets can be told apart. Node's side is this process's own CPU time (process.cpuUsage); the children's is this
 * process's cutime + cstime (processTimes.ts), which only the children started here move while it runs.
 */
import { spawn } from "node:child_process";
import { readProcessTimes } from "./processTimes.js";

/** One command run as N concurrent children per round, and what the rounds cost. CPU in ms. */
export interface SpawnCost {
  label: string;
  rounds: number;
  childrenPerRound: number;
  /** This process's CPU time spawning, reading and reaping the children, per child. */
  parentCpuMsPerChild: number;
  /** The children's own CPU time, per child. */
  childCpuMsPerChild: number;
  /** Children that exited 0, of rounds × childrenPerRound. */
  succeeded: number;
}

/** A command to measure: its label and the argv of the i-th child of a round. */
export interface SpawnCase {
  label: string;
  argv: (index: number) => [string, ...string[]];
}

function runChild([command, ...args]: [string, ...string[]]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, LC_ALL: "C" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", () => resolve(false));
    child.on("close", (code) => resolve(code === 0));
  });
}

/** Runs `rounds` rounds of `childrenPerRound` concurrent children of `spawnCase`, one round after the other. */
export async function measureSpawnCost(spawnCase: SpawnCase, rounds: number, childrenPerRound: number, ticksPerSecond: number): Promise<SpawnCost> {
  const childrenBefore = readProcessTimes(process.pid, ticksPerSecond).childrenCpuMs;
  const ownBefore = process.cpuUsage();
  let succeeded = 0;
  for (let round = 0; round < rounds; round++) {
    const results = await Promise.all(Array.from({ length: childrenPerRound }, (_, i) => runChild(spawnCase.argv(i))));
    succeeded += results.filter(Boolean).length;
  }
  const own = process.cpuUsage(ownBefore);
  const childrenMs = readProcessTimes(process.pid, ticksPerSecond).childrenCpuMs - childrenBefore;
  const children = rounds * childrenPerRound;
  return {
    label: spawnCase.label,
    rounds,
    childrenPerRound,
    parentCpuMsPerChild: (own.user + own.system) / 1000 / children,
    childCpuMsPerChild: childrenMs / children,
    succeeded,
  };
}
