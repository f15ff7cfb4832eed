/**
 * `bench/dashboard.ts`: the overview with the whole country. A real collector (child process, `bin/wardwatch.js
 * collector`, serving the built dashboard) with 3,321 simulated sites (simulator/, the real protocol, each pushing a
 * batch every 10 s), the overview opened in headless Chromium (playwright-core, /usr/bin/chromium). Prints:
 * - first render, two ways (median and max of `--renders` loads): navigation start → the first screenful of rows
 *   painted (the overview's `data-rows-first`), and → every site's row in the DOM and painted (`data-rendered`); then
 *   where a load goes (the dashboard's performance marks, the page's main-thread time by kind), the page's
 *   main-thread time at rest for 10 s, and how the live feed's socket opened (bench/dashboardRenderTimes.ts);
 * - live change: one simulated site's TSLCD link fails; from the start of the push that carried the state change (the
 *   last push of that site sent before its row changed) to the row showing it (ingest, judging, the live message and
 *   the patch of the row);
 * - API latency at 100 requests/s (open loop, `--api-requests` requests, loopback) over the mix the dashboard makes,
 *   p50/p95/max per endpoint and in all, while the 3,321 sites keep pushing.
 * Figures are printed, never asserted; stops by itself (`--run-limit-s`). Build first: `npm run build`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium, type Browser } from "playwright-core";
import { PhaseScheduler } from "../simulator/scheduler.js";
import { failLink } from "../simulator/siteModel.js";
import type { AcknowledgedPush } from "../simulator/pushLoop.js";
import { cleanUpOnSignal, exitWithBenchResult } from "./benchExit.js";
import { startCollectorProcess, type CollectorProcess } from "./collectorProcess.js";
import { createLoadAgents, prepareLoadSites } from "./loadSites.js";
import { COUNTRY_SITES } from "./loadOptions.js";
import { apiMix, runApiLoad, type ApiLoadResult } from "./dashboardApiLoad.js";
import { addBenchLogins, logInThroughPage } from "./dashboardLogins.js";
import { busyText, listenOverflows, overviewRenderTimes, socketOpening, printRenderBreakdown, rendererBusyMeter, watchOverviewPaints, type RendererBusy, type RenderTimes } from "./dashboardRenderTimes.js";

const CHROMIUM = "/usr/bin/chromium";
const PUSH_INTERVAL_MS = 10_000;
/** How long the loaded overview is watched at rest (live frames, the clock), ms. */
const STEADY_MS = 10_000;

