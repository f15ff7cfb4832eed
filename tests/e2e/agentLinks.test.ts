import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { Spool } from "../../agent/spool/spool.js";
import { canUseNetns } from "../helpers/netns.js";
import { createSiteTopology, type SiteTopology } from "../helpers/siteTopology.js";
import { runWardwatch, type DaemonProcess } from "../helpers/processes.js";
import { STORED_SAMPLES, writeE2eFiles, type E2eFiles } from "../helpers/e2eSetup.js";
import { openLiveFeed, type LiveFeed } from "../helpers/liveFeed.js";

const SITE = "tan-phong";
const ROUND_MS = 1000;
const HOLD_MS = 3000;
const BATCH_SIZE = 3;
/** A route group of the province's network (TEST-NET-3: only ever routed inside the site namespace, never sent to). */
const GROUP_PREFIX = "203.0.113.0/24";
/**
 * A link is `up` from the start of the round that made it so (its sinceTs), which is up to one round's run time
 * (3 pings 50 ms apart, 300 ms timeout) before the agent logs "state changed".
 */
const ROUND_RUN_SLACK_MS = 500;

const netns = await canUseNetns();
if (!netns.ok) console.warn(`skipping e2e agent link tests: ${netns.reason}`);

type LogLine = Record<string, unknown>;
const logTs = (line: LogLine): number => Date.parse(line.timestamp as string);
const isPushed = (line: LogLine): boolean => line.message === "pushed" && (line.samples as number) > 0;
const isFailover = (line: LogLine): boolean => line.message === "failover";
const stateChanged = (monitor: string, to: string) => (line: LogLine) => line.message === "state changed" && line.monitor === monitor && line.to === to;

/** The agent's YAML: both links bound by interface to the site ends, probing the root ends; failover by route. */
function siteAgentYaml(site: SiteTopology, options: { port: number; tokenFile: string; spoolDir: string }): string {
  const link = (id: "tslcd" | "inet", kind: string, provider: string) => {
    const { siteInterface, rootAddress } = site.links[id];
    return `  - id: ${id}
    kind: ${kind}
    provider: ${provider}
    interface: ${siteInterface}
    gateway: ${rootAddress}
    probes: [ { kind: icmp, target: ${rootAddress}, interval: ${ROUND_MS}ms, count: 3, packet_interval: 50ms, timeout: 300ms } ]`;
  };
  return `site: ${SITE}
collector: { urls: ["http://${site.collectorAddress}:${options.port}"], token_file: ${JSON.stringify(options.tokenFile)}, push_interval: 1s, batch_size: ${BATCH_SIZE}, max_backoff: 2s, request_timeout: 1s }
spool_dir: ${JSON.stringify(options.spoolDir)}
log: { level: debug }
apps:
  - id: tinh-health
    name: "Máy chủ của tỉnh"
    via: [tslcd, inet]
    probe: { kind: http, url: "http://${site.collectorAddress}:${options.port}/healthz", interval: 1s, timeout: 800ms, expect_status: [200] }
connectivity:
  action: route
  hold: ${HOLD_MS}ms
  groups: [ { id: tinh, prefixes: [${GROUP_PREFIX}], links: [tslcd, inet] } ]
links:
${link("tslcd", "dedicated", "vnpt")}
${link("inet", "internet", "viettel")}
`;
}

