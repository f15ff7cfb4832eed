import { describe, expect, it } from "vitest";
import {
  changePending,
  DEFAULT_LINK_STATE_POLICY,
  initialLinkState,
  judgeRound,
  nextLinkState,
  percentStateChange,
  type LinkStateMachine,
  type RoundObservation,
} from "../../protocol/linkState.js";

const good = (ts: number): RoundObservation => ({ ts, ok: true, lossPct: 0, rttMs: 10 });
const fail = (ts: number): RoundObservation => ({ ts, ok: false, lossPct: 100, rttMs: null });
const poor = (ts: number): RoundObservation => ({ ts, ok: true, lossPct: 40, rttMs: 10 });

function run(observations: RoundObservation[], start: LinkStateMachine = initialLinkState()) {
  let machine = start;
  const states: string[] = [];
  for (const o of observations) {
    machine = nextLinkState(machine, o, DEFAULT_LINK_STATE_POLICY).machine;
    states.push(machine.state);
  }
  return { machine, states };
}

describe("protocol/linkState", () => {
  it("says a change is pending while the last rounds point to another state, until it is confirmed or undone", () => {
    const pending = (observations: RoundObservation[]) => changePending(run(observations).machine);
    expect(pending([])).toBe(false);
    expect(pending([good(1)])).toBe(false);
    expect(pending([good(1), fail(2)])).toBe(true);
    expect(pending([good(1), fail(2), fail(3)])).toBe(true);
    expect(pending([good(1), fail(2), fail(3), fail(4)])).toBe(false); // down: confirmed
    expect(pending([good(1), fail(2), good(3)])).toBe(false); // undone
    expect(pending([good(1), fail(2), fail(3), fail(4), good(5)])).toBe(true); // recovering
    expect(pending([good(1), fail(2), fail(3), fail(4), fail(5)])).toBe(false);
    expect(pending([good(1), poor(2)])).toBe(true);
    expect(pending([good(1), poor(2), poor(3)])).toBe(false); // degraded: confirmed
    expect(pending([good(1), poor(2), poor(3), poor(4)])).toBe(false);
    expect(pending([good(1), poor(2), poor(3), good(4)])).toBe(true);
    expect(pending([fail(1)])).toBe(true); // unknown, failing
  });

  it("goes up on the first good round from unknown", () => {
    expect(run([good(1)]).states).toEqual(["up"]);
  });

  it("goes down only after 3 consecutive failed rounds", () => {
    expect(run([good(1), fail(2), fail(3), fail(4)]).states).toEqual(["up", "up", "up", "down"]);
  });

  it("a good round in between resets the failure count", () => {
    expect(run([good(1), fail(2), fail(3), good(4), fail(5), fail(6)]).machine.state).toBe("up");
  });

  it("comes back up only after 2 reachable rounds", () => {
    const { states } = run([good(1), fail(2), fail(3), fail(4), good(5), good(6)]);
    expect(states.slice(3)).toEqual(["down", "down", "up"]);
  });

  it("is degraded after 2 poor rounds and up again after 2 good ones", () => {
    const { states } = run([good(1), poor(2), poor(3), good(4), good(5)]);
    expect(states).toEqual(["up", "up", "degraded", "degraded", "up"]);
  });

  it("dates a new state from the round where it really began, not the round that confirmed it", () => {
    let machine = run([good(1), fail(2), fail(3)]).machine;
    const result = nextLinkState(machine, fail(4));
    // Down is confirmed at the third failed round (4) but began with the first one (2).
    expect(result.events).toEqual([{ type: "state", from: "up", to: "down", ts: 2 }]);
    machine = result.machine;
    expect(machine.sinceTs).toBe(2);
    // Up again is confirmed at the second reachable round (6) and began with the first (5).
    machine = run([good(5), good(6)], machine).machine;
    expect(machine).toMatchObject({ state: "up", sinceTs: 5 });
    // Degraded began with the first poor round.
    machine = run([poor(7), poor(8)], machine).machine;
    expect(machine).toMatchObject({ state: "degraded", sinceTs: 7 });
  });

  it("rounds older than the last judged one change nothing", () => {
    const { machine } = run([good(10), fail(11), fail(12), fail(13)]);
    const result = nextLinkState(machine, good(5));
    expect(result.machine).toBe(machine);
    expect(result.events).toEqual([]);
  });

  it("detects flapping when the link alternates, and never goes down meanwhile", () => {
    const observations = Array.from({ length: 21 }, (_, i) => (i % 2 === 0 ? good(i + 1) : fail(i + 1)));
    const { machine } = run(observations);
    expect(machine.flapping).toBe(true);
    expect(machine.state).toBe("up");
  });

  it("does not call the first change of a new link flapping", () => {
    const { machine } = run([good(1), fail(2)]);
    expect(machine.flapping).toBe(false);
  });

  it("weights newer changes more", () => {
    expect(percentStateChange("ggggggggggf")).toBeGreaterThan(percentStateChange("fgggggggggg"));
    expect(percentStateChange("g")).toBe(0);
  });

  it("judges a round ok when any probe got through", () => {
    const observation = judgeRound([
      { ts: 5, ok: false, lossPct: 100, rttAvgMs: null },
      { ts: 4, ok: true, lossPct: 20, rttAvgMs: 30 },
    ]);
    expect(observation).toEqual({ ts: 4, ok: true, lossPct: 60, rttMs: 30 });
  });
});
