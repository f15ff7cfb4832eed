import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { canUseNetns, createTestLink, destroyTestLink, type TestLink } from "../helpers/netns.js";
import { runWardwatch, type DaemonProcess } from "../helpers/processes.js";
import { STORED_SAMPLES, writeE2eFiles, type E2eFiles } from "../helpers/e2eSetup.js";
import { openLiveFeed, type LiveFeed } from "../helpers/liveFeed.js";

const SITE = "tan-phong";
const netns = await canUseNetns();
if (!netns.ok) console.warn(`skipping e2e link state tests: ${netns.reason}`);

/** Rounds of `link` measured from `fromTs` up to and including `toTs` (collector time line). */
function roundsBetween(files: E2eFiles, link: string, fromTs: number, toTs: number): number {
  const db = new Database(files.samplesFile, { readonly: true });
  try {
    // One link probe: a round is one sample, at the round's start.
    const row = db.prepare(`SELECT COUNT(DISTINCT ts) AS n FROM ${STORED_SAMPLES} WHERE site = ? AND link = ? AND ts >= ? AND ts <= ?`).get(SITE, link, fromTs, toTs) as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

describe.skipIf(!netns.ok)("e2e: link and site state over real links (network namespaces)", () => {
  let tslcd: TestLink;
  let inet: TestLink;
  let files: E2eFiles;
  let collector: DaemonProcess;
  let agent: DaemonProcess;
  let feed: LiveFeed;

  beforeAll(async () => {
    tslcd = await createTestLink({ name: "e2e-a", subnetIndex: 51 });
    inet = await createTestLink({ name: "e2e-b", subnetIndex: 52 });
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
    agent = runWardwatch(["agent", "--config", files.agentFile]);
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

  it("shows both links up once the agent reports", async () => {
    const site = await feed.waitForSite(SITE, (s) => s.state === "up");
    expect(site.links.map((l) => [l.id, l.state])).toEqual([
      ["tslcd", "up"],
      ["inet", "up"],
    ]);
  });

  it("a link that stops answering goes down within 3 rounds (+1 in flight); the site is degraded; the other link stays up", async () => {
    const cutAt = Date.now();
    await tslcd.down();
    const site = await feed.waitForSite(SITE, (s) => s.links[0]!.state === "down");
    expect(site.state).toBe("degraded");
    expect(site.links[1]!.state).toBe("up");
    const downSince = site.links[0]!.sinceTs!;
    expect(roundsBetween(files, "tslcd", cutAt, downSince)).toBeLessThanOrEqual(3 + 1);
  });

  it("comes back up after the link returns", async () => {
    await tslcd.up();
    const site = await feed.waitForSite(SITE, (s) => s.links[0]!.state === "up");
    expect(site.state).toBe("up");
  });

  it("a site whose agent stops pushing goes silent", async () => {
    agent.kill("SIGKILL");
    await agent.exited;
    const site = await feed.waitForSite(SITE, (s) => s.state === "silent");
    expect(site.lastSeenTs).not.toBeNull();
  });
});
