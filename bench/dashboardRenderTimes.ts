/**
 * `bench/dashboardRenderTimes.ts`: where one load of the overview spends its time, read in the page. An init script
 * (installed before any of the page's code runs) notes, two animation frames after the overview sets each attribute,
 * when the first screenful of rows (`data-rows-first`) and every row (`data-rendered`) were painted; after the load,
 * the dashboard's own performance marks (`dashboard:logged-in`, `live:open`, `live:hello-received`, `live:hello-parsed`,
 * `overview:rows-built`, `overview:first-rows`) and the first contentful paint are read. All times are ms from the
 * navigation start (`performance.now()` of the page).
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";

/** One load's figures, ms from navigation start; a mark the page did not set is absent. */
export interface RenderTimes {
  /** The first screenful of rows painted (the same as {@link allPaintedMs} when the page draws all at once). */
  firstPaintedMs: number;
  /** Every row in the DOM and painted. */
  allPaintedMs: number;
  /** The dashboard's marks and `first-contentful-paint`, by name. */
  marks: Record<string, number>;
  /** Length of the hello message, UTF-16 characters (the bytes for ASCII JSON), or 0 when not recorded. */
  helloChars: number;
}

// Browser-side code as text: this file is compiled for Node, without the DOM's types.
const INIT_SCRIPT = `(() => {
  window.__overviewPainted = {};
  const seen = new Set();
  new MutationObserver(() => {
    const overview = document.querySelector('[data-page="overview"]');
    if (!overview) return;
    for (const attr of ["data-rows-first", "data-rendered"]) {
      if (seen.has(attr) || !overview.hasAttribute(attr)) continue;
      seen.add(attr);
      requestAnimationFrame(() => requestAnimationFrame(() => { window.__overviewPainted[attr] = performance.now(); }));
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-rows-first", "data-rendered"] });
})()`;

/** Installs the paint watcher on `page`; call once, before the loads. */
export async function watchOverviewPaints(page: Page): Promise<void> {
  await page.addInitScript(INIT_SCRIPT);
}

/** Waits until every row of the overview now loading is painted and returns the load's figures. */
export async function overviewRenderTimes(page: Page, timeoutMs: number): Promise<RenderTimes> {
  await page.waitForFunction("window.__overviewPainted && window.__overviewPainted['data-rendered'] !== undefined", undefined, { timeout: timeoutMs, polling: 50 });
  const raw = (await page.evaluate(`(() => {
    const marks = {};
    let helloChars = 0;
    for (const entry of performance.getEntriesByType("mark")) {
      if (marks[entry.name] === undefined) marks[entry.name] = entry.startTime;
      if (entry.name === "live:hello-received" && entry.detail) helloChars = entry.detail.chars;
    }
    for (const entry of performance.getEntriesByType("paint")) marks[entry.name] = entry.startTime;
    return { painted: window.__overviewPainted, marks, helloChars };
  })()`)) as { painted: Record<string, number>; marks: Record<string, number>; helloChars: number };
  const allPaintedMs = raw.painted["data-rendered"]!;
  return { firstPaintedMs: raw.painted["data-rows-first"] ?? allPaintedMs, allPaintedMs, marks: raw.marks, helloChars: raw.helloChars };
}

/** Prints the median of each figure over the loads, in the order a load goes through them. */
export function printRenderBreakdown(loads: readonly RenderTimes[], line: (label: string, value: string) => void): void {
  const names = ["dashboard:logged-in", "first-contentful-paint", "live:open", "live:hello-received", "live:hello-parsed", "overview:first-rows", "overview:rows-built"];
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  for (const name of names) {
    const values = loads.map((load) => load.marks[name]).filter((v): v is number => v !== undefined);
    if (values.length > 0) line(`  ${name}`, `median ${median(values).toFixed(0)} ms after navigation start`);
  }
  const chars = loads.map((load) => load.helloChars).filter((c) => c > 0);
  if (chars.length > 0) line("  hello message", `${(median(chars) / 1024).toFixed(0)} KiB`);
}

