import { describe, expect, it, vi } from "vitest";
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

  it("confirms a change at the retry interval with its most frequent probes, then goes back to the interval", async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const runs: Array<{ probe: string; round: number; at: number }> = [];
      // Every round after the first fails.
      const probe = (name: string, intervalMs: number): ScheduledProbe => ({
        intervalMs,
        run: async (round) => {
          runs.push({ probe: name, round: round.round, at: Date.now() });
          return sample(round, round.round === 1);
        },
      });
      const monitor = new ProbeMonitor("tslcd", [probe("often", 1000), probe("rare", 3_600_000)], {
        policy: DEFAULT_LINK_STATE_POLICY,
        retryIntervalMs: 5,
        logger: memoryLogger().logger,
        now: () => Date.now(),
        record: () => {},
      });
      monitor.start();
      await vi.advanceTimersByTimeAsync(2100);
      await monitor.stop();
      const roundStarts = [...new Map(runs.map((r) => [r.round, r.at])).entries()];
      // 1 good; 2 fails on schedule; 3 and 4 confirm it 5 ms apart (down); then the normal interval again.
      expect(roundStarts).toEqual([[1, 0], [2, 1000], [3, 1005], [4, 1010], [5, 2010]]);
      expect(monitor.current().state).toBe("down");
      // The hourly probe ran once: retry rounds do not pull it forward.
      expect(runs.filter((r) => r.probe === "rare").map((r) => r.round)).toEqual([1]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("does not retry while flapping", async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const policy = DEFAULT_LINK_STATE_POLICY;
      const rounds: Array<{ at: number; ok: boolean; flappingBefore: boolean }> = [];
      let monitor!: ProbeMonitor;
      // A window of good rounds, then good and failed rounds alternating: never down, soon flapping.
      const run = async (round: RoundIdentity) => {
        const ok = round.round <= policy.flapWindow || round.round % 2 === 0;
        rounds.push({ at: Date.now(), ok, flappingBefore: monitor.current().flapping });
        return sample(round, ok);
      };
      monitor = new ProbeMonitor("tslcd", [{ intervalMs: 1000, run }], { policy, retryIntervalMs: 5, logger: memoryLogger().logger, now: () => Date.now(), record: () => {} });
      monitor.start();
      await vi.advanceTimersByTimeAsync(60_000);
      await monitor.stop();
      const gapsAfterFailure = rounds.slice(0, -1).flatMap((r, i) => (r.ok ? [] : [{ gap: rounds[i + 1]!.at - r.at, flapping: rounds[i + 1]!.flappingBefore }]));
      expect(gapsAfterFailure.filter((g) => !g.flapping).map((g) => g.gap)).toContain(5); // retried before flapping
      const whileFlapping = gapsAfterFailure.filter((g) => g.flapping).map((g) => g.gap);
      expect(whileFlapping.length).toBeGreaterThan(3);
      expect(new Set(whileFlapping)).toEqual(new Set([1000]));
      expect(monitor.current().state).not.toBe("down");
    } finally {
      vi.useRealTimers();
    }
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
