/**
 * How the steady and backfill benches print: one table with a column per measurement window (so the 50-site and the
 * N-site figures, or two runs, compare line by line), the targets beside it, then the pipeline and the exact check.
 */
import type { PipelineFigures } from "./ingestPipeline.js";
import type { StoredCheck } from "./storedCheck.js";
import type { WindowFigures } from "./loadWindow.js";

/** Nearest-rank percentile of `values` (NaN when empty). */
export function percentile(values: readonly number[], pct: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((pct / 100) * sorted.length) - 1)] ?? NaN;
}

/** A whole number with thousands separators. */
export const int = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "—");
const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(value < 100 ? 1 : 0)}` : "—");

const LABEL_WIDTH = 44;
const COLUMN_WIDTH = 22;

/** Prints `label: value` indented, for lines outside the table. */
export function line(label: string, value: string): void {
  console.log(`  ${label.padEnd(LABEL_WIDTH)} ${value}`);
}

/** Collector CPU per acknowledged push, ms (all groups). */
export function cpuPerPushMs(window: WindowFigures): number {
  return window.collectorCpuMs / (window.live.pushes + window.backfill.pushes);
}

/** The rows of the figures table, each a label and one cell per window. */
function tableRows(window: WindowFigures): Array<[string, string]> {
  const s = window.seconds;
  if (window.sites === 0) return [["window (s) / ticking sites", `${s.toFixed(1)} / 0`], ["collector CPU (cores)", (window.collectorCpuMs / 1000 / s).toFixed(3)], ["collector peak RSS (VmHWM so far)", mib(window.collectorPeakRssBytes)]];
  const pushes = window.live.pushes + window.backfill.pushes;
  const samples = window.live.samples + window.backfill.samples;
  const retries = [...window.retries.entries()].map(([answer, n]) => `${int(n)}× ${answer}`).join(", ") || "none";
  const rows: Array<[string, string]> = [
    ["window (s) / ticking sites", `${s.toFixed(1)} / ${int(window.sites)}`],
    ["live pushes/s offered (ticks) / acknowledged", `${(window.live.offeredPushes / s).toFixed(1)} / ${(window.live.pushes / s).toFixed(1)}`],
    ["live samples/s offered / acknowledged", `${int(window.live.offeredSamples / s)} / ${int(window.live.samples / s)}`],
    ["live push latency p50 / p99 / max (ms)", `${ms(percentile(window.live.latenciesMs, 50))} / ${ms(percentile(window.live.latenciesMs, 99))} / ${ms(Math.max(...window.live.latenciesMs))}`],
  ];
  if (window.backfill.pushes > 0 || window.backfill.offeredPushes > 0) {
    rows.push(["backfill pushes/s / samples/s acknowledged", `${(window.backfill.pushes / s).toFixed(1)} / ${int(window.backfill.samples / s)}`]);
    rows.push(["backfill push latency p50 / p99 (ms)", `${ms(percentile(window.backfill.latenciesMs, 50))} / ${ms(percentile(window.backfill.latenciesMs, 99))}`]);
  }
  rows.push(
    ["attempts not acknowledged", retries],
    ["collector CPU (cores)", (window.collectorCpuMs / 1000 / s).toFixed(3)],
    ["collector CPU per push (ms)", (window.collectorCpuMs / pushes).toFixed(3)],
    ["collector CPU per sample (µs)", ((window.collectorCpuMs * 1000) / samples).toFixed(1)],
    ["collector peak RSS (VmHWM so far)", mib(window.collectorPeakRssBytes)],
    ["bench client CPU (cores)", (window.clientCpuMs / 1000 / s).toFixed(3)],
  );
  return rows;
}

/** Prints the windows side by side under `title`. */
export function printWindows(title: string, windows: readonly WindowFigures[]): void {
  console.log(`\n${title}`);
  console.log(`  ${"".padEnd(LABEL_WIDTH)} ${windows.map((w) => w.name.padStart(COLUMN_WIDTH)).join(" ")}`);
  const columns = windows.map((window) => new Map(tableRows(window)));
  // Every label any window has, in the order of the window that has the most (a window may lack backfill rows).
  const labels = [...[...columns].sort((a, b) => b.size - a.size)[0]!.keys()];
  for (const label of labels) {
    console.log(`  ${label.padEnd(LABEL_WIDTH)} ${columns.map((rows) => (rows.get(label) ?? "—").padStart(COLUMN_WIDTH)).join(" ")}`);
  }
}

/** A target line: what it asks, the measured value, and met / NOT met. */
export function printTarget(what: string, measured: string, met: boolean): void {
  line(what, `${measured}: ${met ? "met" : "NOT met"}`);
}

/** Prints the in-process pipeline's figures, per stage. */
export function printPipeline(figures: PipelineFigures): void {
  console.log(`\ningest pipeline in one process, no HTTP (${int(figures.batches)} live batches, ${int(figures.samples)} samples)`);
  line("CPU per batch / per sample", `${(figures.cpuMs / figures.batches).toFixed(3)} ms / ${((figures.cpuMs * 1000) / figures.samples).toFixed(1)} µs`);
  line("batches/s on one core", int((figures.batches * 1000) / figures.cpuMs));
  // Stage times are wall clock, which a shared machine stretches; their shares, applied to the CPU, compare across runs.
  const totalWallMs = Object.values(figures.stageMs).reduce((a, b) => a + b, 0);
  for (const [stage, spent] of Object.entries(figures.stageMs)) {
    const share = spent / totalWallMs;
    line(`  ${stage}`, `${(share * 100).toFixed(1)} % ≈ ${((share * figures.cpuMs * 1000) / figures.batches).toFixed(1)} µs CPU per batch`);
  }
}

/** Prints the exact stored-samples check. */
export function printStoredCheck(check: StoredCheck): void {
  console.log("\nstored samples (collector's SQLite file, read after it stopped)");
  line("sent at least once / acknowledged / stored", `${int(check.sentSamples)} / ${int(check.acknowledgedSamples)} / ${int(check.storedSamples)}`);
  if (check.uncertainSites > 0) line("sites whose last attempt went unanswered", int(check.uncertainSites));
  line("every site: stored = seqs 1 … acknowledged", check.mismatchCount === 0 ? "ok" : `WRONG at ${int(check.mismatchCount)} sites`);
  for (const mismatch of check.mismatches) line("", mismatch);
}
