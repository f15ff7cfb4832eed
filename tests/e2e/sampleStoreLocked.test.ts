import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSiteToken, waitFor } from "../helpers/alertingE2e.js";
import { batchOf, icmpSample } from "../helpers/batches.js";
import { collectorYaml } from "../helpers/collectorHarness.js";
import { freePort } from "../helpers/e2eSetup.js";
import { runWardwatch, type DaemonProcess } from "../helpers/processes.js";

/**
 * A locked samples.db must not stall the collector: a real collector process, its SQLite sample store locked by a
 * connection of this test (`BEGIN EXCLUSIVE` on samples.db). better-sqlite3 waits for a lock on the event loop, so a
 * probe or write that waited the ordinary busy timeout would hold every request of the process meanwhile. Everything
 * on 127.0.0.1.
 */

const SITE = "tan-phong";
/** How long the test holds the lock at most (released earlier once the requests are answered), ms. */
const LOCK_HOLD_MS = 10_000;
/** Sequential /healthz requests that must all be answered while the lock is held. */
const HEALTH_REQUESTS = 40;

describe("e2e: a locked samples.db — /healthz keeps answering, ingest is refused, and the store comes back by itself", () => {
  let dir: string;
  let baseUrl: string;
  let samplesFile: string;
  let token: string;
  let collector: DaemonProcess;
  let locker: Database.Database | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ww-e2e-samples-locked-"));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    samplesFile = join(dir, "data", "samples.db");
    const collectorFile = join(dir, "collector.yaml");
    const yaml = collectorYaml([SITE]).replace("listen: 127.0.0.1:0", `listen: 127.0.0.1:${port}`).replace("level: error", "level: info");
    writeFileSync(collectorFile, `${yaml}data_dir: ${JSON.stringify(join(dir, "data"))}\n`);
    const tokenFile = join(dir, "site.token");
    await addSiteToken(collectorFile, SITE, tokenFile);
    token = readFileSync(tokenFile, "utf8").trim();
    collector = runWardwatch(["collector", "--config", collectorFile]);
    await collector.waitForLog((l) => l.message === "collector listening");
  });

  afterAll(async () => {
    locker?.close();
    if (collector) {
      collector.kill("SIGKILL");
      await collector.exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const push = async (seqs: number[]) => {
    const response = await fetch(`${baseUrl}/api/v1/ingest`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(batchOf(SITE, seqs.map((seq) => icmpSample(seq)), { pushIntervalMs: 600_000 })),
    });
    const body = (await response.json()) as { error?: string };
    return { status: response.status, error: body.error ?? null };
  };
  const health = async () => {
    const response = await fetch(`${baseUrl}/healthz`);
    return { status: response.status, body: (await response.json()) as { status: string; role?: string; recovering?: boolean } };
  };

  it(`while samples.db is locked: ingest is 503, and ${HEALTH_REQUESTS} sequential /healthz requests are all answered (503 store_failing, role samples) before the lock is let go`, async () => {
    expect(await push([1, 2, 3])).toEqual({ status: 200, error: null });
    locker = new Database(samplesFile);
    locker.exec("BEGIN EXCLUSIVE");
    expect(await push([4, 5, 6])).toEqual({ status: 503, error: "store_unavailable" });

    let held = true;
    const release = setTimeout(() => {
      held = false;
    }, LOCK_HOLD_MS);
    const answers: Array<{ status: number; body: { status: string; role?: string }; whileHeld: boolean }> = [];
    try {
      for (let i = 0; i < HEALTH_REQUESTS && held; i++) answers.push({ ...(await health()), whileHeld: held });
    } finally {
      clearTimeout(release);
    }
    // Before the lock is let go: each answer is the breaker's, and none waited for a probe blocked on the lock.
    expect(answers.filter((a) => a.whileHeld)).toHaveLength(HEALTH_REQUESTS);
    for (const answer of answers) expect(answer).toMatchObject({ status: 503, body: { status: "store_failing", role: "samples" } });
    expect(await push([7, 8, 9])).toEqual({ status: 503, error: "store_unavailable" });
  }, 60_000);

  it("after the lock is let go, with nothing pushed, /healthz is 200 again; the refused batches are then stored once", async () => {
    expect(locker, "needs the lock of the first test").not.toBeNull();
    locker!.exec("ROLLBACK");
    locker!.close();
    locker = null;
    await collector.waitForLog((l) => l.message === "store probe succeeded: writes let through again" && l.store === "samples");
    // No push comes: a good probe with nothing waiting to be written brings the store back.
    const back = await waitFor(async () => ((await health()).status === 200 ? true : undefined), 30_000, "/healthz 200 after the lock was let go");
    expect(back).toBe(true);
    expect((await health()).body).toMatchObject({ status: "ok" });
    expect(collector.logs.some((l) => l.message === "store writable again" && l.store === "samples")).toBe(true);

    expect(await push([4, 5, 6, 7, 8, 9])).toEqual({ status: 200, error: null });
    expect(await push([4, 5, 6, 7, 8, 9])).toEqual({ status: 409, error: "replay" });
    const db = new Database(samplesFile, { readonly: true, fileMustExist: true });
    try {
      expect(db.prepare("SELECT seq FROM raw_icmp WHERE site = ? ORDER BY seq").pluck().all(SITE)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      db.close();
    }
  }, 60_000);
});
