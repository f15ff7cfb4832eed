/**
 * ICMP rounds batched into one `fping` process: the ICMP probes a round starts together (same binding, same count,
 * packet interval and timeout) share one `fping -C` instead of one `ping` each, which is most of the agent's CPU
 * otherwise (docs/benchmarks.md). Each caller still gets its own {@link IcmpRoundResult}, as from probeIcmp.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { isIP } from "node:net";
import type { Logger } from "../../../config/logger.js";
import { fpingArguments, fpingRunDeadlineMs, parseFpingOutput, runResults, unansweredRound, type FpingRun } from "./fpingOutput.js";
import type { IcmpRoundResult, IcmpRoundSettings } from "./icmp.js";
import type { ProbeContext } from "../probe.js";

/** fping is asked to stop (SIGINT, so it still prints its summary) this long before the deadline… */
const GENTLE_STOP_BEFORE_DEADLINE_MS = 250;
/** …and killed this long before it, so that the results are in the callers' hands by the deadline. */
const HARD_STOP_BEFORE_DEADLINE_MS = 50;
/** fping's stderr kept per run: far more than the summary of 100 requests to each of 64 targets (about 50 KB). */
const MAX_STDERR_CHARS = 1 << 20;

/** One ICMP round against `target`: probeIcmp's signature, which {@link FpingBatchRunner.probe} also has. */
export type IcmpRoundProbe = (target: string, settings: IcmpRoundSettings, context: ProbeContext) => Promise<IcmpRoundResult>;

/** Starts a child process as node's `spawn` does; injectable so that tests can count spawns or make them fail. */
export type SpawnProcess = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

/** Collaborators of a {@link FpingBatchRunner}. */
export interface FpingBatchDeps {
  logger: Logger;
  /** Probes one target on its own when fping is not installed (probeIcmp: one iputils `ping`). */
  fallback: IcmpRoundProbe;
  /** Defaults to node's `spawn`. */
  spawnProcess?: SpawnProcess;
}

/** One waiting call: answered exactly once, by its batch, its fallback or its own abort. */
interface Caller {
  target: string;
  context: ProbeContext;
  answered: boolean;
  answer(result: IcmpRoundResult): void;
}

/** Calls gathered in one macrotask turn for the same run shape, then run together. */
interface Batch {
  shape: Omit<FpingRun, "targets">;
  callers: Caller[];
  /** Told when a caller aborted, so that a run nobody waits for any more is killed. */
  onCallerAborted(): void;
}

/**
 * Runs ICMP rounds, coalescing the calls made in the same macrotask turn (a monitor starting its round's probes
 * together) with the same binding, address family and settings into one `fping -C COUNT -p … -t … -i … -q` run.
 * {@link probe} has probeIcmp's contract: it resolves (never rejects) within the run's deadline (count × packet
 * interval + timeout + 1 s, longer only when a pass over all targets takes longer than the packet interval), and
 * promptly with reason "aborted" once the caller's signal aborts; when every caller of a run has aborted, fping is
 * killed. fping's non-zero exit for unreachable targets is data; a target fping says nothing about counts as "no
 * reply" (or "name not resolved", see runResults); fping's own error (e.g. a source it cannot bind) becomes every
 * target's reason. When fping is not installed (ENOENT) it logs once and from then on probes each target with
 * `deps.fallback`. Holds no state between rounds besides that; one runner serves the whole agent.
 */
export class FpingBatchRunner {
  private readonly gathering = new Map<string, Batch>();
  private fpingMissing = false;

  constructor(private readonly deps: FpingBatchDeps) {}

