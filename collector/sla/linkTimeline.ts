import { initialLinkState, nextLinkState, type LinkStateMachine, type LinkStateName, type LinkStatePolicy } from "../../protocol/linkState.js";

/**
 * A link's state as the SLA counts it: `up` (the machine's `up` or `degraded`: the link carried traffic), `down`, or
 * `unknown` (the machine has not judged the link yet).
 */
export type SlaLinkState = "up" | "down" | "unknown";

/** The SLA state of a link state machine's state. */
export function slaStateOf(state: LinkStateName): SlaLinkState {
  return state === "up" || state === "degraded" ? "up" : state;
}

/**
 * What carries a link's replay from one stretch of time to the next: the state machine after the last round, and
 * that round's time (UTC ms; null before any round). Plain data.
 */
export interface LinkReplayState {
  machine: LinkStateMachine;
  lastRoundTs: number | null;
}

/** A link that has not been replayed yet. */
export function freshReplayState(): LinkReplayState {
  return { machine: initialLinkState(), lastRoundTs: null };
}

/**
 * A link's timeline over one local day, as replayed so far (UTC ms):
 * - `changes`: [ts, state] in time order, the first at the day's start: the SLA state holds from ts to the next change;
 * - `spans`: [start, end] in time order: the time some round stands for (from a round to the next one, when they are at
 *   most `maxRoundGapMs` apart; else a round stands for `maxRoundGapMs` after it). The last span ends at the last round;
 *   how far that round reaches is decided by the next round, or when the timeline is read (see slaAssembly.ts).
 */
export interface LinkDayTimeline {
  changes: Array<[number, SlaLinkState]>;
  spans: Array<[number, number]>;
}

/** One judged round of a link: its time (UTC ms, the agent's round start on the collector's time line) and outcome. */
export interface RoundOutcome {
  ts: number;
  ok: boolean;
}

/** How rounds are judged and how far one reaches: the collector's link state policy, and `maxRoundGapMs`. */
export interface ReplayPolicy {
  linkPolicy: LinkStatePolicy;
  maxRoundGapMs: number;
}

/**
 * Pure replay of one link's rounds, oldest first, through the same state machine the live state engine uses
 * (protocol/linkState.ts): the timeline it appends to and the replay state are the caller's, so a day can be
 * replayed in one go or in chunks (each chunk starting where the last ended) with the same result.
 *
 * Only whether a round got through matters here (a reachable round counts as good): `down` depends on nothing
 * else, and `degraded` counts as up. A change the machine dates back (to the first failed round of its streak) is
 * dated no earlier than the previous change, nor than `dayFromTs`: a streak that began before local midnight is
 * counted from midnight (the earlier day's timeline is not rewritten; at most `fail_after` rounds, once per outage
 * crossing midnight).
 */
export class LinkReplay {
  #state: LinkReplayState;

  constructor(
    start: LinkReplayState,
    readonly timeline: LinkDayTimeline,
    private readonly dayFromTs: number,
    private readonly policy: ReplayPolicy,
  ) {
    this.#state = { machine: start.machine, lastRoundTs: start.lastRoundTs };
    if (timeline.changes.length === 0) timeline.changes.push([dayFromTs, slaStateOf(start.machine.state)]);
  }

  /** The replay state after the rounds added so far. */
  get state(): LinkReplayState {
    return this.#state;
  }

  /** Adds the next round (none older than the last added). */
  add(round: RoundOutcome): void {
    const { spans, changes } = this.timeline;
    const last = this.#state.lastRoundTs;
    const gap = this.policy.maxRoundGapMs;
    if (last === null) spans.push([round.ts, round.ts]);
    else if (round.ts - last <= gap) extendSpan(spans, last, round.ts);
    else {
      extendSpan(spans, last, last + gap);
      spans.push([round.ts, round.ts]);
    }
    const result = nextLinkState(this.#state.machine, { ts: round.ts, ok: round.ok, lossPct: round.ok ? 0 : 100, rttMs: null }, this.policy.linkPolicy);
    for (const event of result.events) {
      if (event.type !== "state") continue;
      const to = slaStateOf(event.to);
      const previous = changes[changes.length - 1]!;
      if (previous[1] === to) continue;
      const ts = Math.max(event.ts, previous[0], this.dayFromTs);
      if (ts === previous[0]) changes[changes.length - 1] = [ts, to];
      else changes.push([ts, to]);
      // Two changes at one time leave only the later: drop a change back to what held before it.
      const before = changes[changes.length - 2];
      if (before && before[1] === to) changes.pop();
    }
    this.#state = { machine: result.machine, lastRoundTs: round.ts };
  }
}

/** Makes the last span reach `to`, or starts one [from, to] when there is none yet (a day's first round). */
function extendSpan(spans: Array<[number, number]>, from: number, to: number): void {
  const last = spans[spans.length - 1];
  if (last) last[1] = Math.max(last[1], to);
  else spans.push([from, to]);
}
