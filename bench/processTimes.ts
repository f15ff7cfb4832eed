/**
 * CPU time of a process and of the children it has waited for, and its memory, as /proc shows them. The agent
 * bench reads it for the agent (whose children are its `ping` processes) and for itself (whose only children during
 * the measured window are the `fping` invocations); the agent and ingest benches read it for the collector.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** What /proc says about one process at one moment. Bytes and ms. */
export interface ProcessTimes {
  /** VmRSS: resident memory now. */
  rssBytes: number;
  /** VmHWM: the highest resident memory so far. */
  peakRssBytes: number;
  /** utime + stime: CPU time the process itself used so far, user and system. */
  ownCpuMs: number;
  /**
   * cutime + cstime: CPU time of its children that have ended and been waited for (and of their own waited-for
   * children). A child still running is not in it yet.
   */
  childrenCpuMs: number;
}

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`; 100 when getconf is unavailable). */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** Reads VmRSS, VmHWM (/proc/<pid>/status) and utime, stime, cutime, cstime (/proc/<pid>/stat) of a running process. */
export function readProcessTimes(pid: number, ticksPerSecond: number): ProcessTimes {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const statusKb = (key: string): number => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${key}`);
    return Number(match[1]) * 1024;
  };
  // Fields after the command name, which is in parentheses and may itself contain spaces or ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime, stime, cutime, cstime are fields 14–17 of the line; `fields[0]` is field 3 (state), so 11–14 here.
  const ticksToMs = (index: number): number => (Number(fields[index]) / ticksPerSecond) * 1000;
  return {
    rssBytes: statusKb("VmRSS"),
    peakRssBytes: statusKb("VmHWM"),
    ownCpuMs: ticksToMs(11) + ticksToMs(12),
    childrenCpuMs: ticksToMs(13) + ticksToMs(14),
  };
}


/** How a process's resident memory splits, from /proc/<pid>/smaps_rollup. Bytes. */
export interface MemorySplit {
  rssBytes: number;
  /** Anonymous pages: the JS heap, native allocations, stacks. */
  anonymousBytes: number;
  /** The rest: pages of mapped files (the node binary, shared libraries), counted whole even when shared. */
  fileBytes: number;
}

/** Reads Rss and Anonymous of a running process from /proc/<pid>/smaps_rollup. */
export function readMemorySplit(pid: number): MemorySplit {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (key: string): number => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(rollup);
    if (!match) throw new Error(`/proc/${pid}/smaps_rollup has no ${key}`);
    return Number(match[1]) * 1024;
  };
  const rssBytes = kb("Rss");
  const anonymousBytes = kb("Anonymous");
  return { rssBytes, anonymousBytes, fileBytes: rssBytes - anonymousBytes };
}