  /** One ICMP round against `target`, batched with the others of this turn; see the class comment. */
  readonly probe: IcmpRoundProbe = (target, settings, context) => {
    if (context.signal.aborted) return Promise.resolve(unansweredRound("aborted"));
    if (this.fpingMissing) return this.deps.fallback(target, settings, context);
    const batch = this.batchFor(target, settings, context);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        caller.answer(unansweredRound("aborted"));
        batch.onCallerAborted();
      };
      const caller: Caller = {
        target,
        context,
        answered: false,
        answer: (result) => {
          if (caller.answered) return;
          caller.answered = true;
          context.signal.removeEventListener("abort", onAbort);
          resolve(result);
        },
      };
      context.signal.addEventListener("abort", onAbort, { once: true });
      batch.callers.push(caller);
    });
  };

  /** The batch gathering this turn's calls shaped as this one (binding, family, settings); it runs when the turn ends. */
  private batchFor(target: string, settings: IcmpRoundSettings, context: ProbeContext): Batch {
    const { count, packetIntervalMs, timeoutMs } = settings;
    const bindTo = { interface: context.bindTo.interface, source: context.bindTo.interface === null ? context.bindTo.source : null };
    const family = (isIP(target) || isIP(bindTo.source ?? "")) as FpingRun["family"];
    const key = JSON.stringify([bindTo.interface, bindTo.source, family, count, packetIntervalMs, timeoutMs]);
    const gathering = this.gathering.get(key);
    if (gathering !== undefined) return gathering;
    const batch: Batch = { shape: { settings: { count, packetIntervalMs, timeoutMs }, bindTo, family }, callers: [], onCallerAborted: () => undefined };
    this.gathering.set(key, batch);
    setImmediate(() => {
      this.gathering.delete(key);
      this.run(batch);
    });
    return batch;
  }

  /** Runs one fping over the batch's callers still waiting and answers each. */
  private run(batch: Batch): void {
    const callers = batch.callers.filter((caller) => !caller.answered);
    if (callers.length === 0) return;
    if (this.fpingMissing) return this.fallBack(callers, batch.shape.settings);
    const run: FpingRun = { ...batch.shape, targets: callers.map((caller) => caller.target) };
    let child: ChildProcess;
    try {
      child = (this.deps.spawnProcess ?? spawn)("fping", fpingArguments(run), {
        env: { ...process.env, LC_ALL: "C" },
        stdio: ["ignore", "ignore", "pipe"],
      });
    } catch (err) {
      // Arguments Node refuses outright (e.g. a NUL byte in a target); the schema lets none through.
      for (const caller of callers) caller.answer(unansweredRound(`fping could not be started: ${(err as Error).message}`));
      return;
    }

    let stderr = "";
    let ended = false;
    let stoppedAtDeadline = false;
    const timers: NodeJS.Timeout[] = [];
    const end = (answerCallers: () => void): void => {
      if (ended) return;
      ended = true;
      timers.forEach(clearTimeout);
      batch.onCallerAborted = () => undefined;
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      answerCallers();
    };
    const answerFromOutput = (): void => {
      const results = runResults(run, parseFpingOutput(stderr, run.targets), { exitCode: child.exitCode, stoppedAtDeadline });
      callers.forEach((caller, i) => caller.answer(results[i]!));
    };

    const deadlineMs = fpingRunDeadlineMs(run.targets.length, run.settings);
    timers.push(
      setTimeout(() => {
        stoppedAtDeadline = true;
        child.kill("SIGINT");
      }, deadlineMs - GENTLE_STOP_BEFORE_DEADLINE_MS),
      setTimeout(() => end(answerFromOutput), deadlineMs - HARD_STOP_BEFORE_DEADLINE_MS),
    );
    batch.onCallerAborted = () => {
      if (callers.every((caller) => caller.answered)) end(() => undefined);
    };
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < MAX_STDERR_CHARS) stderr += chunk;
    });
    child.on("error", (err: NodeJS.ErrnoException) =>
      end(() => {
        if (err.code === "ENOENT") return this.fallBack(callers, run.settings);
        for (const caller of callers) caller.answer(unansweredRound(`fping could not be started: ${err.message}`));
      }),
    );
    child.on("close", () => end(answerFromOutput));
  }

  /** fping is not installed: each caller gets its own round from the fallback (probeIcmp), now and from then on. */
  private fallBack(callers: readonly Caller[], settings: IcmpRoundSettings): void {
    if (!this.fpingMissing) {
      this.fpingMissing = true;
      this.deps.logger.warn("fping not installed, probing ICMP targets with one ping each", { targets: callers.length });
    }
    for (const caller of callers) {
      if (caller.answered) continue;
      void this.deps.fallback(caller.target, settings, caller.context).then(caller.answer);
    }
  }
}
