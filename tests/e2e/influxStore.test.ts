import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Spool } from "../../agent/spool/spool.js";
import type { MultiSeriesResponse } from "../../protocol/api.js";
import { addProvinceApiToken, addSiteToken } from "../helpers/alertingE2e.js";
import { batchOf, icmpSample } from "../helpers/batches.js";
import { collectorYaml } from "../helpers/collectorHarness.js";
import { agentYaml, freePort } from "../helpers/e2eSetup.js";
import { startInfluxd, type Influxd } from "../helpers/influxd.js";
import { runWardwatch, type DaemonProcess } from "../helpers/processes.js";

/**
 * The collector on a real InfluxDB, end to end: a real collector process (`storage: { kind: influxdb }`, the password
 * read from an owner-only file) against a real influxd with auth on, a real agent process (loopback ICMP probes) and
 * batches pushed by the test for a second site, whose every measurement the test knows. influxd is frozen (SIGSTOP:
 * "slow", every request times out) and then stopped (SIGTERM: "down") mid-stream, and restarted on the same data
 * directory; the collector is never restarted. Everything on 127.0.0.1.
 */

const AGENT_SITE = "tan-phong";
const PUSHED_SITE = "bien-hoa";
const DATABASE = "wardwatch_e2e";
const LOOPBACK_LINKS = [
  { id: "tslcd", bind: "source: 127.0.0.1", target: "127.0.0.1" },
  { id: "inet", bind: "source: 127.0.0.1", target: "127.0.0.2" },
];
/** How long until the collector deems every point of the store written, ms (the deadline of the polls below). */
const STORED_WITHIN_MS = 20_000;

type Line = Record<string, unknown>;
const isPushed = (line: Line) => line.message === "pushed" && (line.samples as number) > 0;
const sampleStoreFailing = (l: Line) => l.message === "store failing: writes refused until a probe succeeds" && l.store === "samples";
const sampleStoreBack = (l: Line) => l.message === "store writable again" && l.store === "samples";

/** A point of `raw.icmp` as the test reads it back. */
interface StoredPoint {
  time: number;
  link: string;
  seq: number;
  agent_ts: number;
  rtt_avg_ms: number | null;
}

