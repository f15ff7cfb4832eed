import { z } from "zod";

/** The states a link can be in. `unknown`: no judgement yet (no rounds, or no data). */
export const linkStateSchema = z.enum(["up", "degraded", "down", "unknown"]);

/** A link's state, see {@link linkStateSchema}. */
export type LinkStateName = z.infer<typeof linkStateSchema>;

/**
 * When a link changes state. Counts are in rounds; thresholds in % and ms.
 * - `failAfter`: consecutive failed rounds before `down` (DESIGN: 3).
 * - `recoverAfter`: consecutive reachable rounds before a `down` or `degraded` link is `up` again (DESIGN: 2).
 * - `degradedAfter`: consecutive reachable-but-poor rounds (loss ≥ `degradedLossPct` or rtt ≥ `degradedRttMs`) before `degraded`.
 * - `flapWindow`, `flapHighPct`, `flapLowPct`: Nagios-style flap detection over the last rounds.
 */
export interface LinkStatePolicy {
  failAfter: number;
  recoverAfter: number;
  degradedAfter: number;
  degradedLossPct: number;
  degradedRttMs: number;
  flapWindow: number;
  flapHighPct: number;
  flapLowPct: number;
}

/** The defaults DESIGN.md names: down after 3 failed rounds, up after 2 good ones, flapping over 21 rounds. */
export const DEFAULT_LINK_STATE_POLICY: Readonly<LinkStatePolicy> = Object.freeze({
  failAfter: 3,
  recoverAfter: 2,
  degradedAfter: 2,
  degradedLossPct: 10,
  degradedRttMs: 300,
  flapWindow: 21,
  flapHighPct: 50,
  flapLowPct: 25,
});

/** One judged round of a link: `ok` when any probe of the round got through; loss in %, rtt in ms (null: no reply). */
export interface RoundObservation {
  ts: number;
  ok: boolean;
  lossPct: number | null;
  rttMs: number | null;
}

/** One probe's result within a round: when (UTC ms), whether it got through, loss %, average rtt ms (null: no reply). */
export interface ProbeOutcome {
  ts: number;
  ok: boolean;
  lossPct: number;
  rttAvgMs: number | null;
}

/**
 * Folds one round's probe results into one observation, the same way on agent and collector: the round is ok when
 * any probe got through; loss is the mean of the probes' loss (%), rtt the mean of the answering probes' average rtt
 * (ms); the round's time is its earliest probe's.
 */
export function judgeRound(parts: readonly ProbeOutcome[]): RoundObservation {
  const rtts = parts.map((p) => p.rttAvgMs).filter((rtt): rtt is number => rtt !== null);
  return {
    ts: Math.min(...parts.map((p) => p.ts)),
    ok: parts.some((p) => p.ok),
    lossPct: parts.reduce((sum, p) => sum + p.lossPct, 0) / parts.length,
    rttMs: rtts.length > 0 ? rtts.reduce((a, b) => a + b, 0) / rtts.length : null,
  };
}

/** Classification of one round: reachable and fine, reachable but poor, or failed. */
type RoundClass = "good" | "poor" | "fail";

/** Everything the state machine remembers about a link. Plain data, safe to serialise. */
export interface LinkStateMachine {
  state: LinkStateName;
  /** When the current state began, UTC ms (the round's timestamp); 0 while unknown. */
  sinceTs: number;
  /** Timestamp of the last round judged, UTC ms; 0 before the first. */
  lastTs: number;
  /** Consecutive failed rounds. */
  failStreak: number;
  /** Consecutive reachable rounds (good or poor). */
  reachStreak: number;
  /** Consecutive good rounds. */
  goodStreak: number;
  /** Consecutive poor rounds. */
  poorStreak: number;
  /**
   * When each current streak began (UTC ms of its first round; 0 when there is none), so a new state dates from the
   * round where the fault or recovery really began, not from the round that confirmed it.
   */
  streakStarts: { fail: number; reach: number; good: number; poor: number };
  /** Classes of the last rounds, oldest first, at most `flapWindow` letters (g, p, f). */
  recent: string;
  flapping: boolean;
}

/** What a round changed, in order. */
export type LinkStateEvent =
  | { type: "state"; from: LinkStateName; to: LinkStateName; ts: number }
  | { type: "flapping"; flapping: boolean; ts: number };

/** A link nobody has judged yet. */
export function initialLinkState(): LinkStateMachine {
  return { state: "unknown", sinceTs: 0, lastTs: 0, failStreak: 0, reachStreak: 0, goodStreak: 0, poorStreak: 0, streakStarts: { fail: 0, reach: 0, good: 0, poor: 0 }, recent: "", flapping: false };
}

function classify(observation: RoundObservation, policy: LinkStatePolicy): RoundClass {
  if (!observation.ok) return "fail";
  const lossPoor = observation.lossPct !== null && observation.lossPct >= policy.degradedLossPct;
  const rttPoor = observation.rttMs !== null && observation.rttMs >= policy.degradedRttMs;
  return lossPoor || rttPoor ? "poor" : "good";
}