function options(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      sites: { type: "string", default: String(COUNTRY_SITES) },
      "warmup-s": { type: "string", default: "25" },
      renders: { type: "string", default: "5" },
      "api-requests": { type: "string", default: "2000" },
      "api-rate": { type: "string", default: "100" },
      "run-limit-s": { type: "string", default: "300" },
    },
  });
  const number = (name: keyof typeof values, min: number, max: number): number => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got '${values[name]}'`);
    return value;
  };
  return {
    sites: number("sites", 2, 20_000),
    warmupMs: number("warmup-s", 11, 600) * 1000,
    renders: number("renders", 1, 50),
    apiRequests: number("api-requests", 10, 100_000),
    apiRate: number("api-rate", 1, 1000),
    runLimitMs: number("run-limit-s", 30, 3600) * 1000,
  };
}

async function main(): Promise<number> {
  const opts = options(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "wardwatch-bench-dashboard-"));
  let collector: CollectorProcess | null = null;
  let browser: Browser | null = null;
  let scheduler: PhaseScheduler | null = null;
  const cleanUp = (): void => {
    scheduler?.stop();
    collector?.kill();
    void browser?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const removeHandlers = cleanUpOnSignal(cleanUp);
  const limit = setTimeout(() => {
    console.error(`bench failed: it took longer than --run-limit-s (${opts.runLimitMs / 1000} s)`);
    cleanUp();
    process.exit(1);
  }, opts.runLimitMs);
  try {
    console.log(`machine: ${cpus().length} CPUs, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    const overflowsAtStart = listenOverflows();
    const sites = prepareLoadSites(dir, opts.sites, 64);
    const logins = await addBenchLogins(sites.files.dbFile);
    const authorization = { Authorization: `Bearer ${logins.apiToken}` };
    collector = await startCollectorProcess(sites.files.configFile, 60_000);
    console.log(`collector pid ${collector.pid} at ${collector.url}, ${opts.sites} simulated sites pushing every ${PUSH_INTERVAL_MS / 1000} s`);
    // Pushes of the site whose link will fail, as wall-clock times (the browser's clock is the same machine's).
    const watched = sites.models[0]!;
    const watchedPushStarts: number[] = [];
    const toWallClock = (perfMs: number) => performance.timeOrigin + perfMs;
    const agents = createLoadAgents(sites, collector.url, PUSH_INTERVAL_MS, 500, {
      acknowledged(push: AcknowledgedPush) {
        if (push.site === watched.id) watchedPushStarts.push(toWallClock(push.firstAttemptMs));
      },
      retried() {},
    });
    scheduler = new PhaseScheduler(PUSH_INTERVAL_MS, () => Date.now(), () => {});
    for (const agent of agents) agent.start();
    scheduler.start(agents);
    await sleep(opts.warmupMs);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logInThroughPage(page, collector.url, logins);
    await watchOverviewPaints(page);
    const loads: RenderTimes[] = [];
    const loadBusy: RendererBusy[] = [];
    for (let i = 0; i < opts.renders; i++) {
      await page.goto("about:blank");
      const busySince = await rendererBusyMeter(page);
      await page.goto(`${collector.url}/#/`);
      loads.push(await overviewRenderTimes(page, 60_000));
      loadBusy.push(await busySince());
    }
    const opening = await socketOpening(page, `${collector.url}/#/`, 60_000);
    // The page at rest with the country: the live frames and the clock ticking the "seen … ago" times.
    const steadyBusy = await rendererBusyMeter(page);
    await sleep(STEADY_MS);
    const steady = await steadyBusy();
    const rows = await page.locator("tr[data-site]").count();
    const renders = loads.map((load) => load.allPaintedMs);
    const firstScreens = loads.map((load) => load.firstPaintedMs);
    console.log(`first render measured (${renders.map((r) => r.toFixed(0)).join(", ")} ms); failing ${watched.id}'s TSLCD link`);

    // The live change: watch the row in the page, then make the site's TSLCD link fail.
    // Browser-side code as text: this file is compiled for Node, without the DOM's types.
    await page.evaluate(`(() => {
      const chip = () => document.querySelector('tr[data-site="${watched.id}"] [data-link="tslcd"]');
      new MutationObserver(() => {
        if (window.rowChangedAt === undefined && chip() && chip().getAttribute("data-state") !== "up") window.rowChangedAt = Date.now();
      }).observe(document.querySelector("table.sites"), { subtree: true, childList: true, attributes: true });
    })()`);
    const failedAt = Date.now();
    failLink(watched, "tslcd", failedAt);
    const progress = setInterval(() => {
      void (async () => {
        const api = (await (await fetch(`${collector!.url}/api/v1/sites/${watched.id}`, { headers: authorization })).json()) as { links: Array<{ id: string; state: string }> };
        const shown = await page.evaluate(`[document.querySelector('tr[data-site="${watched.id}"] [data-link="tslcd"]')?.getAttribute("data-state"), document.querySelector("[data-live]")?.getAttribute("data-live")]`);
        console.log(`  … ${((Date.now() - failedAt) / 1000).toFixed(0)} s: collector says ${api.links.find((l) => l.id === "tslcd")?.state}, page shows ${JSON.stringify(shown)}`);
      })().catch(() => {});
    }, 10_000);
    await page.waitForFunction("window.rowChangedAt !== undefined", undefined, { timeout: 120_000, polling: 100 }).finally(() => clearInterval(progress));
    const rowChangedAt = Number(await page.evaluate("window.rowChangedAt"));
    const carrying = watchedPushStarts.filter((ts) => ts <= rowChangedAt).at(-1) ?? failedAt;
    const shownState = await page.locator(`tr[data-site="${watched.id}"] [data-link="tslcd"]`).getAttribute("data-state");

    console.log(`row changed; API load: ${opts.apiRequests} requests at ${opts.apiRate}/s`);
    const api: ApiLoadResult = await runApiLoad(collector.url, apiMix(sites.models.map((m) => m.id)), opts.apiRequests, opts.apiRate, authorization);

    console.log(`\noverview with ${opts.sites} sites (${rows} rows), headless Chromium`);
    const sorted = [...renders].sort((a, b) => a - b);
    const sortedFirst = [...firstScreens].sort((a, b) => a - b);
    line("first render: navigation → first screen painted", `median ${ms(sortedFirst[sortedFirst.length >> 1]!)}, max ${ms(sortedFirst.at(-1)!)} over ${firstScreens.length} loads`);
    line("first render: navigation → all rows painted", `median ${ms(sorted[sorted.length >> 1]!)}, max ${ms(sorted.at(-1)!)} over ${renders.length} loads`);
    printRenderBreakdown(loads, line);
    const medianLoad = loadBusy.map((busy, i) => ({ busy, ms: renders[i]! })).sort((a, b) => a.ms - b.ms)[loadBusy.length >> 1]!.busy;
    line("  the page's main thread, median load", busyText(medianLoad));
    line(`  the page at rest, ${STEADY_MS / 1000} s`, busyText(steady));
    if (opening) line("  live feed socket (one more load, CDP)", `handshake sent ${ms(opening.requestSentMs)}, answered ${ms(opening.answeredMs)} after the page created it`);
    line(`live change: ${watched.id} TSLCD → ${shownState}`, `${ms(rowChangedAt - carrying)} from the start of the push that carried it to the row showing it`);
    line("  the simulated failure began", `${((rowChangedAt - failedAt) / 1000).toFixed(1)} s before the row changed (the link's fail_after rounds)`);
    console.log(`\nAPI at ${opts.apiRate} requests/s, ${opts.apiRequests} requests, open loop, while the sites push`);
    for (const [name, figures] of Object.entries(api.byEndpoint)) line(name, figures);
    line("all", api.all);
    if (api.failures > 0) line("answers other than 200", String(api.failures));
    line("listen queue overflows (whole machine)", `${listenOverflows() - overflowsAtStart} during the run (TcpExt ListenOverflows)`);
    return api.failures === 0 ? 0 : 1;
  } finally {
    clearTimeout(limit);
    scheduler?.stop();
    await Promise.all([browser?.close(), ...(collector ? [collector.stop(30_000).catch(() => collector?.kill())] : [])]);
    rmSync(dir, { recursive: true, force: true });
    removeHandlers();
  }
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}

function line(label: string, value: string): void {
  console.log(`  ${label.padEnd(48)} ${value}`);
}

exitWithBenchResult(main);
