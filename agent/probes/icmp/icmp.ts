import { spawn, type ChildProcessByStdio } from "node:child_process";
import { isIP } from "node:net";
import type { Readable } from "node:stream";
import { z } from "zod";
import { durationMs } from "../../../config/units.js";
import type { ProbeContext } from "../probe.js";

// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 253 characters at most.
const HOSTNAME = /^(?=.{1,253}\.?$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;

/** Margin past the slowest normal round before the probe stops ping itself (see {@link icmpRoundDeadlineMs}). */
const DEADLINE_MARGIN_MS = 1000;
/** ping is asked to stop (SIGINT, so it still prints its summary) this long before the deadline… */
const GENTLE_STOP_BEFORE_DEADLINE_MS = 250;
/** …and killed this long before it, so that the result is in the caller's hands by the deadline. */
const HARD_STOP_BEFORE_DEADLINE_MS = 50;
/** The protocol allows 500 characters of reason; ping's own messages are far shorter. */
const MAX_REASON_CHARS = 200;

/**
 * One `kind: icmp` probe entry as written in the agent's YAML (snake_case, durations as strings), parsed into
 * {@link IcmpProbeConfig}. Unknown keys are rejected; ping's own run time, (count − 1) × packet_interval + timeout,
 * must fit in `interval`.
 * See icmp.example.yaml beside this file for every key, its default and its range.
 */
export const icmpProbeSchema = z
  .strictObject({
    kind: z.literal("icmp"),
    target: z
      .string()
      .refine((text) => isIP(text) !== 0 || HOSTNAME.test(text), "must be an IPv4 or IPv6 address or a host name"),
    interval: durationMs(1000, 3_600_000).prefault("10s"),
    count: z.number().int().min(1).max(100).default(5),
    packet_interval: durationMs(10, 60_000).prefault("200ms"),
    timeout: durationMs(10, 60_000).prefault("1s"),
  })
  .superRefine((probe, ctx) => {
    // ping itself ends after (count − 1) × packet_interval + timeout; rounds never overlap, but a round longer
    // than the interval would silently stretch it.
    const roundMs = (probe.count - 1) * probe.packet_interval + probe.timeout;
    if (roundMs > probe.interval) {
      ctx.addIssue({
        code: "custom",
        path: ["interval"],
        message: `a round takes up to (count − 1) × packet_interval + timeout = ${roundMs} ms, longer than interval (${probe.interval} ms)`,
      });
    }
  })
  .transform(
    (probe): IcmpProbeConfig => ({
      kind: probe.kind,
      target: probe.target,
      intervalMs: probe.interval,
      count: probe.count,
      packetIntervalMs: probe.packet_interval,
      timeoutMs: probe.timeout,
    }),
  );

/** A validated ICMP probe: `count` echo requests `packetIntervalMs` apart every `intervalMs`; all durations in ms. */
export interface IcmpProbeConfig {
  kind: "icmp";
  /** IPv4 or IPv6 address or host name. */
  target: string;
  /** Time between the starts of two rounds (the scheduler's business, not the probe's). */
  intervalMs: number;
  /** Echo requests per round, 1–100. */
  count: number;
  /** Time between two echo requests of a round. */
  packetIntervalMs: number;
  /** How long a reply may take; a slower reply counts as lost. */
  timeoutMs: number;
}

/** What one round needs from the configuration (the target is passed on its own; the interval is the scheduler's). */
export type IcmpRoundSettings = Pick<IcmpProbeConfig, "count" | "packetIntervalMs" | "timeoutMs">;

/**
 * One round of an ICMP probe.
 * - `ok`: at least one reply came back within the timeout (and the round was not aborted).
 * - `sent`/`received`: echo requests sent and distinct replies (duplicates ignored, replies slower than the
 *   timeout not counted); `lossPct` = 100 × (sent − received) / sent, 0–100, and 100 when nothing was sent.
 * - `rttsMs`: each counted reply's round-trip time in ms, in icmp_seq order; the rtt summary fields are null when
 *   there is none. `rttStddevMs` is the population standard deviation (as iputils' mdev).
 * - `reason` (only when not ok): "no reply", "aborted", "ping not installed", "interface not found",
 *   "deadline exceeded" (ping had to be stopped), or ping's own error text (e.g. "bind: Cannot assign requested address").
 */
export interface IcmpRoundResult {
  ok: boolean;
  sent: number;
  received: number;
  lossPct: number;
  rttsMs: number[];
  rttMinMs: number | null;
  rttAvgMs: number | null;
  rttMaxMs: number | null;
  rttStddevMs: number | null;
  reason?: string;
}

function roundDeadline(count: number, packetIntervalMs: number, timeoutMs: number): number {
  return count * packetIntervalMs + timeoutMs + DEADLINE_MARGIN_MS;
}

/**
 * The longest one round may take, in ms: count × packetInterval + timeout + 1 s. ping itself ends after about
 * (count − 1) × packetInterval + timeout; past this the probe stops ping and returns what it has.
 */
export function icmpRoundDeadlineMs(settings: IcmpRoundSettings): number {
  return roundDeadline(settings.count, settings.packetIntervalMs, settings.timeoutMs);
}

/** What ping printed on stdout, read line by line. */
export interface PingOutput {
  /** RTT in ms of the first reply to each icmp_seq (later duplicates, marked DUP!, are ignored). */
  rttsBySeq: Map<number, number>;
  /** Highest icmp_seq that ping reported anything about (a reply or an error such as "Destination Host Unreachable"). */
  highestSeq: number;
  /** "N packets transmitted" from the summary, or null when ping was killed before printing it. */
  transmitted: number | null;
}

/** Parses iputils ping output (run with LC_ALL=C and -n); lines it does not know are ignored. */
export function parsePingOutput(stdout: string): PingOutput {
  const output: PingOutput = { rttsBySeq: new Map(), highestSeq: 0, transmitted: null };
  for (const line of stdout.split("\n")) {
    const seq = /\bicmp_seq=(\d+)/.exec(line);
    if (seq) {
      const seqNumber = Number(seq[1]);
      output.highestSeq = Math.max(output.highestSeq, seqNumber);
      const time = /\btime=(\d+(?:\.\d+)?) ms/.exec(line);
      if (time && !output.rttsBySeq.has(seqNumber)) output.rttsBySeq.set(seqNumber, Number(time[1]));
      continue;
    }
    const summary = /^(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(line);
    if (summary) output.transmitted = Number(summary[1]);
  }
  return output;
}

/** The argument list for one round: `-n -c COUNT -i PACKET_INTERVAL_S -W TIMEOUT_S [-4|-6] [-I iface|source] -- target`. */
function pingArguments(target: string, settings: IcmpRoundSettings, context: ProbeContext): string[] {
  // No `-w`: with a deadline iputils keeps sending past -c until it has COUNT replies (measured: 12 requests
  // instead of 3 on a dead link), which would skew loss; the probe enforces the deadline itself.
  const args = ["-n", "-c", String(settings.count), "-i", seconds(settings.packetIntervalMs), "-W", seconds(settings.timeoutMs)];
  const family = isIP(target) || isIP(context.bindTo.source ?? "");
  if (family !== 0) args.push(family === 6 ? "-6" : "-4");
  const bindTo = context.bindTo.interface ?? context.bindTo.source;
  if (bindTo !== null) args.push("-I", bindTo);
  args.push("--", target);
  return args;
}

function seconds(ms: number): string {
  return String(ms / 1000);
}

type Ending = "exited" | "deadline" | "aborted" | "not-installed" | "spawn-failed";

/** Why a round with no counted reply failed, from how it ended and what ping said on stderr. */
function failureReason(ending: Ending, stderr: string, spawnError: string | null): string {
  if (ending === "aborted") return "aborted";
  if (ending === "not-installed") return "ping not installed";
  if (ending === "spawn-failed") return spawnError ?? "ping could not be started";
  if (/SO_BINDTODEVICE .*No such device|unknown iface/.test(stderr)) return "interface not found";
  const errors = stderr
    .split("\n")
    .map((line) => line.trim().replace(/^ping: /, ""))
    .filter((line) => line !== "" && !line.startsWith("Warning:"));
  const lastError = errors.at(-1);
  if (lastError !== undefined) return lastError.slice(0, MAX_REASON_CHARS);
  return ending === "deadline" ? "deadline exceeded" : "no reply";
}

/** Builds the result from what ping printed; pure. */
function roundResult(output: PingOutput, settings: IcmpRoundSettings, ending: Ending, stderr: string, spawnError: string | null): IcmpRoundResult {
  const rttsMs = [...output.rttsBySeq.entries()]
    .sort(([seqA], [seqB]) => seqA - seqB)
    .map(([, rttMs]) => rttMs)
    .filter((rttMs) => rttMs <= settings.timeoutMs);
  const received = rttsMs.length;
  const sent = Math.max(output.transmitted ?? output.highestSeq, output.highestSeq, received);
  const lossPct = sent === 0 ? 100 : (100 * (sent - received)) / sent;
  const ok = received > 0 && ending !== "aborted";
  const statistics = rttStatistics(rttsMs);
  return ok
    ? { ok, sent, received, lossPct, rttsMs, ...statistics }
    : { ok, sent, received, lossPct, rttsMs, ...statistics, reason: received > 0 ? "aborted" : failureReason(ending, stderr, spawnError) };
}

/** Min, mean, max and population standard deviation of `rttsMs` (ms), all null when it is empty. */
export function rttStatistics(rttsMs: readonly number[]): Pick<IcmpRoundResult, "rttMinMs" | "rttAvgMs" | "rttMaxMs" | "rttStddevMs"> {
  if (rttsMs.length === 0) return { rttMinMs: null, rttAvgMs: null, rttMaxMs: null, rttStddevMs: null };
  const avg = rttsMs.reduce((sum, rtt) => sum + rtt, 0) / rttsMs.length;
  const variance = rttsMs.reduce((sum, rtt) => sum + (rtt - avg) ** 2, 0) / rttsMs.length;
  return { rttMinMs: Math.min(...rttsMs), rttAvgMs: avg, rttMaxMs: Math.max(...rttsMs), rttStddevMs: Math.sqrt(variance) };
}

/**
 * One ICMP round: runs the system `ping` (iputils) against `target`, bound to `context.bindTo`, and reads each
 * reply. Resolves (never rejects) within {@link icmpRoundDeadlineMs}, killing ping if it has not finished, and
 * promptly after `context.signal` aborts (ok false, reason "aborted"). Requires iputils ping (as root or with
 * cap_net_raw, which Debian's package sets).
 */
export function probeIcmp(target: string, settings: IcmpRoundSettings, context: ProbeContext): Promise<IcmpRoundResult> {
  const nothing = parsePingOutput("");
  if (context.signal.aborted) return Promise.resolve(roundResult(nothing, settings, "aborted", "", null));
  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    child = spawn("ping", pingArguments(target, settings, context), {
      env: { ...process.env, LC_ALL: "C" },
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    // Arguments Node refuses outright (e.g. a NUL byte in the target).
    return Promise.resolve(roundResult(nothing, settings, "spawn-failed", "", `ping could not be started: ${(err as Error).message}`));
  }

  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const settle = (ending: Ending, spawnError: string | null = null): void => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      context.signal.removeEventListener("abort", onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      resolve(roundResult(parsePingOutput(stdout), settings, ending, stderr, spawnError));
    };
    const onAbort = (): void => settle("aborted");

    let deadlineReached = false;
    const deadlineMs = icmpRoundDeadlineMs(settings);
    timers.push(
      setTimeout(() => {
        deadlineReached = true;
        child.kill("SIGINT");
      }, deadlineMs - GENTLE_STOP_BEFORE_DEADLINE_MS),
      setTimeout(() => settle("deadline"), deadlineMs - HARD_STOP_BEFORE_DEADLINE_MS),
    );
    context.signal.addEventListener("abort", onAbort, { once: true });

    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    child.on("error", (err: NodeJS.ErrnoException) =>
      settle(err.code === "ENOENT" ? "not-installed" : "spawn-failed", `ping could not be started: ${err.message}`),
    );
    child.on("close", () => settle(deadlineReached ? "deadline" : "exited"));
  });
}