/** Runs `fn` against the collector's SQLite sample store (or, with `metadata`, its metadata store), opened read-only. */
function readDb<T>(files: E2eFiles, fn: (db: Database.Database) => T, file: "samples" | "metadata" = "samples"): T {
  const db = new Database(file === "samples" ? files.samplesFile : files.dbFile, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Distinct rounds of `link` stored with a time in [fromTs, toTs] (collector time line). */
function roundsBetween(files: E2eFiles, link: string, fromTs: number, toTs: number): number {
  // One link probe: a round is one sample, at the round's start.
  return readDb(files, (db) => (db.prepare(`SELECT COUNT(DISTINCT ts) AS n FROM ${STORED_SAMPLES} WHERE site = ? AND link = ? AND role = 'link' AND ts >= ? AND ts <= ?`).get(SITE, link, fromTs, toTs) as { n: number }).n);
}

/** Every seq the collector holds for the site, samples and failover events alike (they share the spool's seqs). */
function storedSeqs(files: E2eFiles): number[] {
  const samples = readDb(files, (db) => db.prepare(`SELECT seq FROM ${STORED_SAMPLES} WHERE site = ?`).pluck().all(SITE) as number[]);
  const events = readDb(files, (db) => db.prepare("SELECT seq FROM events WHERE site = ?").pluck().all(SITE) as number[], "metadata");
  return [...samples, ...events].sort((a, b) => a - b);
}

/** Polls `read` (bounded) until `done` holds for its value; returns that value. */
async function pollUntil<T>(read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > giveUpAt) throw new Error(`${what} not reached within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

describe.skipIf(!netns.ok)("e2e: agent on a two-link site (site namespace, real links, failover by route)", () => {
  let site: SiteTopology;
  let files: E2eFiles;
  let collector: DaemonProcess;
  let agent: DaemonProcess;
  let feed: LiveFeed;
  let baseUrl: string;
  const routeOfGroup = async () => (await site.ipInSite(["route", "show", GROUP_PREFIX])).trim();
  const linkState = (id: string) => feed.latest.get(SITE)?.links.find((l) => l.id === id)?.state;
  /** Measured figures, printed at the end for the report. */
  const measured: Record<string, unknown> = {};

  beforeAll(async () => {
    site = await createSiteTopology();
    files = await writeE2eFiles({ site: SITE, links: [] });
    // The collector listens on the dummy address in the root namespace; the site reaches it over either link.
    writeFileSync(
      files.collectorFile,
      readFileSync(files.collectorFile, "utf8").replace(`listen: 127.0.0.1:${files.port}`, `listen: ${site.collectorAddress}:${files.port}`),
    );
    writeFileSync(files.agentFile, siteAgentYaml(site, { port: files.port, tokenFile: join(files.dir, "agent.token"), spoolDir: files.spoolDir }));
    // The site's static route for the group, through the preferred link, as it stands before any failover.
    await site.ipInSite(["route", "add", GROUP_PREFIX, "via", site.links.tslcd.rootAddress, "dev", site.links.tslcd.siteInterface]);
    baseUrl = `http://${site.collectorAddress}:${files.port}`;
    collector = runWardwatch(["collector", "--config", files.collectorFile]);
    await collector.waitForLog((l) => l.message === "collector listening");
    feed = await openLiveFeed(baseUrl, files.apiAuth);
    agent = runWardwatch(["agent", "--config", files.agentFile], {}, { netns: site.ns });
  });

  afterAll(async () => {
    console.info(`agentLinks measured: ${JSON.stringify(measured)}`);
    feed?.close();
    for (const proc of [agent, collector]) {
      proc?.kill("SIGKILL");
      await proc?.exited;
    }
    await site?.destroy();
    files?.remove();
  });

  it("both links up: pushes leave through tslcd, the preferred link", async () => {
    // A site is `up` once its judged links are: wait for both links, whose first good rounds may arrive in two pushes.
    const status = await feed.waitForSite(SITE, (s) => s.state === "up" && s.lastPushVia === "tslcd" && s.links.every((l) => l.state !== "unknown"));
    expect(status.links.map((l) => [l.id, l.state])).toEqual([
      ["tslcd", "up"],
      ["inet", "up"],
    ]);
    await agent.waitForLog(isPushed);
    expect(agent.logs.filter(isPushed).map((l) => l.via)).toEqual(agent.logs.filter(isPushed).map(() => "tslcd"));
    expect(await routeOfGroup()).toContain(`via ${site.links.tslcd.rootAddress} dev ${site.links.tslcd.siteInterface}`);
  });

  let cutAt = 0;
  let cutDoneAt = 0;
  let failoverLine: LogLine;

  it("tslcd cut: down within 3 rounds (+1), inet stays up, one failover to inet (route replaced)", async () => {
    cutAt = Date.now();
    await site.links.tslcd.down();
    cutDoneAt = Date.now();
    const status = await feed.waitForSite(SITE, (s) => s.links.find((l) => l.id === "tslcd")!.state === "down", 15_000);
    expect(status.state).toBe("degraded");
    expect(status.links.find((l) => l.id === "inet")!.state).toBe("up");
    const rounds = roundsBetween(files, "tslcd", cutAt, status.links.find((l) => l.id === "tslcd")!.sinceTs!);
    measured.roundsCutToDown = rounds;
    measured.msCutToCollectorDown = Date.now() - cutAt;
    expect(rounds).toBeLessThanOrEqual(3 + 1);

    failoverLine = await agent.waitForLog(isFailover, 5000);
    measured.msCutToFailover = logTs(failoverLine) - cutAt;
    expect(failoverLine).toMatchObject({ level: "info", group: "tinh", fromLink: "tslcd", toLink: "inet", reason: "preferred_down", action: "route", ok: true });
    expect(agent.logs.filter(isFailover)).toHaveLength(1);
    expect(await routeOfGroup()).toContain(`via ${site.links.inet.rootAddress} dev ${site.links.inet.siteInterface}`);
  });

  it("while tslcd is down, pushes leave through inet (and the collector sees them arrive by inet)", async () => {
    const failoverIndex = agent.logs.indexOf(failoverLine);
    await agent.waitForLog((l) => isPushed(l) && agent.logs.indexOf(l) > failoverIndex && agent.logs.filter((m) => isPushed(m) && agent.logs.indexOf(m) > failoverIndex).length >= 3, 10_000);
    // The site end lost carrier at the cut, so no push after it can have used tslcd, even before tslcd was judged
    // down. (A push acknowledged just before the cut may still be logging: 100 ms is far more than that takes.)
    const afterCut = agent.logs.filter((l) => isPushed(l) && logTs(l) >= cutDoneAt + 100);
    expect(afterCut.map((l) => l.via)).toEqual(afterCut.map(() => "inet"));
    measured.pushesViaInetWhileTslcdDown = afterCut.length;
    expect((await feed.waitForSite(SITE, (s) => s.lastPushVia === "inet")).lastPushVia).toBe("inet");
  });

  it("an application reachable over both links: its probe via tslcd is never carried by inet while tslcd is down", async () => {
    const since = cutDoneAt + 100;
    const rows = await pollUntil(
      () => readDb(files, (db) => db.prepare(`SELECT link, ok FROM ${STORED_SAMPLES} WHERE role = 'app' AND ts >= ? ORDER BY seq`).all(since) as Array<{ link: string; ok: number }>),
      (r) => r.filter((x) => x.link === "tslcd").length >= 2 && r.filter((x) => x.link === "inet").length >= 2,
      15_000,
      "application samples over both links after the cut",
    );
    expect(rows.filter((r) => r.link === "tslcd").map((r) => r.ok)).toEqual(rows.filter((r) => r.link === "tslcd").map(() => 0));
    expect(rows.filter((r) => r.link === "inet").map((r) => r.ok)).toEqual(rows.filter((r) => r.link === "inet").map(() => 1));
  });

  it("tslcd back: switches back once, only after the hold time, and the route goes through tslcd again", async () => {
    const backLogIndex = agent.logs.length;
    const upCommandAt = Date.now();
    await site.links.tslcd.up();
    const back = await agent.waitForLog((l) => isFailover(l) && l.reason === "preferred_back", 15_000);
    const upLine = agent.logs.slice(backLogIndex).find(stateChanged("tslcd", "up"));
    expect(upLine).toBeDefined();
    measured.msLinkBackToSwitchBack = logTs(back) - upCommandAt;
    measured.msUpLoggedToSwitchBack = logTs(back) - logTs(upLine!);
    expect(back).toMatchObject({ level: "info", group: "tinh", fromLink: "inet", toLink: "tslcd", action: "route", ok: true });
    // No switch back before the hold: not within HOLD_MS of the link carrying traffic again, nor of tslcd being up.
    // (A round that began just before the link came back, and whose pings got through, counts as its first good
    // round: allow for one round's run time before the up command.)
    expect(logTs(back) - upCommandAt).toBeGreaterThanOrEqual(HOLD_MS - ROUND_RUN_SLACK_MS);
    // The hold counts from the first good round; "state changed up" is logged at the round that confirms it
    // (recover_after = 2), one round later.
    expect(logTs(back) - logTs(upLine!)).toBeGreaterThanOrEqual(HOLD_MS - ROUND_MS - ROUND_RUN_SLACK_MS);
    expect(agent.logs.indexOf(back)).toBeGreaterThan(agent.logs.indexOf(upLine!));
    expect(await routeOfGroup()).toContain(`via ${site.links.tslcd.rootAddress} dev ${site.links.tslcd.siteInterface}`);
    const failovers = agent.logs.filter(isFailover);
    expect(failovers.map((l) => l.reason)).toEqual(["preferred_down", "preferred_back"]);

    // inet never faltered: the agent never changed its state after it first came up, and every inet round the
    // collector stored since the cut got through.
    expect(agent.logs.filter((l) => l.message === "state changed" && l.monitor === "inet").map((l) => l.to)).toEqual(["up"]);
    const inetSince = readDb(files, (db) => db.prepare(`SELECT ok FROM ${STORED_SAMPLES} WHERE site = ? AND link = 'inet' AND role = 'link' AND ts >= ?`).all(SITE, cutAt) as Array<{ ok: number }>);
    expect(inetSince.length).toBeGreaterThanOrEqual(5);
    expect(inetSince.every((r) => r.ok === 1)).toBe(true);
  });

  it("the collector has both failover events", async () => {
    const events = await pollUntil(
      async () => (await (await fetch(`${baseUrl}/api/v1/sites/${SITE}/events`, { headers: files.apiAuth })).json()) as Array<Record<string, unknown>>,
      (list) => list.length >= 2,
      10_000,
      "two events at the collector",
    );
    expect(events.map((e) => [e.type, e.fromLink, e.toLink, e.reason, e.ok])).toEqual([
      ["failover", "tslcd", "inet", "preferred_down", true],
      ["failover", "inet", "tslcd", "preferred_back", true],
    ]);
  });

  it("both links down: the spool holds everything; inet back: the backlog goes oldest first, every seq stored once", async () => {
    // Cut inet first and wait until the agent calls it down, so the group has nowhere to fail over to when tslcd goes.
    let index = agent.logs.length;
    await site.links.inet.down();
    await agent.waitForLog((l) => stateChanged("inet", "down")(l) && agent.logs.indexOf(l) >= index, 10_000);
    const outageLogIndex = agent.logs.length;
    await site.links.tslcd.down();
    const outageAt = Date.now();
    // Several push intervals with no way out.
    await agent.waitForLog((l) => l.message === "push failed" && (l.attempt as number) >= 3 && agent.logs.indexOf(l) >= outageLogIndex, 20_000);
    const storedBeforeReturn = storedSeqs(files).at(-1)!;
    expect(agent.logs.slice(outageLogIndex).filter((l) => l.message === "push failed").length).toBeGreaterThanOrEqual(3);

    index = agent.logs.length;
    const inetBackAt = Date.now();
    await site.links.inet.up();
    const caughtUp = await agent.waitForLog((l) => isPushed(l) && l.pending === 0 && agent.logs.indexOf(l) >= index, 20_000);
    const drain = agent.logs.slice(index, agent.logs.indexOf(caughtUp) + 1).filter(isPushed);
    const backlog = (drain[0]!.samples as number) + (drain[0]!.pending as number);
    measured.outageMs = inetBackAt - outageAt;
    measured.backlogRecords = backlog;
    measured.drainBatches = drain.length;
    measured.msInetBackToCaughtUp = logTs(caughtUp) - inetBackAt;
    measured.msFirstToLastDrainPush = logTs(caughtUp) - logTs(drain[0]!);
    // The outage lasted several rounds of both links: more than two batches waited.
    expect(backlog).toBeGreaterThanOrEqual(2 * BATCH_SIZE);
    expect(drain.length).toBeGreaterThanOrEqual(2);
    expect(drain.map((l) => l.via)).toEqual(drain.map(() => "inet"));
    // Oldest first: each batch ends after the one before, and the first starts no later than the first seq the
    // collector lacked (earlier if a batch sent as the link went had been stored but its answer lost).
    const lastSeqs = drain.map((l) => l.lastSeq as number);
    expect(lastSeqs).toEqual([...lastSeqs].sort((a, b) => a - b));
    expect(new Set(lastSeqs).size).toBe(lastSeqs.length);
    const firstSeq = lastSeqs[0]! - (drain[0]!.samples as number) + 1;
    expect(firstSeq).toBeLessThanOrEqual(storedBeforeReturn + 1);
    // It ends after the last stored seq, or at it when it is that very batch, sent again.
    expect(lastSeqs[0]!).toBeGreaterThanOrEqual(storedBeforeReturn);
    expect(lastSeqs.at(-1)!).toBeGreaterThan(storedBeforeReturn);

    agent.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    const seqs = storedSeqs(files);
    const spool = Spool.open({ dir: files.spoolDir, maxBytes: 64 * 1024 * 1024, segmentBytes: 1024 * 1024 });
    let stats;
    try {
      stats = spool.stats();
    } finally {
      spool.close();
    }
    measured.storedSeqs = seqs.length;
    measured.spool = { ackedSeq: stats.ackedSeq, lastSeq: stats.lastSeq };
    // Contiguous 1..K, each once: nothing lost or duplicated; K covers every acknowledged record and no more than were made.
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs[0]).toBe(1);
    expect(seqs.at(-1)).toBe(seqs.length);
    expect(seqs.length).toBeGreaterThanOrEqual(stats.ackedSeq);
    expect(seqs.length).toBeLessThanOrEqual(stats.lastSeq);
  });
});
