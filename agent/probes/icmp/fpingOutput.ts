/**
 * The pure side of a batched ICMP round (see fpingBatch.ts): the argument list of one `fping -C` run over many
 * targets, what its stderr says about each target, and one {@link IcmpRoundResult} per caller built from that.
 * Nothing here does I/O.
 */
import { rttStatistics, type IcmpRoundResult, type IcmpRoundSettings } from "./icmp.js";
import type { ProbeBinding } from "../probe.js";

/** fping's default gap between any two packets it sends (-i), ms; a batch never asks for more. */
const MAX_SEND_GAP_MS = 10;
/** Margin past the slowest normal batch before it is stopped, as probeIcmp's. */
const DEADLINE_MARGIN_MS = 1000;
/** The protocol allows 500 characters of reason; fping's own messages are far shorter. */
const MAX_REASON_CHARS = 200;
/** A `-C` summary line: `TARGET : 0.03 - 0.05` (the target padded to the longest), one value per request, `-` lost. */
const REPLY_LINE = /^(\S+)\s+:((?:\s+(?:-|\d+(?:\.\d+)?))*)\s*$/;

/** One fping run: targets probed together with the same settings, binding and address family (-4/-6, 0 for neither). */
export interface FpingRun {
  /** In the callers' order; a target may repeat (fping then reports it once per occurrence, in order). */
  targets: readonly string[];
  settings: IcmpRoundSettings;
  bindTo: ProbeBinding;
  family: 0 | 4 | 6;
}

/**
 * The gap between any two packets of the run (fping's -i), ms, 1–10: small enough that one pass over every target
 * fits in the packet interval, so each target still gets its requests `packetIntervalMs` apart.
 */
export function fpingSendGapMs(targetCount: number, packetIntervalMs: number): number {
  return Math.max(1, Math.min(MAX_SEND_GAP_MS, Math.floor(packetIntervalMs / Math.max(1, targetCount))));
}

/**
 * The longest a run over `targetCount` targets may take, ms: count × max(packet interval, one pass over the targets)
 * + timeout + 1 s. For a batch whose passes fit in the packet interval (up to 20 targets at the default 200 ms, 200 at
 * 2 s) this is probeIcmp's icmpRoundDeadlineMs.
 */
export function fpingRunDeadlineMs(targetCount: number, settings: IcmpRoundSettings): number {
  const passMs = targetCount * fpingSendGapMs(targetCount, settings.packetIntervalMs);
  return settings.count * Math.max(settings.packetIntervalMs, passMs) + settings.timeoutMs + DEADLINE_MARGIN_MS;
}

/**
 * `-C COUNT -p PACKET_INTERVAL -t TIMEOUT -i GAP -q [-4|-6] [-I IFACE | -S SOURCE] -- TARGET…` (ms throughout). `-q`
 * keeps only the summary (measured: 12 % less of fping's CPU than printing every reply); it also hides the line
 * naming a host that does not resolve, which {@link runResults} infers from exit code 2 instead.
 */
export function fpingArguments(run: FpingRun): string[] {
  const { count, packetIntervalMs, timeoutMs } = run.settings;
  const gapMs = fpingSendGapMs(run.targets.length, packetIntervalMs);
  const args = ["-C", String(count), "-p", String(packetIntervalMs), "-t", String(timeoutMs), "-i", String(gapMs), "-q"];
  if (run.family !== 0) args.push(`-${run.family}`);
  // As for ping: the interface wins when both are set (see ProbeBinding).
  if (run.bindTo.interface !== null) args.push("-I", run.bindTo.interface);
  else if (run.bindTo.source !== null) args.push("-S", run.bindTo.source);
  args.push("--", ...run.targets);
  return args;
}

