/**
 * Printing for the detection bench (bench/detect.ts): one row per run with where the time went, the median and max
 * beside the target, and the settings that bound the result. Measured figures only; nothing is asserted.
 */

/** The settings of one bench invocation; durations in ms. */
export interface DetectSettings {
  runs: number;
  intervalMs: number;
  pushIntervalMs: number;
  groupWaitMs: number;
  failAfter: number;
  recoverAfter: number;
  /** The agent's `retry_interval`: rounds this often while a change waits to be confirmed. */
  retryIntervalMs: number;
  count: number;
  packetIntervalMs: number;
  timeoutMs: number;
  /** The collector's incident/alerting tick, ms. */
  tickMs: number;
}

/** What one cut measured; every time is ms after the cut command was issued (null: not seen). */
export interface DetectRun {
  /** How long after the start of an agent round the cut came (0 … interval). */
  cutPhaseMs: number;
  /** When the first failed round began (the earliest failed sample after the last good one, from the store). */
  firstFailedRoundMs: number;
  /** The incident's `startTs` (the link state's `sinceTs`): should be the first failed round. */
  incidentStartMs: number;
  /** The agent's own state machine said `down` (its log). */
  agentDownMs: number | null;
  /** The collector's state machine said `down` (its log: the push carrying the last failed round had arrived). */
  collectorDownMs: number;
  /** The link incident was opened (collector log). */
  incidentOpenedMs: number;
  /** The report arrived at the vendor's webhook. */
  webhookMs: number;
  /** From the restore command to the recovery notice at the webhook. */
  recoveryMs: number;
}

/** The median of `values` (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const s = (ms: number | null): string => (ms === null ? "–" : (ms / 1000).toFixed(2));

/** How long a round of failed pings takes: every echo request waits its full timeout. */
export function failedRoundMs(settings: DetectSettings): number {
  return (settings.count - 1) * settings.packetIntervalMs + settings.timeoutMs;
}

/** Time between the start of one confirming round and the next: the retry interval, or the failed round if longer. */
export function confirmGapMs(settings: DetectSettings): number {
  return Math.max(failedRoundMs(settings), Math.min(settings.retryIntervalMs, settings.intervalMs));
}

/** Prints the table, the summary against the target and the bounds implied by the settings. */
export function printDetectReport(settings: DetectSettings, runs: readonly DetectRun[]): void {
  const sec = (ms: number) => `${ms / 1000} s`;
  console.log(
    `\nDetection latency: probe interval ${sec(settings.intervalMs)}, push interval ${sec(settings.pushIntervalMs)}, group_wait ${sec(settings.groupWaitMs)}, ` +
      `fail_after ${settings.failAfter}, recover_after ${settings.recoverAfter}, retry_interval ${sec(settings.retryIntervalMs)}, ICMP ${settings.count} × ${settings.packetIntervalMs} ms apart, timeout ${settings.timeoutMs} ms, collector tick ${sec(settings.tickMs)}`,
  );
  console.log("All times in seconds after the cut (`ip link set … down` issued).\n");
  console.log("| run | cut, after a round began | 1st failed round began | incident startTs | agent says down | collector says down | incident opened | webhook received | restore → recovery webhook |");
  console.log("|----:|-------------------------:|-----------------------:|-----------------:|----------------:|--------------------:|----------------:|-----------------:|---------------------------:|");
  runs.forEach((run, i) => {
    console.log(
      `| ${i + 1} | ${s(run.cutPhaseMs)} | ${s(run.firstFailedRoundMs)} | ${s(run.incidentStartMs)} | ${s(run.agentDownMs)} | ${s(run.collectorDownMs)} | ${s(run.incidentOpenedMs)} | **${s(run.webhookMs)}** | ${s(run.recoveryMs)} |`,
    );
  });
  const totals = runs.map((r) => r.webhookMs);
  const targetMs = 2 * settings.intervalMs + settings.groupWaitMs;
  const med = median(totals);
  console.log(`\nCut → webhook: median ${s(med)} s, max ${s(Math.max(...totals))} s, min ${s(Math.min(...totals))} s over ${runs.length} runs`);
  console.log(`Target "median ≤ 2 probe intervals + group wait" = ${s(targetMs)} s: ${med <= targetMs ? "MET" : `NOT MET (median ${s(med - targetMs)} s over)`}`);

  const stage = (pick: (r: DetectRun) => number) => {
    const values = runs.map(pick);
    return `median ${s(median(values))} s (${s(Math.min(...values))}–${s(Math.max(...values))})`;
  };
  console.log("\nWhere the time goes (per-stage median, min–max):");
  console.log(`- cut → collector says down (probing: ${settings.failAfter} failed rounds, then the push): ${stage((r) => r.collectorDownMs)}`);
  console.log(`  of which: cut → first failed round began ${stage((r) => r.firstFailedRoundMs)}; incident startTs − first failed round ${stage((r) => r.incidentStartMs - r.firstFailedRoundMs)}`);
  console.log(`  the agent's own verdict came at ${stage((r) => r.agentDownMs ?? NaN)}; the collector's, after the push, ${stage((r) => r.collectorDownMs - (r.agentDownMs ?? NaN))} later`);
  console.log(`- collector says down → incident opened: ${stage((r) => r.incidentOpenedMs - r.collectorDownMs)}`);
  console.log(`- incident opened → webhook received (group_wait ${sec(settings.groupWaitMs)}, then the next tick and the POST): ${stage((r) => r.webhookMs - r.incidentOpenedMs)}`);

  // The bounds the settings imply (ignoring process and network time): the first failed round begins 0–1 interval
  // after the cut (a round the cut falls into is only partly lost); the confirming rounds follow at the retry
  // interval (or back to back when a failed round is longer), and the last one ends one failed round after it
  // began; the agent pushes at once on its verdict; the report waits the group wait and up to one tick.
  const probingMs = (settings.failAfter - 1) * confirmGapMs(settings) + failedRoundMs(settings);
  const floorMs = probingMs + settings.groupWaitMs;
  const ceilingMs = settings.intervalMs + probingMs + settings.groupWaitMs + settings.tickMs;
  console.log(
    `\nImplied by the settings: cut → webhook between ${s(floorMs)} s and ${s(ceilingMs)} s ` +
      `(phase 0 … ${s(settings.intervalMs)} s + (fail_after − 1) × ${s(confirmGapMs(settings))} s between confirming rounds + failed round ${s(failedRoundMs(settings))} s + group_wait + tick 0 … ${s(settings.tickMs)} s).`,
  );
  if (floorMs > targetMs) {
    console.log(`Even the floor (${s(floorMs)} s) is above the target (${s(targetMs)} s): it needs fewer confirming rounds or shorter ones.`);
  }
}
