import { describe, expect, it } from "vitest";
import { ProbeMonitor, type RoundIdentity, type ScheduledProbe, type UnsequencedSample } from "../../agent/probeMonitor.js";
import { DEFAULT_LINK_STATE_POLICY } from "../../protocol/linkState.js";
import { memoryLogger } from "../helpers/memoryLogger.js";

function sample(round: RoundIdentity, ok: boolean, link = "tslcd"): UnsequencedSample {
  return {
    ts: round.ts, kind: "icmp", role: "link", link, probe: "icmp:test", target: "test", round: round.round, roundSize: round.roundSize,
    ok, sent: 1, received: ok ? 1 : 0, lossPct: ok ? 0 : 100, rttMinMs: ok ? 1 : null, rttAvgMs: ok ? 1 : null, rttMaxMs: ok ? 1 : null, rttStddevMs: ok ? 0 : null,
  };
}

/** A probe whose rounds end only when the test says so, counting how many run at once. */
function gatedProbe(intervalMs: number) {
  const state = { running: 0, maxRunning: 0, started: 0, release: [] as Array<() => void> };
  const probe: ScheduledProbe = {
    intervalMs,
    run(round) {
      state.running++;
      state.started++;
      state.maxRunning = Math.max(state.maxRunning, state.running);
      return new Promise((resolve) =>
        state.release.push(() => {
          state.running--;
          resolve(sample(round, true));
        }),
      );
    },
  };
  return { probe, state };
}

describe("agent/probeMonitor", () => {
  it("goes down after 3 failed rounds and records every round", async () => {
    const recorded: UnsequencedSample[][] = [];
    let ok = true;
    let clockMs = 0;
    const monitor = new ProbeMonitor("tslcd", [{ intervalMs: 1000, run: async (round) => sample(round, ok) }], {
      policy: DEFAULT_LINK_STATE_POLICY,
      logger: memoryLogger().logger,
      now: () => clockMs,
      record: (samples) => recorded.push(samples),
    });
    await monitor.runRound();
    expect(monitor.snapshot().state).toBe("up");
    ok = false;
    for (let i = 0; i < 3; i++) {
      clockMs += 1000;
      await monitor.runRound();
    }
    expect(monitor.snapshot().state).toBe("down");
    expect(recorded.map((r) => r[0]!.round)).toEqual([1, 2, 3, 4]);
  });

  it("never overlaps rounds, and a slow link never delays another", async () => {
    const slow = gatedProbe(1000);
    const fastRounds: number[] = [];
    const log = memoryLogger();
    let clockMs = 0;
    const deps = { policy: DEFAULT_LINK_STATE_POLICY, logger: log.logger, now: () => clockMs };
    const slowMonitor = new ProbeMonitor("tslcd", [slow.probe], { ...deps, record: () => {} });
    let fastReached!: () => void;
    const fastDone = new Promise<void>((resolve) => (fastReached = resolve));
    const fastMonitor = new ProbeMonitor("inet", [{ intervalMs: 1000, run: async (round) => sample(round, true) }], {
      ...deps,
      // The fast link's rounds are 1 s apart; the test drives them directly below instead of waiting.
      record: (samples) => {
        fastRounds.push(samples[0]!.round);
        if (fastRounds.length === 3) fastReached();
      },
    });
    slowMonitor.start();
    for (let i = 0; i < 3; i++) {
      clockMs += 1000;
      await fastMonitor.runRound();
    }
    await fastDone;
    // The slow link's first round is still under way, and it has not started a second one.
    expect(slow.state.started).toBe(1);
    expect(slow.state.running).toBe(1);
    expect(fastRounds).toEqual([1, 2, 3]);
    slow.state.release.shift()!();
    await slowMonitor.stop();
    expect(slow.state.maxRunning).toBe(1);
  });

  it("confirms a change at retry rounds that run every probe of the monitor", async () => {
    const runs: Array<{ probe: string; round: number }> = [];
    // Every round after the first fails.
    const probe = (name: string, intervalMs: number): ScheduledProbe => ({
      intervalMs,
      run: async (round) => {
        runs.push({ probe: name, round: round.round });
        return sample(round, round.round === 1);
      },
    });
    let reachedDown!: () => void;
    const down = new Promise<void>((resolve) => (reachedDown = resolve));
    const monitor = new ProbeMonitor("tslcd", [probe("often", 100), probe("rare", 3_600_000)], {
      policy: DEFAULT_LINK_STATE_POLICY,
      retryIntervalMs: 5,
      logger: memoryLogger().logger,
      now: Date.now,
      record: () => {},
      onStateChange: () => {
        if (monitor.current().state === "down") reachedDown();
      },
    });
    monitor.start();
    await down;
    await monitor.stop();
    const probesOf = (round: number) => runs.filter((r) => r.round === round).map((r) => r.probe).sort();
    expect(probesOf(1)).toEqual(["often", "rare"]);
    expect(probesOf(2)).toEqual(["often"]); // by the clock: "rare" is not due for an hour
    // Rounds 3 and 4 confirm the failure: retries, with every probe, though "rare" is not due by its interval.
    expect(probesOf(3)).toEqual(["often", "rare"]);
    expect(probesOf(4)).toEqual(["often", "rare"]);
    expect(monitor.current().state).toBe("down");
    expect(Math.max(...runs.map((r) => r.round))).toBe(4);
  });

  it("drops an aborted round instead of recording it as a failure", async () => {
    const gated = gatedProbe(1000);
    const recorded: unknown[] = [];
    const monitor = new ProbeMonitor("tslcd", [gated.probe], { policy: DEFAULT_LINK_STATE_POLICY, logger: memoryLogger().logger, now: Date.now, record: (s) => recorded.push(s) });
    monitor.start();
    const stopping = monitor.stop();
    gated.state.release.shift()?.();
    await stopping;
    expect(recorded).toEqual([]);
  });
});
