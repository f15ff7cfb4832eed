/**
 * Detection latency, measured end to end: from the moment a link is cut to the moment the vendor's webhook has the
 * report. A real collector (`wardwatch collector`), a real agent (`wardwatch agent`, token from `wardwatch token add`)
 * probing a real link (a veth pair into a network namespace this bench creates, 10.199.<subnet>.0/30), and a webhook
 * receiver on 127.0.0.1 that verifies every signature. The site's second link is a loopback stand-in that never
 * fails, so the cut is a link incident (the vendor is told), not a silent site.
 *
 * Each run: wait for a point of the agent's round cycle (run i of N cuts (i + ½)/N of an interval after a round began,
 * the rounds' start read from the collector's store, so the runs sample the cycle evenly), cut the link (`ip link set <peer> down`), and time: the first failed round's start (the
 * incident's startTs), the agent's own `down` (its log), the collector's `down` (its log), the incident opening (its
 * log), the report at the webhook. Then restore the link and wait for the recovery notice before the next run.
 * Prints each run, the median and the max beside the target "median ≤ 2 probe intervals + group wait" (whether met),
 * and the bounds the settings imply. Never asserts on time; exits 1 only when the run failed. The namespace, the
 * processes and the temp dir are removed either way, also on Ctrl-C.
 *
 * Needs root. Build with `npx tsc -p tsconfig.build.json`, then e.g.
 *   node dist/bench/detect.js                                  # 5 runs at the product defaults: probes 10 s, push 10 s,
 *                                                              # group_wait 10 s, retry_interval 2 s, fail_after 3
 *   node dist/bench/detect.js --interval-s 2 --group-wait-s 2  # short rounds
 * Options: --runs N, --interval-s S, --push-interval-s S (default: the probe interval), --group-wait-s S,
 * --retry-interval-s S (the agent's retry_interval, default 2), --fail-after N (default 3, the product default),
 * --subnet K (10.199.K.0/30, default 130).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { addTokenWithCli } from "./agentProcess.js";
import { benchLinkUnavailable, createBenchLink, type BenchLink } from "./benchLink.js";
import { printDetectReport, type DetectRun, type DetectSettings } from "./detectReport.js";
import { startLoggedProcess, type LoggedProcess } from "./loggedProcess.js";
import { startWebhookSink, type WebhookSink } from "./webhookSink.js";

const SITE = "bench-site";
const SECRET_ENV = "WW_BENCH_VNPT_SECRET";
const STOP_LIMIT_MS = 10_000;

function parseSettings(argv: string[]): DetectSettings & { subnet: number } {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: "string", default: "5" },
      "interval-s": { type: "string", default: "10" },
      "push-interval-s": { type: "string" },
      "group-wait-s": { type: "string", default: "10" },
      "retry-interval-s": { type: "string", default: "2" },
      "fail-after": { type: "string", default: "3" },
      subnet: { type: "string", default: "130" },
    },
  });
  const number = (name: string, raw: string | undefined, min: number, max: number): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be a number from ${min} to ${max}, got '${raw}'`);
    return value;
  };
  const intervalMs = Math.round(number("interval-s", values["interval-s"], 1, 60) * 1000);
  // ICMP rounds as the workload has them at 10 s (5 pings); shorter intervals keep the round inside the interval.
  const count = intervalMs >= 5000 ? 5 : 3;
  return {
    runs: Math.round(number("runs", values.runs, 1, 100)),
    intervalMs,
    pushIntervalMs: Math.round(number("push-interval-s", values["push-interval-s"] ?? String(intervalMs / 1000), 1, 60) * 1000),
    groupWaitMs: Math.round(number("group-wait-s", values["group-wait-s"], 0, 600) * 1000),
    failAfter: Math.round(number("fail-after", values["fail-after"], 1, 10)),
    recoverAfter: 2,
    retryIntervalMs: Math.round(number("retry-interval-s", values["retry-interval-s"], 0.2, 60) * 1000),
    count,
    packetIntervalMs: 200,
    timeoutMs: 1000,
    tickMs: 250,
    subnet: Math.round(number("subnet", values.subnet, 110, 139)),
  };
}

function collectorYaml(settings: DetectSettings, dataDir: string, webhookUrl: string): string {
  return `listen: 127.0.0.1:0
data_dir: ${JSON.stringify(dataDir)}
province: { id: bench, name: "Tỉnh Bench" }
log: { level: info }
state: { fail_after: ${settings.failAfter}, recover_after: ${settings.recoverAfter} }
receivers:
  - { id: vnpt-noc, name: "VNPT NOC", webhook: { url: ${JSON.stringify(webhookUrl)}, secret: { env: ${SECRET_ENV} }, timeout: 5s } }
alerting: { group_wait: ${settings.groupWaitMs}ms }
providers:
  - { id: vnpt, name: VNPT, notify: [vnpt-noc] }
  - { id: viettel, name: Viettel }
sites:
  - id: ${SITE}
    name: "Phường Bench"
    links:
      - { id: tslcd, kind: dedicated, provider: vnpt, circuit: "TSL-BENCH", bandwidth_mbps: 200 }
      - { id: inet, kind: internet, provider: viettel, circuit: "VT-BENCH", bandwidth_mbps: 100 }
`;
}

function agentYaml(settings: DetectSettings, options: { collectorUrl: string; tokenFile: string; spoolDir: string; link: BenchLink }): string {
  const probe = (target: string) =>
    `[ { kind: icmp, target: ${target}, interval: ${settings.intervalMs}ms, count: ${settings.count}, packet_interval: ${settings.packetIntervalMs}ms, timeout: ${settings.timeoutMs}ms } ]`;
  return `site: ${SITE}
collector: { urls: [${JSON.stringify(options.collectorUrl)}], token_file: ${JSON.stringify(options.tokenFile)}, push_interval: ${settings.pushIntervalMs}ms, request_timeout: 5s, max_backoff: 5s }
spool_dir: ${JSON.stringify(options.spoolDir)}
log: { level: info }
state: { fail_after: ${settings.failAfter}, recover_after: ${settings.recoverAfter} }
retry_interval: ${settings.retryIntervalMs}ms
links:
  - { id: tslcd, kind: dedicated, interface: ${options.link.hostInterface}, probes: ${probe(options.link.peerAddress)} }
  - { id: inet, kind: internet, source: 127.0.0.1, probes: ${probe("127.0.0.1")} }
`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const linkChanged = (to: string) => (l: Record<string, unknown>) => l.message === "link state changed" && l.site === SITE && l.link === "tslcd" && l.to === to;

/**
 * When the outage's first failed round began (UTC ms, the collector's time line): the earliest failed tslcd sample after
 * the last good one. Read from the collector's SQLite file (read-only) while the link is still cut.
 */