/** The renderer's busy time by kind over a stretch, ms (CDP Performance metrics, deltas). */
export interface RendererBusy {
  scriptMs: number;
  styleMs: number;
  layoutMs: number;
  /** Every task of the page's main thread, the three above included. */
  taskMs: number;
}

const BUSY_METRICS = { scriptMs: "ScriptDuration", styleMs: "RecalcStyleDuration", layoutMs: "LayoutDuration", taskMs: "TaskDuration" } as const;

/** Starts CDP's Performance domain on `page`; the function returned gives the busy time since the previous call. */
export async function rendererBusyMeter(page: Page): Promise<() => Promise<RendererBusy>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const read = async (): Promise<RendererBusy> => {
    const { metrics } = (await cdp.send("Performance.getMetrics")) as { metrics: Array<{ name: string; value: number }> };
    const value = (name: string): number => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
    return { scriptMs: value(BUSY_METRICS.scriptMs), styleMs: value(BUSY_METRICS.styleMs), layoutMs: value(BUSY_METRICS.layoutMs), taskMs: value(BUSY_METRICS.taskMs) };
  };
  let last = await read();
  return async () => {
    const now = await read();
    const delta = { scriptMs: now.scriptMs - last.scriptMs, styleMs: now.styleMs - last.styleMs, layoutMs: now.layoutMs - last.layoutMs, taskMs: now.taskMs - last.taskMs };
    last = now;
    return delta;
  };
}

/** "script 310 ms, style 40 ms, layout 620 ms, all tasks 1100 ms". */
export function busyText(busy: RendererBusy): string {
  return `script ${busy.scriptMs.toFixed(0)} ms, style ${busy.styleMs.toFixed(0)} ms, layout ${busy.layoutMs.toFixed(0)} ms, all tasks ${busy.taskMs.toFixed(0)} ms`;
}

/** The live feed's WebSocket on one load, ms from its creation in the page (CDP Network events). */
export interface SocketOpening {
  /** Created → the handshake request sent (the browser's own queueing). */
  requestSentMs: number;
  /** Created → the 101 answer received (the collector's accept and upgrade). */
  answeredMs: number;
}

/** Loads `url` once with CDP's Network domain on and says how the live feed's socket opened (null: no socket seen). */
export async function socketOpening(page: Page, url: string, timeoutMs: number): Promise<SocketOpening | null> {
  const cdp = await page.context().newCDPSession(page);
  const at: { created?: number; sent?: number; answered?: number } = {};
  cdp.on("Network.webSocketCreated", () => (at.created ??= performance.now()));
  cdp.on("Network.webSocketWillSendHandshakeRequest", () => (at.sent ??= performance.now()));
  cdp.on("Network.webSocketHandshakeResponseReceived", () => (at.answered ??= performance.now()));
  // Frames' payloads would come through CDP too (the hello is megabytes): only the events above are needed.
  await cdp.send("Network.enable", { maxTotalBufferSize: 0, maxResourceBufferSize: 0 });
  try {
    await page.goto("about:blank");
    await page.goto(url);
    await overviewRenderTimes(page, timeoutMs);
  } finally {
    await cdp.detach();
  }
  if (at.created === undefined || at.sent === undefined || at.answered === undefined) return null;
  return { requestSentMs: at.sent - at.created, answeredMs: at.answered - at.created };
}

/** TcpExt ListenOverflows of the whole machine (/proc/net/netstat): connections a full listen queue dropped. */
export function listenOverflows(): number {
  const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
  for (let i = 0; i + 1 < lines.length; i += 2) {
    if (!lines[i]!.startsWith("TcpExt:")) continue;
    const names = lines[i]!.split(/\s+/);
    const values = lines[i + 1]!.split(/\s+/);
    const index = names.indexOf("ListenOverflows");
    if (index > 0) return Number(values[index]);
  }
  return 0;
}