/** Nagios-style weighted percent of class changes over the window: newer changes weigh more (0.8 → 1.2). */
export function percentStateChange(recent: string): number {
  if (recent.length < 2) return 0;
  const transitions = recent.length - 1;
  let weighted = 0;
  for (let i = 1; i < recent.length; i++) {
    if (recent[i] !== recent[i - 1]) weighted += 0.8 + (0.4 * (i - 1)) / Math.max(1, transitions - 1);
  }
  return (weighted / transitions) * 100;
}

function nextName(machine: LinkStateMachine, roundClass: RoundClass, policy: LinkStatePolicy): LinkStateName {
  const { state } = machine;
  if (roundClass === "fail") return machine.failStreak >= policy.failAfter ? "down" : state;
  const reachable: LinkStateName = roundClass === "good" ? "up" : "degraded";
  switch (state) {
    case "unknown":
      return reachable;
    case "down":
      return machine.reachStreak >= policy.recoverAfter ? reachable : "down";
    case "up":
      return machine.poorStreak >= policy.degradedAfter ? "degraded" : "up";
    case "degraded":
      return machine.goodStreak >= policy.recoverAfter ? "up" : "degraded";
  }
}

/** When the new state really began: the first round of the streak that led to it (down: the first failed round). */
function stateBeganTs(from: LinkStateName, to: LinkStateName, starts: LinkStateMachine["streakStarts"], ts: number): number {
  const began = to === "down" ? starts.fail : from === "down" || from === "unknown" ? starts.reach : to === "up" ? starts.good : starts.poor;
  return began || ts;
}

/**
 * Whether the last rounds point to another state than the current one and the change waits to be confirmed: a
 * failed round while not `down`, a reachable round while `down`, a poor round while `up`, a good round while
 * `degraded`. The agent then probes at its retry interval instead of the normal one (Nagios' soft state and
 * `retry_interval`), so a fault is confirmed in seconds while the counts of rounds stay the same.
 */
export function changePending(machine: Readonly<LinkStateMachine>): boolean {
  switch (machine.state) {
    case "down":
      return machine.reachStreak > 0;
    case "up":
      return machine.failStreak > 0 || machine.poorStreak > 0;
    case "degraded":
      return machine.failStreak > 0 || machine.goodStreak > 0;
    case "unknown":
      return machine.failStreak > 0;
  }
}

/**
 * Pure transition: judge one round. Rounds older than the last judged one (`ts < lastTs`) are history only and
 * change nothing. Returns the new machine and the events the round caused.
 */
export function nextLinkState(
  machine: LinkStateMachine,
  observation: RoundObservation,
  policy: LinkStatePolicy = DEFAULT_LINK_STATE_POLICY,
): { machine: LinkStateMachine; events: LinkStateEvent[] } {
  if (observation.ts < machine.lastTs) return { machine, events: [] };
  const roundClass = classify(observation, policy);
  const ts = observation.ts;
  const starts = machine.streakStarts ?? { fail: 0, reach: 0, good: 0, poor: 0 };
  const counted: LinkStateMachine = {
    ...machine,
    lastTs: ts,
    failStreak: roundClass === "fail" ? machine.failStreak + 1 : 0,
    reachStreak: roundClass === "fail" ? 0 : machine.reachStreak + 1,
    goodStreak: roundClass === "good" ? machine.goodStreak + 1 : 0,
    poorStreak: roundClass === "poor" ? machine.poorStreak + 1 : 0,
    streakStarts: {
      fail: roundClass !== "fail" ? 0 : machine.failStreak > 0 ? starts.fail : ts,
      reach: roundClass === "fail" ? 0 : machine.reachStreak > 0 ? starts.reach : ts,
      good: roundClass !== "good" ? 0 : machine.goodStreak > 0 ? starts.good : ts,
      poor: roundClass !== "poor" ? 0 : machine.poorStreak > 0 ? starts.poor : ts,
    },
    recent: (machine.recent + roundClass[0]).slice(-policy.flapWindow),
  };
  const events: LinkStateEvent[] = [];
  const to = nextName(counted, roundClass, policy);
  if (to !== machine.state) {
    const sinceTs = stateBeganTs(machine.state, to, counted.streakStarts, ts);
    events.push({ type: "state", from: machine.state, to, ts: sinceTs });
    counted.state = to;
    counted.sinceTs = sinceTs;
  }
  // A short history counts as steady before its first round (as Nagios fills its history with the first state), so
  // the very first change of a new link is not already "flapping".
  const change = percentStateChange(counted.recent.padStart(policy.flapWindow, counted.recent[0]));
  const flapping = machine.flapping ? change >= policy.flapLowPct : change > policy.flapHighPct;
  if (flapping !== machine.flapping) {
    events.push({ type: "flapping", flapping, ts: observation.ts });
    counted.flapping = flapping;
  }
  return { machine: counted, events };
}