function firstFailedRoundTs(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        `SELECT MIN(ts) AS ts FROM raw_icmp WHERE site = ? AND link = 'tslcd' AND role = 'link' AND ok = 0
           AND ts > (SELECT COALESCE(MAX(ts), 0) FROM raw_icmp WHERE site = ? AND link = 'tslcd' AND role = 'link' AND ok = 1)`,
      )
      .get(SITE, SITE) as { ts: number | null };
    if (row.ts === null) throw new Error("no failed tslcd sample after the last good one");
    return row.ts;
  } finally {
    db.close();
  }
}

/** The start of the latest tslcd round the collector holds (UTC ms): the agent's rounds follow it every interval. */
function latestRoundTs(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT MAX(ts) AS ts FROM raw_icmp WHERE site = ? AND link = 'tslcd' AND role = 'link'").get(SITE) as { ts: number | null };
    if (row.ts === null) throw new Error("no tslcd sample stored yet");
    return row.ts;
  } finally {
    db.close();
  }
}

/** Sleeps until the next moment `phaseMs` after the start of an agent round, at least 300 ms from now. */
async function waitForPhase(dbFile: string, intervalMs: number, phaseMs: number): Promise<void> {
  const anchor = latestRoundTs(dbFile);
  const k = Math.ceil((Date.now() + 300 - anchor - phaseMs) / intervalMs);
  await sleep(anchor + k * intervalMs + phaseMs - Date.now());
}

