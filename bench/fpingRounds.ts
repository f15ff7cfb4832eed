/**
 * fping doing the agent bench's probing work beside the agent: every interval one
 * `fping -C COUNT -p PACKET_INTERVAL -t TIMEOUT -q -S SOURCE TARGET…` (all targets in one process), spawned from this
 * process. This process waits for each fping, so its CPU time lands in this process's cutime + cstime, which the
 * bench reads (see processTimes.ts); each round's replies are read from fping's per-target summary lines.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";

/** What fping is asked to do each round; durations in ms. */
export interface FpingRoundsOptions {
  targets: readonly string[];
  /** Source address (-S), as the agent's `source:` binding. */
  source: string;
  /** Echo requests per target per round (-C). */
  count: number;
  /** Time between two echo requests to one target (-p). */
  packetIntervalMs: number;
  /** How long a reply may take (-t; with -C fping does not back off, so this is the timeout of every request). */
  timeoutMs: number;
  /** Time between the starts of two rounds. */
  intervalMs: number;
  /** performance.now() at which the first round starts; the k-th starts at firstRoundAt + k × intervalMs. */
  firstRoundAt: number;
}

/** One fping invocation. */
export interface FpingRound {
  /** performance.now() when fping was spawned. */
  startedAt: number;
  /** Spawn to exit, ms. */
  wallMs: number;
  /** Exit code (0 all targets answered, 1 some did not), or the signal name, or "spawn failed: …". */
  exit: number | string;
  /** Targets that fping reported on. */
  targets: number;
  /** Echo requests reported, and replies among them. */
  sent: number;
  received: number;
}

/** fping running once per interval until stopped. */
export interface FpingRounds {
  /** Rounds finished so far, in order. */
  readonly rounds: readonly FpingRound[];
  /** Starts no new round and resolves when the one under way (if any) has ended. */
  stop(): Promise<void>;
  /** SIGKILLs the fping under way, if any, and starts no new round; safe at any time. */
  kill(): void;
}

/** `fping -v`'s first line; throws when fping is not installed. */
export function fpingVersion(): string {
  return execFileSync("fping", ["-v"], { encoding: "utf8" }).split("\n")[0]!.trim();
}

/** The argument list of one round. */
export function fpingArguments(options: Pick<FpingRoundsOptions, "targets" | "source" | "count" | "packetIntervalMs" | "timeoutMs">): string[] {
  return ["-C", String(options.count), "-p", String(options.packetIntervalMs), "-t", String(options.timeoutMs), "-q", "-S", options.source, ...options.targets];
}

/** Counts targets, requests and replies in fping -C's summary lines ("127.0.0.1 : 0.04 - 0.03", "-" for no reply). */
export function parseFpingSummary(stderr: string): Pick<FpingRound, "targets" | "sent" | "received"> {
  const counts = { targets: 0, sent: 0, received: 0 };
  for (const line of stderr.split("\n")) {
    const match = /^\S+\s+:((?:\s+(?:-|\d+(?:\.\d+)?))+)\s*$/.exec(line);
    if (!match) continue;
    const values = match[1]!.trim().split(/\s+/);
    counts.targets += 1;
    counts.sent += values.length;
    counts.received += values.filter((value) => value !== "-").length;
  }
  return counts;
}

/** Starts running fping once per interval, the first round at `options.firstRoundAt`. */
export function startFpingRounds(options: FpingRoundsOptions): FpingRounds {
  const rounds: FpingRound[] = [];
  const args = fpingArguments(options);
  let stopped = false;
  let current: { child: ChildProcess; ended: Promise<void> } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let nextRound = 0;

  const runRound = (): void => {
    timer = null;
    if (stopped) return;
    const startedAt = performance.now();
    const child = spawn("fping", args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const ended = new Promise<void>((resolve) => {
      let spawnError: string | null = null;
      child.on("error", (err) => (spawnError = `spawn failed: ${err.message}`));
      child.on("close", (code, signal) => {
        rounds.push({ startedAt, wallMs: performance.now() - startedAt, exit: spawnError ?? code ?? signal ?? "unknown", ...parseFpingSummary(stderr) });
        current = null;
        schedule();
        resolve();
      });
    });
    current = { child, ended };
  };

  // The next slot that has not started yet, so that an overlong round skips slots instead of piling them up.
  const schedule = (): void => {
    if (stopped) return;
    const now = performance.now();
    let at = options.firstRoundAt + nextRound * options.intervalMs;
    while (at < now - options.intervalMs / 2) at = options.firstRoundAt + ++nextRound * options.intervalMs;
    nextRound += 1;
    timer = setTimeout(runRound, Math.max(0, at - now));
  };

  schedule();
  return {
    rounds,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current?.ended;
    },
    kill() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const child = current?.child;
      if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