describe("e2e: the collector on a real InfluxDB — stored, refused while it is slow or down, resumed without a restart", () => {
  let influxd: Influxd;
  let dir: string;
  let baseUrl: string;
  /** A province API token's header (made with `wardwatch api-token add`). */
  let apiAuth: { Authorization: string };
  let spoolDir: string;
  let collector: DaemonProcess;
  let agent: DaemonProcess;
  let pushedToken: string;
  /** When influxd was frozen and stopped, and when it was back (UTC ms), for the last tests. */
  const outages: Array<{ fromTs: number; toTs: number }> = [];

  beforeAll(async () => {
    influxd = await startInfluxd();
    dir = mkdtempSync(join(tmpdir(), "ww-e2e-influx-"));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    spoolDir = join(dir, "spool");
    const passwordFile = join(dir, "influx.pass");
    writeFileSync(passwordFile, `${influxd.password}\n`, { mode: 0o600 });
    const storage = `storage: { kind: influxdb, url: "${influxd.url}", database: ${DATABASE}, username: ${influxd.username}, password: { file: ${JSON.stringify(passwordFile)} }, timeout: 1s }`;
    const collectorFile = join(dir, "collector.yaml");
    writeFileSync(
      collectorFile,
      collectorYaml([AGENT_SITE, PUSHED_SITE], storage).replace("listen: 127.0.0.1:0", `listen: 127.0.0.1:${port}`).replace("log: { level: error }", "log: { level: info }") +
        `data_dir: ${JSON.stringify(join(dir, "data"))}\n`,
    );
    const agentToken = join(dir, "agent.token");
    const pushedTokenFile = join(dir, "pushed.token");
    await addSiteToken(collectorFile, AGENT_SITE, agentToken);
    await addSiteToken(collectorFile, PUSHED_SITE, pushedTokenFile);
    apiAuth = await addProvinceApiToken(collectorFile);
    pushedToken = readFileSync(pushedTokenFile, "utf8").trim();
    const agentFile = join(dir, "agent.yaml");
    writeFileSync(agentFile, agentYaml({ site: AGENT_SITE, port, tokenFile: agentToken, spoolDir, links: LOOPBACK_LINKS, roundInterval: "1s", pushInterval: "1s", batchSize: 5 }));

    collector = runWardwatch(["collector", "--config", collectorFile]);
    await collector.waitForLog((l) => l.message === "collector listening");
    agent = runWardwatch(["agent", "--config", agentFile]);
    await agent.waitForLog(isPushed);
  }, 60_000);

  afterAll(async () => {
    for (const proc of [agent, collector]) {
      if (!proc) continue;
      proc.kill("SIGKILL");
      await proc.exited;
    }
    await influxd?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Where the pushed samples' times start; 10 ms apart by seq (a resend of a seq is the same measurement). */
  const pushedTsBase = Date.now() - 60_000;
  const pushedSample = (seq: number) => icmpSample(seq, { ts: pushedTsBase + seq * 10, rttAvgMs: 10 + seq / 4 });
  /** POSTs the test site's batch of `seqs`; answers status, Retry-After and the error code. */
  const push = async (seqs: number[]) => {
    const response = await fetch(`${baseUrl}/api/v1/ingest`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${pushedToken}` },
      body: JSON.stringify(batchOf(PUSHED_SITE, seqs.map(pushedSample), { pushIntervalMs: 600_000 })),
    });
    const body = (await response.json()) as { error?: string };
    return { status: response.status, retryAfter: response.headers.get("retry-after"), error: body.error ?? null };
  };

  /** An InfluxQL SELECT on the collector's database, with the admin's credentials; the rows of its first series. */
  const select = async (query: string): Promise<Array<Record<string, unknown>>> => {
    const params = new URLSearchParams({ q: query, db: DATABASE, u: influxd.username, p: influxd.password, epoch: "ms" });
    const answer = (await (await fetch(`${influxd.url}/query?${params}`)).json()) as { results: Array<{ error?: string; series?: Array<{ columns: string[]; values: unknown[][] }> }> };
    const result = answer.results[0]!;
    if (result.error) throw new Error(`${query}: ${result.error}`);
    const series = result.series?.[0];
    return series ? series.values.map((row) => Object.fromEntries(series.columns.map((column, i) => [column, row[i]]))) : [];
  };
  const storedPoints = async (site: string): Promise<StoredPoint[]> =>
    (await select(`SELECT "link", "seq", "agent_ts", "rtt_avg_ms" FROM "raw"."icmp" WHERE "site" = '${site}' ORDER BY time`)) as unknown as StoredPoint[];
  /** Polls `read` until `done` holds (bounded): the collector acknowledges a batch only after InfluxDB took it, but this reads through another connection. */
  const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    const deadline = Date.now() + STORED_WITHIN_MS;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const health = async () => {
    const answer = await fetch(`${baseUrl}/healthz`);
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  };
  const metrics = async () => (await fetch(`${baseUrl}/metrics`)).text();
  /** Resolves with the first line matching `predicate` logged after index `from` of `proc`'s log. */
  const logAfter = (proc: DaemonProcess, from: number, predicate: (l: Line) => boolean, timeoutMs?: number) => proc.waitForLog((l) => predicate(l) && proc.logs.indexOf(l) >= from, timeoutMs);

  /** Asserts the outage while influxd is frozen or stopped: 503 + Retry-After, /healthz, /metrics, the agent refused. */
  const expectRefusedWhileOut = async (seqs: number[], collectorFrom: number, agentFrom: number, expectedError: RegExp) => {
    // The first write to meet the outage fails (1 s timeout or refused), opens the sample breaker and is answered 503;
    // from then on every batch is refused at once, without a write.
    expect(await push(seqs)).toEqual({ status: 503, retryAfter: "5", error: "store_unavailable" });
    const failing = await logAfter(collector, collectorFrom, sampleStoreFailing);
    expect(String(failing.error)).toMatch(expectedError);
    expect(String(failing.error)).not.toContain(influxd.password);
    expect(await push(seqs)).toEqual({ status: 503, retryAfter: "5", error: "store_unavailable" });
    await logAfter(agent, agentFrom, (l) => l.message === "push failed" && l.status === 503 && String(l.reason).startsWith("store_unavailable"));
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: "store_failing", role: "samples", store: "influxdb" });
    expect(String(body.error)).toMatch(expectedError);
    const text = await metrics();
    expect(text).toMatch(/^wardwatch_sample_store_up 0$/m);
    expect(text, "the metadata store is fine").toMatch(/^wardwatch_store_up 1$/m);
  };

  it("stores the agent's and the pushed samples in InfluxDB, by identity, each measurement as it was sent", async () => {
    expect(await push([1, 2, 3])).toEqual({ status: 200, retryAfter: null, error: null });
    const pushed = await storedPoints(PUSHED_SITE);
    expect(pushed.map((p) => [p.seq, p.agent_ts, p.link, p.rtt_avg_ms])).toEqual([1, 2, 3].map((seq) => [seq, pushedTsBase + seq * 10, "tslcd", 10 + seq / 4]));
    const agentPoints = await eventually(() => storedPoints(AGENT_SITE), (points) => points.length >= 2);
    expect(new Set(agentPoints.map((p) => p.link))).toEqual(new Set(["tslcd", "inet"]));
    const [counted] = await select(`SELECT count("seq") FROM "raw"."icmp" WHERE "site" = '${PUSHED_SITE}'`);
    expect(counted?.count).toBe(3);
    expect((await health()).body).toMatchObject({ status: "ok", sampleStore: "influxdb" });
    expect(await metrics()).toMatch(/^wardwatch_sample_store_up 1$/m);
    // The rollup marks of what was written are kept beside the metadata store, owner-only (survive a restart).
    expect(statSync(join(dir, "data", "influxdb-rollup-backlog.db")).mode & 0o777).toBe(0o600);
  }, 60_000);

  it("influxd frozen (SIGSTOP, slow): pushes get 503 + Retry-After, /healthz and /metrics say the sample store fails; thawed, writes resume", async () => {
    const collectorFrom = collector.logs.length;
    const agentFrom = agent.logs.length;
    const fromTs = Date.now();
    influxd.pause();
    try {
      await expectRefusedWhileOut([4, 5, 6], collectorFrom, agentFrom, /^InfluxDB cannot take requests now: .*timed out/i);
    } finally {
      influxd.resume();
    }
    await logAfter(collector, collectorFrom, sampleStoreBack);
    outages.push({ fromTs, toTs: Date.now() });
    await logAfter(agent, agentFrom, (l) => l.message === "collector reachable again");
    expect((await health()).status).toBe(200);
    expect(await metrics()).toMatch(/^wardwatch_sample_store_up 1$/m);
  }, 60_000);

  it("influxd stopped (SIGTERM, down) and restarted on the same data: refused meanwhile, then written again without a collector restart", async () => {
    const collectorFrom = collector.logs.length;
    const agentFrom = agent.logs.length;
    const fromTs = Date.now();
    await influxd.stop();
    try {
      // The first write to fail may have met influxd shutting down (a 500, a reset) or gone (refused): which one is a
      // race, and each is "cannot take requests now".
      await expectRefusedWhileOut([7, 8, 9], collectorFrom, agentFrom, /^InfluxDB cannot take requests now: /);
      // The agent keeps measuring into its spool meanwhile: a few refused rounds.
      await logAfter(agent, agentFrom, (l) => l.message === "push failed" && (l.attempt as number) >= 3);
    } finally {
      await influxd.restart();
    }
    await logAfter(collector, collectorFrom, sampleStoreBack);
    outages.push({ fromTs, toTs: Date.now() });
    expect((await health()).body).toMatchObject({ status: "ok", store: "sqlite", sampleStore: "influxdb" });
    expect(await metrics()).toMatch(/^wardwatch_sample_store_up 1$/m);

    // The test site resends its refused batches, as an agent does; a resend of what was stored answers 200 too
    // (InfluxDB cannot tell a duplicate: `duplicates` is null, and 200 and 409 are one acknowledgement to agents).
    expect(await push([4, 5, 6])).toMatchObject({ status: 200 });
    expect(await push([7, 8, 9])).toMatchObject({ status: 200 });
    expect(await push([7, 8, 9])).toMatchObject({ status: 200 });
  }, 60_000);

  it("every sample the agent measured is stored exactly once: no gap, no duplicate point, the outages' rounds included", async () => {
    expect(outages, "needs both outages of the tests before").toHaveLength(2);
    await agent.waitForLog((l) => l.message === "collector reachable again" && agent.logs.indexOf(l) >= 0);
    const caughtUp = agent.logs.length;
    await logAfter(agent, caughtUp, (l) => isPushed(l) && l.pending === 0);
    agent.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    const spool = Spool.open({ dir: spoolDir, maxBytes: 64 * 1024 * 1024, segmentBytes: 1024 * 1024 });
    const { ackedSeq, lastSeq, droppedRecords } = spool.stats();
    spool.close();
    expect(droppedRecords).toBe(0);

    const points = await eventually(() => storedPoints(AGENT_SITE), (stored) => stored.length >= ackedSeq);
    const seqs = points.map((p) => p.seq).sort((a, b) => a - b);
    // Contiguous 1..K, each once (a second point of a seq would be a duplicate under another time), K at least what
    // the agent saw acknowledged, at most what it measured.
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs[0]).toBe(1);
    expect(seqs.at(-1)).toBe(seqs.length);
    expect(seqs.length).toBeGreaterThanOrEqual(ackedSeq);
    expect(seqs.length).toBeLessThanOrEqual(lastSeq);
    // One point per measurement: no two points share the agent's own timestamp on a link.
    expect(new Set(points.map((p) => `${p.link} ${p.agent_ts}`)).size).toBe(points.length);
    // What the agent measured while InfluxDB was frozen or down reached it afterwards, on both links.
    for (const { fromTs, toTs } of outages) {
      const during = points.filter((p) => p.agent_ts >= fromTs && p.agent_ts <= toTs);
      expect(new Set(during.map((p) => p.link)), `measured between ${fromTs} and ${toTs}`).toEqual(new Set(["tslcd", "inet"]));
    }

    const pushed = await storedPoints(PUSHED_SITE);
    expect(pushed.map((p) => [p.seq, p.agent_ts, p.rtt_avg_ms])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((seq) => [seq, pushedTsBase + seq * 10, 10 + seq / 4]));

    // Every refusal was the store's 503 (never a 500 or a hung request), and the collector logged no error but the
    // sample store's outages.
    const refusals = agent.logs.filter((l) => l.message === "push failed");
    expect(refusals.length).toBeGreaterThan(0);
    expect(new Set(refusals.map((l) => l.status))).toEqual(new Set([503]));
    const errors = collector.logs.filter((l) => l.level === "error");
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.filter((l) => !sampleStoreFailing(l))).toEqual([]);
  }, 60_000);

  it("the series API answers from InfluxDB: the per-bucket counts and means of what it holds", async () => {
    const points = (await storedPoints(AGENT_SITE)).filter((p) => p.link === "tslcd");
    expect(points.length).toBeGreaterThan(5);
    const stepMs = 10_000;
    const from = Math.floor(points[0]!.time / stepMs) * stepMs;
    const to = Math.ceil((points.at(-1)!.time + 1) / stepMs) * stepMs;
    const answer = await fetch(`${baseUrl}/api/v1/sites/${AGENT_SITE}/series?link=tslcd&metrics=ok:count,rtt_avg_ms:mean&from=${from}&to=${to}&step=${stepMs}`, { headers: apiAuth });
    expect(answer.status).toBe(200);
    const series = (await answer.json()) as MultiSeriesResponse;
    expect(series).toMatchObject({ site: AGENT_SITE, link: "tslcd", kind: "icmp", resolution: "raw", stepMs, metrics: [{ field: "ok", stat: "count" }, { field: "rtt_avg_ms", stat: "mean" }] });
    const buckets = new Map<number, StoredPoint[]>();
    for (const point of points) {
      const start = from + Math.floor((point.time - from) / stepMs) * stepMs;
      buckets.set(start, [...(buckets.get(start) ?? []), point]);
    }
    const [counts, means] = series.values as [Array<number | null>, Array<number | null>];
    expect(counts.reduce<number>((sum, c) => sum + (c ?? 0), 0)).toBe(points.length);
    series.timestamps.forEach((ts, i) => {
      const inBucket = buckets.get(ts) ?? [];
      expect(counts[i] ?? 0, `count at ${ts}`).toBe(inBucket.length);
      const rtts = inBucket.map((p) => p.rtt_avg_ms).filter((v): v is number => v !== null);
      if (rtts.length === 0) expect(means[i]).toBeNull();
      else expect(means[i]).toBeCloseTo(rtts.reduce((a, b) => a + b, 0) / rtts.length, 6);
    });
  }, 30_000);
});