/** One cut and restore; times relative to the cut command. */
async function measureOnce(settings: DetectSettings, link: BenchLink, collector: LoggedProcess, agent: LoggedProcess, sink: WebhookSink, dbFile: string): Promise<DetectRun> {
  // Generous limits: these are for a hung run, never a verdict on speed.
  const limitMs = (settings.failAfter + 3) * settings.intervalMs + settings.pushIntervalMs + settings.groupWaitMs + 30_000;
  const [collectorMark, agentMark, sinkMark] = [collector.lines.length, agent.lines.length, sink.arrived.length];
  const roundTs = latestRoundTs(dbFile);
  const cutAt = Date.now();
  await link.down();
  const agentDown = agent.waitForLine((l) => l.message === "state changed" && l.monitor === "tslcd" && l.to === "down", limitMs, agentMark).catch(() => null);
  const collectorDown = await collector.waitForLine(linkChanged("down"), limitMs, collectorMark);
  const opened = await collector.waitForLine((l) => l.message === "incident opened" && l.key === `link:${SITE}:tslcd`, limitMs, collectorMark);
  const report = await sink.waitFor((w) => w.body.message === "report" && w.body.incident.id === opened.id, limitMs, sinkMark);
  const agentDownLine = await agentDown;
  const firstFailedTs = firstFailedRoundTs(dbFile);

  const restoreAt = Date.now();
  await link.up();
  const recovery = await sink.waitFor((w) => w.body.message === "recovery" && w.body.incident.id === opened.id, limitMs, sinkMark);
  await collector.waitForLine(linkChanged("up"), limitMs, collectorMark);
  return {
    cutPhaseMs: (((cutAt - roundTs) % settings.intervalMs) + settings.intervalMs) % settings.intervalMs,
    firstFailedRoundMs: firstFailedTs - cutAt,
    incidentStartMs: report.body.incident.timeline.startTs - cutAt,
    agentDownMs: agentDownLine ? agentDownLine.atMs - cutAt : null,
    collectorDownMs: collectorDown.atMs - cutAt,
    incidentOpenedMs: opened.atMs - cutAt,
    webhookMs: report.receivedAtMs - cutAt,
    recoveryMs: recovery.receivedAtMs - restoreAt,
  };
}

async function main(): Promise<number> {
  const settings = parseSettings(process.argv.slice(2));
  const unavailable = benchLinkUnavailable();
  if (unavailable) {
    console.error(`cannot run: ${unavailable}`);
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), "ww-bench-detect-"));
  const secret = `bench-${process.pid}-${Date.now()}`;
  let link: BenchLink | null = null;
  let sink: WebhookSink | null = null;
  let collector: LoggedProcess | null = null;
  let agent: LoggedProcess | null = null;
  const cleanUp = (): void => {
    agent?.kill();
    collector?.kill();
    link?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanUp();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    link = await createBenchLink(settings.subnet);
    sink = await startWebhookSink(secret);
    const collectorFile = join(dir, "collector.yaml");
    mkdirSync(join(dir, "data"));
    writeFileSync(collectorFile, collectorYaml(settings, join(dir, "data"), sink.url));
    const tokenFile = join(dir, "agent.token");
    await addTokenWithCli(collectorFile, SITE, tokenFile);
    collector = startLoggedProcess(["collector", "--config", collectorFile], { [SECRET_ENV]: secret });
    const listening = await collector.waitForLine((l) => l.message === "collector listening", 20_000);
    const agentFile = join(dir, "agent.yaml");
    writeFileSync(agentFile, agentYaml(settings, { collectorUrl: String(listening.url), tokenFile, spoolDir: join(dir, "spool"), link }));
    agent = startLoggedProcess(["agent", "--config", agentFile]);
    await collector.waitForLine(linkChanged("up"), 3 * settings.intervalMs + settings.pushIntervalMs + 20_000);

    const runs: DetectRun[] = [];
    for (let i = 0; i < settings.runs; i++) {
      // Let the link settle a round, then cut at a point of the round cycle: run i of N at (i + ½)/N of an interval
      // after a round began, so the runs sample the cycle evenly.
      const dbFile = join(dir, "data", "samples.db"); // the SQLite sample store: the rounds
      await sleep(settings.intervalMs);
      await waitForPhase(dbFile, settings.intervalMs, Math.round(((i + 0.5) / settings.runs) * settings.intervalMs));
      const run = await measureOnce(settings, link, collector, agent, sink, dbFile);
      runs.push(run);
      console.log(`run ${i + 1}/${settings.runs}: cut → webhook ${(run.webhookMs / 1000).toFixed(2)} s`);
    }
    printDetectReport(settings, runs);
    if (sink.rejected > 0) console.log(`\n${sink.rejected} webhook request(s) failed signature verification`);
    const agentCode = await agent.stop(STOP_LIMIT_MS);
    const collectorCode = await collector.stop(STOP_LIMIT_MS);
    if (agentCode !== 0 || collectorCode !== 0) {
      console.error(`bench failed: agent exited ${agentCode}, collector exited ${collectorCode} after SIGTERM`);
      return 1;
    }
    return 0;
  } finally {
    await sink?.close();
    cleanUp();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
