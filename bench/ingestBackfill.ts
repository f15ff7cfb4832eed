/**
 * `bench/ingest.ts --mode backfill`: steady load at N sites plus a burst. A tenth of the sites (`--backfill-pct`)
 * are away while the others push live; at the burst they all come back at once from a `--outage-h` outage with that
 * many hours of round periods in their spools, and deliver them oldest first in full batches back to back, as the
 * real agent does, while the rest keep pushing live. The backlog is generated lazily (simulator/siteSpool.ts).
 * A 72 h backlog of 332 sites (about 100 million samples) does not fit in a few minutes: the bench measures a
 * bounded window of the burst and says how much of the backlog it delivered and how long the rest would take.
 */
import type { SimulatedAgent } from "../simulator/pushLoop.js";
import { int, line, percentile, printTarget, printWindows } from "./loadReport.js";
import { parseLoadOptions } from "./loadOptions.js";
import { withLoadRun } from "./loadRun.js";
import type { WindowFigures } from "./loadWindow.js";
import { finish } from "./ingestSteady.js";

/** Target of the issue during the burst (printed, never asserted). */
const BURST_MAX_LIVE_P99_MS = 1000;

/** `count` of `total` site indexes spread evenly (so the backfilling sites' phases spread too). */
function spreadIndexes(total: number, count: number): Set<number> {
  return new Set(Array.from({ length: count }, (_, k) => Math.floor(((k + 0.5) * total) / count)));
}

/** Backlog progress of the backfilling sites at one moment, in samples. */
function backlogDelivered(agents: readonly SimulatedAgent[], backlogOf: Map<SimulatedAgent, number>): number {
  return agents.reduce((sum, agent) => sum + Math.min(agent.spool.acknowledgedSeq(), backlogOf.get(agent)!), 0);
}

/** The live pushes' latency p99 in each `sliceMs` of the window (by acknowledgement time), ms. */
function liveP99BySlice(window: WindowFigures, sliceMs: number): number[] {
  const slices: number[][] = [];
  window.live.acknowledgedOffsetsMs.forEach((offsetMs, i) => (slices[Math.floor(offsetMs / sliceMs)] ??= []).push(window.live.latenciesMs[i]!));
  return Array.from(slices, (slice) => (slice && slice.length > 0 ? percentile(slice, 99) : 0));
}

/** Runs the backfill mode with the command line's other options; resolves with the exit code. */
export async function runBackfillMode(argv: string[]): Promise<number> {
  const { load, values } = parseLoadOptions(
    argv,
    { "backfill-pct": { type: "string", default: "10" }, "outage-h": { type: "string", default: "72" }, "baseline-s": { type: "string", default: "30" } },
    { "backfill-pct": [1, 100], "outage-h": [1, 24 * 30], "baseline-s": [5, 3600] },
  );
  const backfillCount = Math.max(1, Math.round((load.sites * values["backfill-pct"]!) / 100));
  const outagePeriods = Math.round((values["outage-h"]! * 3_600_000) / load.pushIntervalMs);
  const backfilling = spreadIndexes(load.sites, backfillCount);
  console.log(
    `wardwatch ingest bench, backfill: ${int(load.sites - backfillCount)} sites live, then ${int(backfillCount)} more come back at once from a ${values["outage-h"]} h outage; ` +
      `${load.warmupMs / 1000} s warm-up, ${values["baseline-s"]} s measured before the burst, ${load.durationMs / 1000} s measured from it`,
  );
  const backfillIds = new Set<string>();
  const { result, end, run } = await withLoadRun(load, (site) => (backfillIds.has(site) ? "backfill" : "live"), async (run) => {
    const live = run.agents.filter((_, i) => !backfilling.has(i));
    const returning = run.agents.filter((_, i) => backfilling.has(i));
    for (const agent of returning) backfillIds.add(agent.site.id);
    run.tick(live);
    await run.wait(load.warmupMs);
    run.recorder.begin("before the burst", live.length);
    await run.wait(values["baseline-s"]! * 1000);
    const before = run.recorder.end();
    const backlogOf = new Map<SimulatedAgent, number>();
    const comeBackTs = Date.now();
    for (const agent of returning) {
      agent.spool.addBacklog(outagePeriods, comeBackTs, load.pushIntervalMs);
      backlogOf.set(agent, outagePeriods * agent.site.samplesPerPeriod);
    }
    run.recorder.begin("burst", run.agents.length);
    run.tick(returning);
    await run.wait(load.durationMs);
    const burst = run.recorder.end();
    return { windows: [before, burst] as WindowFigures[], delivered: backlogDelivered(returning, backlogOf), backlogSamples: [...backlogOf.values()].reduce((a, b) => a + b, 0), returning };
  });

  printWindows("collector over HTTP (live: the sites that never left; backfill: the returning ones)", result.windows);
  const burst = result.windows[1]!;
  const rate = result.delivered / burst.seconds;
  console.log(`\nbackfill of ${int(backfillCount)} sites × ${values["outage-h"]} h (${int(outagePeriods)} round periods each)`);
  line("backlog in all (samples)", int(result.backlogSamples));
  line("delivered within the burst window", `${int(result.delivered)} (${((result.delivered / result.backlogSamples) * 100).toFixed(2)} %) in ${burst.seconds.toFixed(1)} s`);
  line("backlog samples/s", int(rate));
  line("whole backlog at this rate (not measured)", rate > 0 ? `${((result.backlogSamples - result.delivered) / rate / 60).toFixed(1)} min more` : "never");
  line("sites with all their backlog delivered", `${int(result.returning.filter((a) => a.spool.acknowledgedSeq() >= outagePeriods * a.site.samplesPerPeriod).length)} of ${int(backfillCount)}`);
  line("live push p99 by 10 s of the burst (ms)", liveP99BySlice(burst, 10_000).map((p) => p.toFixed(0)).join(" / "));
  const p99 = percentile(burst.live.latenciesMs, 99);
  console.log(`\ntarget during the burst (figures are noisy: the machine is shared)`);
  printTarget(`live push p99 < ${BURST_MAX_LIVE_P99_MS} ms`, `${p99.toFixed(1)} ms`, p99 < BURST_MAX_LIVE_P99_MS);
  return finish(end, run.recorder);
}
