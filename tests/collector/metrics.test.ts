import { execFile, execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CollectorMetrics } from "../../collector/metrics.js";
import { startTestCollector, type TestCollector } from "../helpers/collectorHarness.js";

/** Whether promtool (Debian's `prometheus` package; scripts/install-system-deps.sh installs it) can be run. */
function promtoolAbsentReason(): string | null {
  try {
    execFileSync("promtool", ["--version"], { stdio: "ignore" });
    return null;
  } catch (err) {
    return `promtool cannot be run (${(err as Error).message.split("\n")[0]}); install the 'prometheus' package`;
  }
}

/** Runs `promtool check metrics` on `text` (stdin); its exit code and what it printed. */
function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile("promtool", ["check", "metrics"], (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
    child.stdin!.end(text);
  });
}

const absent = promtoolAbsentReason();
if (absent) console.warn(`collector/metrics: skipping the promtool check, ${absent}`);

describe("collector/metrics", () => {
  let t: TestCollector;
  let text: string;
  beforeAll(async () => {
    t = await startTestCollector(["tan-phong"]);
    text = await (await fetch(`${t.collector.url}/metrics`)).text();
  });
  afterAll(() => t?.close());

  it("names no gauge *_total (a gauge is not a counter)", () => {
    const gauges = [...text.matchAll(/^# TYPE (\S+) gauge$/gm)].map((m) => m[1]!);
    expect(gauges).toContain("wardwatch_sites");
    expect(gauges.filter((name) => name.endsWith("_total"))).toEqual([]);
  });

  it("removes only prom-client's three *_total gauges: their by-type gauges and every metric of its own stay", () => {
    const names = new CollectorMetrics().registry.getMetricsAsArray().map((metric) => metric.name);
    for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"]) {
      expect(names).not.toContain(`wardwatch_process_${name}`);
      expect(names).toContain(`wardwatch_process_${name.replace(/_total$/, "")}`);
    }
    expect(names).toEqual(expect.arrayContaining(["wardwatch_ingest_batches_total", "wardwatch_store_failures_total", "wardwatch_notifications_total", "wardwatch_ingest_in_flight", "wardwatch_sites"]));
  });

  it.skipIf(absent !== null)("passes promtool check metrics", async () => {
    const { code, output } = await promtoolCheck(text);
    expect(output).toBe("");
    expect(code).toBe(0);
  });
});