/** What one `fping -C` run printed on stderr (run with LC_ALL=C). */
export interface FpingOutput {
  /** The `-C` summary lines in the order printed: the target as it was given, each request's rtt in ms or null if lost. */
  replies: Array<{ target: string; rttsMs: Array<number | null> }>;
  /** `TARGET: message` lines (e.g. "gw.example: Name or service not known", printed without -q), the first per target. */
  targetErrors: Map<string, string>;
  /** fping's own error (e.g. a source address it cannot bind), its last such line without "fping: ", or null. */
  error: string | null;
}

/**
 * Parses fping's stderr for a run over `targets`. Never throws: only complete lines count (a line cut off by a kill
 * is dropped), ICMP error notices ("ICMP Host Unreachable from …", printed without -q) are skipped, and any other
 * line is taken as fping's own error.
 */
export function parseFpingOutput(stderr: string, targets: readonly string[]): FpingOutput {
  const output: FpingOutput = { replies: [], targetErrors: new Map(), error: null };
  const names = new Set(targets);
  for (const line of stderr.split("\n").slice(0, -1)) {
    const text = line.trimEnd();
    if (text === "" || text.startsWith("ICMP ")) continue;
    const reply = REPLY_LINE.exec(text);
    if (reply) {
      const values = reply[2]!.trim().split(/\s+/).filter((value) => value !== "");
      output.replies.push({ target: reply[1]!, rttsMs: values.map((value) => (value === "-" ? null : Number(value))) });
      continue;
    }
    const colon = text.indexOf(": ");
    const target = colon > 0 ? text.slice(0, colon) : null;
    if (target !== null && names.has(target)) {
      if (!output.targetErrors.has(target)) output.targetErrors.set(target, text.slice(0, MAX_REASON_CHARS));
      continue;
    }
    output.error = errorReason(text.replace(/^fping: /, ""));
  }
  return output;
}

/** fping's words for an interface that does not exist become probeIcmp's. */
function errorReason(text: string): string {
  if (/SO_BIN\w*DEVICE.*No such device/.test(text)) return "interface not found";
  return text.slice(0, MAX_REASON_CHARS);
}

/** A round with no reply at all: nothing counted, `reason` says why. */
export function unansweredRound(reason: string, sent = 0): IcmpRoundResult {
  return { ok: false, sent, received: 0, lossPct: 100, rttsMs: [], rttMinMs: null, rttAvgMs: null, rttMaxMs: null, rttStddevMs: null, reason };
}

/** How fping ended: its exit code (null when killed), and whether it had to be stopped at the deadline. */
export interface FpingExit {
  exitCode: number | null;
  stoppedAtDeadline: boolean;
}

/**
 * One result per target of the run, in order. A target's k-th occurrence takes the k-th summary line printed for it;
 * a reply slower than the timeout counts as lost (as in probeIcmp). A target with no line gets its own error line;
 * else fping's error when fping reported on no target at all; else "name not resolved" when fping exited 2 (its code
 * for "some hosts not found"); else "deadline exceeded" (fping had to be stopped) or "no reply".
 */
export function runResults(run: FpingRun, output: FpingOutput, exit: FpingExit): IcmpRoundResult[] {
  const linesByTarget = new Map<string, Array<Array<number | null>>>();
  for (const { target, rttsMs } of output.replies) linesByTarget.set(target, [...(linesByTarget.get(target) ?? []), rttsMs]);
  const silence = exit.stoppedAtDeadline ? "deadline exceeded" : "no reply";
  return run.targets.map((target) => {
    const values = linesByTarget.get(target)?.shift();
    if (values === undefined) {
      const globalError = output.replies.length === 0 ? output.error : null;
      const unresolved = exit.exitCode === 2 ? "name not resolved" : null;
      return unansweredRound(output.targetErrors.get(target) ?? globalError ?? unresolved ?? silence);
    }
    const rttsMs = values.filter((rttMs): rttMs is number => rttMs !== null && rttMs <= run.settings.timeoutMs);
    const sent = values.length;
    const received = rttsMs.length;
    if (received === 0) return unansweredRound(silence, sent);
    return { ok: true, sent, received, lossPct: (100 * (sent - received)) / sent, rttsMs, ...rttStatistics(rttsMs) };
  });
}
