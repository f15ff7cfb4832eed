import { rmSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Spool } from "../../agent/spool/spool.js";
import { canUseNetns, createTestLink, destroyTestLink, type TestLink } from "../helpers/netns.js";
import { runWardwatch, type DaemonProcess } from "../helpers/processes.js";
import { STORED_SAMPLES, writeE2eFiles, type E2eFiles } from "../helpers/e2eSetup.js";
import { openLiveFeed, type LiveFeed } from "../helpers/liveFeed.js";

const SITE = "tan-phong";
const SUBNETS = { tslcd: 71, inet: 72 };
const netns = await canUseNetns();
if (!netns.ok) console.warn(`skipping e2e seq restart tests: ${netns.reason}`);

/** The agent's spool as it was left (the agent must be stopped). */
function spoolStats(files: E2eFiles) {
  const spool = Spool.open({ dir: files.spoolDir, maxBytes: 64 * 1024 * 1024, segmentBytes: 1024 * 1024 });
  try {
    return spool.stats();
  } finally {
    spool.close();
  }
}

/** Stored samples of the site, oldest first: seq and agent time (`agent_ts`). */
function storedSamples(files: E2eFiles): Array<{ seq: number; agentTs: number }> {
  const db = new Database(files.samplesFile, { readonly: true });
  try {
    return db.prepare(`SELECT seq, agent_ts AS agentTs FROM ${STORED_SAMPLES} WHERE site = ? ORDER BY agent_ts, seq`).all(SITE) as Array<{ seq: number; agentTs: number }>;
  } finally {
    db.close();
  }
}

/** Every seq from 1 to the highest, each once: nothing missing in between, nothing twice. */
function expectContiguousOnce(seqs: number[], acknowledged: number): void {
  const sorted = [...seqs].sort((a, b) => a - b);
  expect(sorted).toEqual(Array.from({ length: sorted.length }, (_, i) => i + 1));
  expect(sorted.length).toBeGreaterThanOrEqual(acknowledged);
}

const isPushed = (line: Record<string, unknown>) => line.message === "pushed" && (line.samples as number) > 0;

describe.skipIf(!netns.ok)("e2e: an agent whose spool is lost starts its seqs again and is still judged (network namespaces)", () => {
  let tslcd: TestLink;
  let inet: TestLink;
  let files: E2eFiles;
  let collector: DaemonProcess;
  let agent: DaemonProcess;
  let feed: LiveFeed;

  beforeAll(async () => {
    tslcd = await createTestLink({ name: "seq-a", subnetIndex: SUBNETS.tslcd });
    inet = await createTestLink({ name: "seq-b", subnetIndex: SUBNETS.inet });
    files = await writeE2eFiles({
      site: SITE,
      links: [
        { id: "tslcd", bind: `interface: ${tslcd.hostInterface}`, target: tslcd.peerAddress },
        { id: "inet", bind: `interface: ${inet.hostInterface}`, target: inet.peerAddress },
      ],
      roundInterval: "1s",
      pushInterval: "1s",
    });
    collector = runWardwatch(["collector", "--config", files.collectorFile]);
    await collector.waitForLog((l) => l.message === "collector listening");
    feed = await openLiveFeed(`http://127.0.0.1:${files.port}`, files.apiAuth);
  });

  afterAll(async () => {
    feed?.close();
    for (const proc of [agent, collector]) {
      proc?.kill("SIGKILL");
      await proc?.exited;
    }
    await Promise.all([tslcd && destroyTestLink(tslcd), inet && destroyTestLink(inet)]);
    files?.remove();
  });

  it("spool deleted between two runs: the new run's samples are stored and judged, the cut link goes down and an incident opens, nothing lost or doubled", async () => {
    agent = runWardwatch(["agent", "--config", files.agentFile]);
    await feed.waitForSite(SITE, (s) => s.state === "up");
    // Long enough that the new run's link goes down while its seqs are still below the first run's.
    await agent.waitForLog((l) => isPushed(l) && (l.lastSeq as number) >= 30);
    agent.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    const firstRun = spoolStats(files);
    const restartedAt = Date.now();
    rmSync(files.spoolDir, { recursive: true, force: true });

    agent = runWardwatch(["agent", "--config", files.agentFile]);
    // The new spool starts at seq 1 again; before the fix these were answered 409 "replay" and never judged.
    await agent.waitForLog((l) => isPushed(l) && (l.lastSeq as number) >= 2);
    await tslcd.down();
    const site = await feed.waitForSite(SITE, (s) => s.links[0]!.state === "down");
    expect(site.state).toBe("degraded");
    // Judged from samples whose seqs the first run had already used (down since its first failed round).
    const upToDown = storedSamples(files).filter((s) => s.agentTs >= restartedAt && s.agentTs <= site.links[0]!.sinceTs!);
    expect(upToDown.length).toBeGreaterThan(0);
    expect(Math.max(...upToDown.map((s) => s.seq))).toBeLessThan(firstRun.lastSeq);
    const incident = await feed.waitForIncident((i) => i.kind === "link" && i.link === "tslcd" && i.state === "open");
    expect(incident.sites.map((s) => s.site)).toEqual([SITE]);

    const pushedAfterDown = agent.logs.length;
    await agent.waitForLog((l) => isPushed(l) && l.pending === 0 && agent.logs.indexOf(l) >= pushedAfterDown);
    agent.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    const secondRun = spoolStats(files);

    const stored = storedSamples(files);
    // The first run's samples were measured before the restart, the second run's after; each run's seqs 1..K once.
    const before = stored.filter((s) => s.agentTs < restartedAt).map((s) => s.seq);
    const after = stored.filter((s) => s.agentTs >= restartedAt).map((s) => s.seq);
    expectContiguousOnce(before, firstRun.ackedSeq);
    expectContiguousOnce(after, secondRun.ackedSeq);
    expect(before.length).toBeLessThanOrEqual(firstRun.lastSeq);
    expect(after.length).toBeLessThanOrEqual(secondRun.lastSeq);
    expect(stored.length).toBe(before.length + after.length);
  });
});
