/**
 * What the steady and backfill benches measure: every acknowledged push and every retried attempt of the simulated
 * agents, counted into the measurement window that is open (pushes acknowledged outside any window, during warm-up
 * or the drain, are not counted), with the collector's CPU and memory from /proc and the bench client's own CPU
 * over the same window.
 */
import type { AcknowledgedPush, PushObserver } from "../simulator/pushLoop.js";
import type { AttemptOutcome } from "../simulator/pushAttempt.js";
import { readProcessTimes, type ProcessTimes } from "./processTimes.js";

/** Live pushes carry recent rounds; backfill pushes come from a site that is delivering an outage's backlog. */
export type PushGroup = "live" | "backfill";

/** Acknowledged pushes of one group in a window. Latencies in ms, first attempt → acknowledgement. */
export interface GroupFigures {
  /** Ticks of the group's sites (one round period and one push each) and the samples they added to the spools. */
  offeredPushes: number;
  offeredSamples: number;
  pushes: number;
  samples: number;
  /** New samples the collector stored (its `accepted` counts). */
  acceptedSamples: number;
  latenciesMs: number[];
  /** When each of those pushes was acknowledged, ms from the window's start (same order as `latenciesMs`). */
  acknowledgedOffsetsMs: number[];
}

/** One measurement window's figures. Times in s and ms, memory in bytes. */
export interface WindowFigures {
  name: string;
  /** Sites ticking during the window. */
  sites: number;
  seconds: number;
  live: GroupFigures;
  backfill: GroupFigures;
  /** Attempts that did not acknowledge, by answer ("429", "503", "no answer", …). */
  retries: Map<string, number>;
  collectorCpuMs: number;
  /** VmHWM at the window's end: the collector's peak since it started. */
  collectorPeakRssBytes: number;
  collectorRssBytes: number;
  clientCpuMs: number;
}

interface OpenWindow {
  figures: WindowFigures;
  started: number;
  collectorBefore: ProcessTimes;
  clientBefore: NodeJS.CpuUsage;
}

const emptyGroup = (): GroupFigures => ({ offeredPushes: 0, offeredSamples: 0, pushes: 0, samples: 0, acceptedSamples: 0, latenciesMs: [], acknowledgedOffsetsMs: [] });

/** Answers that say the simulator or the collector is broken, not busy: any of them fails the run. */
const BUSY_STATUSES = new Set([429, 503]);

/** See the module comment. It is the simulated agents' observer. */
export class LoadRecorder implements PushObserver {
  private window: OpenWindow | null = null;
  /** Answers that were neither an acknowledgement nor busy (first few, for the report) and how many. */
  readonly unexpectedAnswers: string[] = [];
  unexpectedCount = 0;

  /**
   * @param collectorPid the collector process, read in /proc at each window's start and end
   * @param ticksPerSecond CLK_TCK for /proc/<pid>/stat
   * @param groupOf which group a site's pushes count in
   */
  constructor(
    private readonly collectorPid: number,
    private readonly ticksPerSecond: number,
    private readonly groupOf: (site: string) => PushGroup,
  ) {}

  /** Opens a window over `sites` ticking sites (an open one is replaced). */
  begin(name: string, sites: number): void {
    this.window = {
      figures: { name, sites, seconds: 0, live: emptyGroup(), backfill: emptyGroup(), retries: new Map(), collectorCpuMs: 0, collectorPeakRssBytes: 0, collectorRssBytes: 0, clientCpuMs: 0 },
      started: performance.now(),
      collectorBefore: readProcessTimes(this.collectorPid, this.ticksPerSecond),
      clientBefore: process.cpuUsage(),
    };
  }

  /** Closes the open window and returns its figures. */
  end(): WindowFigures {
    const open = this.window;
    if (!open) throw new Error("no measurement window is open");
    this.window = null;
    const after = readProcessTimes(this.collectorPid, this.ticksPerSecond);
    const client = process.cpuUsage(open.clientBefore);
    return {
      ...open.figures,
      seconds: (performance.now() - open.started) / 1000,
      collectorCpuMs: after.ownCpuMs - open.collectorBefore.ownCpuMs,
      collectorPeakRssBytes: after.peakRssBytes,
      collectorRssBytes: after.rssBytes,
      clientCpuMs: (client.user + client.system) / 1000,
    };
  }

  /** `site` ticked: one push and `samples` samples offered. */
  ticked(site: string, samples: number): void {
    if (!this.window) return;
    const group = this.window.figures[this.groupOf(site)];
    group.offeredPushes++;
    group.offeredSamples += samples;
  }

  acknowledged(push: AcknowledgedPush): void {
    if (!this.window) return;
    const group = this.window.figures[this.groupOf(push.site)];
    group.pushes++;
    group.samples += push.samples;
    group.acceptedSamples += push.accepted;
    group.latenciesMs.push(push.acknowledgedMs - push.firstAttemptMs);
    group.acknowledgedOffsetsMs.push(push.acknowledgedMs - this.window.started);
  }

  retried(site: string, outcome: Extract<AttemptOutcome, { kind: "retry" }>): void {
    if (outcome.status !== null && !BUSY_STATUSES.has(outcome.status)) {
      this.unexpectedCount++;
      if (this.unexpectedAnswers.length < 5) this.unexpectedAnswers.push(`${site}: HTTP ${outcome.status} ${outcome.reason}`);
    }
    if (!this.window) return;
    const key = outcome.status === null ? `no answer (${outcome.reason})` : String(outcome.status);
    this.window.figures.retries.set(key, (this.window.figures.retries.get(key) ?? 0) + 1);
  }
}
