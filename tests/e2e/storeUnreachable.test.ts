import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Spool } from "../../agent/spool/spool.js";
import { addProvinceApiToken, addSiteToken, alertingCollectorYaml, listIncidents, webhookBodies } from "../helpers/alertingE2e.js";
import { batchOf, icmpSample } from "../helpers/batches.js";
import { STORED_SAMPLES, agentYaml, freePort } from "../helpers/e2eSetup.js";
import { runWardwatch, type DaemonProcess } from "../helpers/processes.js";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtpServer.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhookReceiver.js";

/**
 * The collector's own incident end to end, with a real store failure: a real collector process, a real agent
 * (loopback ICMP probes) and batches pushed by the test for a second site; the test opens the collector's SQLite
 * file itself and holds `BEGIN EXCLUSIVE` (the database is in WAL mode: reads go on, every write waits for the busy
 * timeout and fails). Receivers are a real webhook and a real SMTP server in this process. Everything on 127.0.0.1.
 */

const AGENT_SITE = "tan-phong";
const PUSHED_SITE = "bien-hoa";
const SECRET = "store-unreachable-e2e-secret";
const PROVINCE_MAIL = "giamsat@tinh.example";
const OUTAGE_AFTER_MS = 8000;
const LOOPBACK_LINKS = [
  { id: "tslcd", bind: "source: 127.0.0.1", target: "127.0.0.1" },
  { id: "inet", bind: "source: 127.0.0.1", target: "127.0.0.2" },
];

type Line = Record<string, unknown>;
const isPushed = (line: Line) => line.message === "pushed" && (line.samples as number) > 0;

describe("e2e: store unreachable — a locked SQLite file makes a `collector` incident, reported once, then recovered", () => {
  let dir: string;
  let baseUrl: string;
  /** A province API token's header (made with `wardwatch api-token add`). */
  let apiAuth: { Authorization: string };
  let dbFile: string;
  let spoolDir: string;
  let webhook: WebhookReceiver;
  let smtp: TestSmtpServer;
  let collector: DaemonProcess;
  let agent: DaemonProcess;
  let pushedToken: string;
  let locker: Database.Database | null = null;
  /** The stored incident's start and restoration (UTC ms), for the last test. */
  let outage: { startTs: number; restoredTs: number } | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ww-e2e-store-"));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    dbFile = join(dir, "data", "wardwatch.db");
    spoolDir = join(dir, "spool");
    webhook = await startWebhookReceiver({ secret: SECRET });
    smtp = await startSmtpServer();
    const collectorFile = join(dir, "collector.yaml");
    writeFileSync(
      collectorFile,
      alertingCollectorYaml({
        listen: `127.0.0.1:${port}`,
        dataDir: join(dir, "data"),
        receivers: [{ id: "province-ict", name: "Tổ giám sát", webhook: { url: webhook.url, secretEnv: "WW_E2E_PROVINCE_SECRET" }, email: [PROVINCE_MAIL] }],
        notify: { vnpt: [], viettel: [] },
        smtpPort: smtp.port,
        alerting: `{ province_receivers: [province-ict], group_wait: 0s, store_unreachable_after: ${OUTAGE_AFTER_MS}ms, retry: { attempts: 3, first_delay: 200ms, max_delay: 1s } }`,
        sites: [
          { id: AGENT_SITE, name: "Phường Tân Phong", contacts: [] },
          { id: PUSHED_SITE, name: "Phường Biên Hòa", contacts: [] },
        ],
      }),
    );
    const agentToken = join(dir, "agent.token");
    const pushedTokenFile = join(dir, "pushed.token");
    await addSiteToken(collectorFile, AGENT_SITE, agentToken);
    await addSiteToken(collectorFile, PUSHED_SITE, pushedTokenFile);
    apiAuth = await addProvinceApiToken(collectorFile);
    pushedToken = readFileSync(pushedTokenFile, "utf8").trim();
    const agentFile = join(dir, "agent.yaml");
    // Push every 2 s: silent after 6 s. Refused pushes (Retry-After 5 s, capped by max_backoff 2 s) keep it heard from.
    writeFileSync(agentFile, agentYaml({ site: AGENT_SITE, port, tokenFile: agentToken, spoolDir, links: LOOPBACK_LINKS, roundInterval: "1s", pushInterval: "2s", batchSize: 5 }));

    collector = runWardwatch(["collector", "--config", collectorFile], { WW_E2E_PROVINCE_SECRET: SECRET });
    await collector.waitForLog((l) => l.message === "collector listening");
    agent = runWardwatch(["agent", "--config", agentFile]);
    await agent.waitForLog(isPushed);
  });

  afterAll(async () => {
    locker?.close();
    for (const proc of [agent, collector]) {
      if (!proc) continue;
      proc.kill("SIGKILL");
      await proc.exited;
    }
    await webhook?.close();
    await smtp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Where the pushed samples' times start: a resend of a seq is the same measurement (a sample's identity is its time). */
  const pushedTsBase = Date.now() - 60_000;
  /** POSTs the test site's batch of `seqs`; answers status, Retry-After and the error code. */
  const push = async (seqs: number[]) => {
    const response = await fetch(`${baseUrl}/api/v1/ingest`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${pushedToken}` },
      body: JSON.stringify(batchOf(PUSHED_SITE, seqs.map((seq) => icmpSample(seq, { ts: pushedTsBase + seq * 10 })), { pushIntervalMs: 600_000 })),
    });
    const body = (await response.json()) as { error?: string };
    return { status: response.status, retryAfter: response.headers.get("retry-after"), error: body.error ?? null };
  };
  const collectorReports = () => webhookBodies(webhook).filter((b) => b.incident.kind === "collector");
  const delivered = (notification: string, channel: string) => (l: Line) => l.message === "notification delivered" && l.notification === notification && l.channel === channel;

  /** The test's first push after the lock was taken (200: stored before the breaker opened; 503: refused). */
  let first: { status: number } = { status: 0 };

  it("while the store is locked: ingest is refused with 503 + Retry-After, and after store_unreachable_after the province gets one report", async () => {
    expect(await push([1, 2, 3])).toEqual({ status: 200, retryAfter: null, error: null });
    locker = new Database(dbFile);
    locker.exec("BEGIN EXCLUSIVE");

    // Samples go to the sample store (samples.db, not locked): the first batch to meet the lock is stored and
    // acknowledged if the agent's push did not meet it first; saving the site's contact then fails and opens the
    // metadata store's breaker. From then on every batch is refused.
    first = await push([4, 5, 6]);
    expect([200, 503]).toContain(first.status);
    const failing = await collector.waitForLog((l) => l.message === "store failing: writes refused until a probe succeeds");
    expect(failing.error).toBe("SQLITE_BUSY: database is locked");
    expect(await push([7, 8, 9])).toEqual({ status: 503, retryAfter: "5", error: "store_unavailable" });
    await agent.waitForLog((l) => l.message === "push failed" && l.status === 503 && String(l.reason).startsWith("store_unavailable"));

    const opened = await collector.waitForLog((l) => l.message === "incident opened" && l.key === "collector:store", OUTAGE_AFTER_MS + 10_000);
    await collector.waitForLog(delivered("report", "webhook"));
    await collector.waitForLog(delivered("report", "email"));
    // In the order of the collector's own log: the store failed, the outage incident opened, then it was reported.
    const at = (predicate: (l: Line) => boolean) => collector.logs.findIndex(predicate);
    expect(at((l) => l.message === "store failing: writes refused until a probe succeeds")).toBeLessThan(at((l) => l === opened));
    expect(at((l) => l === opened)).toBeLessThan(at(delivered("report", "webhook")));
    const [report, ...more] = collectorReports();
    expect(more).toEqual([]);
    expect(report).toMatchObject({ message: "report", idempotencyKey: `${opened.id}:province-ict:report:1`, incident: { id: opened.id, number: opened.number, kind: "collector", cause: "store_unreachable", severity: "critical", state: "open", sites: [] } });
    // Not sent before the store had failed for store_unreachable_after (however slow this machine is).
    expect(report!.incident.timeline.detectedTs - report!.incident.timeline.startTs).toBeGreaterThanOrEqual(OUTAGE_AFTER_MS);
    expect(report!.sentAt - report!.incident.timeline.startTs).toBeGreaterThanOrEqual(OUTAGE_AFTER_MS);

    // The collector still answers reads and says what is wrong.
    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "store_failing", role: "metadata", store: "sqlite", error: "SQLITE_BUSY: database is locked", incident: true });
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^wardwatch_store_up 0$/m);
    expect(metrics).toMatch(/^wardwatch_incidents_open\{kind="collector"\} 1$/m);
    expect((await listIncidents(baseUrl, apiAuth, { kind: "collector" })).map((i) => [i.id, i.state])).toEqual([[opened.id, "open"]]);
  }, 60_000);

  it("after the lock is released: the store is written again, the incident is stored with its timeline and the recovery notice is sent", async () => {
    expect(locker, "needs the outage of the first test").not.toBeNull();
    locker!.exec("ROLLBACK");
    locker!.close();
    locker = null;
    await collector.waitForLog((l) => l.message === "store writable again" && l.outage === true);
    await collector.waitForLog(delivered("recovery", "webhook"));
    await collector.waitForLog(delivered("recovery", "email"));

    // The test's refused batches, sent again as an agent does, are stored.
    expect((await push([4, 5, 6])).status).toBe(first.status === 200 ? 409 : 200);
    expect(await push([7, 8, 9])).toMatchObject({ status: 200 });
    expect(await push([7, 8, 9])).toMatchObject({ status: 409, error: "replay" });

    const reports = collectorReports();
    expect(reports.map((b) => b.message)).toEqual(["report", "recovery"]);
    const id = reports[0]!.incident.id;
    expect(reports[1]).toMatchObject({ idempotencyKey: `${id}:province-ict:recovery:1`, incident: { id, state: "closed" } });

    const [stored, ...others] = await listIncidents(baseUrl, apiAuth);
    expect(others, "no site went silent: refused pushes still count as contact").toEqual([]);
    expect(stored).toMatchObject({ id, number: reports[0]!.incident.number, kind: "collector", cause: "store_unreachable", state: "closed", mergedInto: null });
    const { startTs, detectedTs, notifiedTs, restoredTs, endTs } = stored!.timeline;
    expect(startTs).toBe(reports[0]!.incident.timeline.startTs);
    expect(detectedTs).toBe(reports[0]!.incident.timeline.detectedTs);
    expect(detectedTs - startTs).toBeGreaterThanOrEqual(OUTAGE_AFTER_MS);
    expect(notifiedTs).toBeGreaterThanOrEqual(detectedTs);
    expect(restoredTs).toBeGreaterThan(notifiedTs!);
    expect(endTs).toBeGreaterThanOrEqual(restoredTs!);
    outage = { startTs, restoredTs: restoredTs! };
    expect(stored!.deliveries.filter((d) => d.ok).map((d) => `${d.channel} ${d.message}`).sort()).toEqual(["email recovery", "email report", "webhook recovery", "webhook report"]);

    const mails = smtp.messages.filter((m) => m.to.includes(PROVINCE_MAIL));
    expect(mails.map((m) => m.headers["x-wardwatch-incident"])).toEqual([stored!.number, stored!.number]);
    expect(mails[0]!.subject).toContain(`Sự cố máy chủ giám sát ${stored!.number}: Máy chủ giám sát không ghi được dữ liệu vào kho lưu trữ (SQLite)`);
    expect(mails[1]!.subject).toContain(`${stored!.number}`);
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^wardwatch_store_up 1$/m);
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
  }, 60_000);

  it("nothing pushed during the outage is lost or doubled: the agent's samples and the test's batches are all stored once", async () => {
    expect(outage, "needs the stored incident of the second test").not.toBeNull();
    await agent.waitForLog((l) => l.message === "collector reachable again");
    const caughtUp = agent.logs.length;
    await agent.waitForLog((l) => isPushed(l) && l.pending === 0 && agent.logs.indexOf(l) >= caughtUp);
    agent.kill("SIGTERM");
    expect(await agent.exited).toBe(0);

    // The samples are in the sample store (samples.db), beside the locked metadata store.
    const db = new Database(join(dir, "data", "samples.db"), { readonly: true, fileMustExist: true });
    const seqs = (site: string) => (db.prepare(`SELECT seq FROM ${STORED_SAMPLES} WHERE site = ? ORDER BY seq`).all(site) as Array<{ seq: number }>).map((r) => r.seq);
    const agentSeqs = seqs(AGENT_SITE);
    const pushedSeqs = seqs(PUSHED_SITE);
    const linksMeasuredDuringOutage = (
      db.prepare(`SELECT DISTINCT link FROM ${STORED_SAMPLES} WHERE site = ? AND role = 'link' AND ts >= ? AND ts <= ? ORDER BY link`).all(AGENT_SITE, outage!.startTs, outage!.restoredTs) as Array<{ link: string }>
    ).map((r) => r.link);
    db.close();
    const spool = Spool.open({ dir: spoolDir, maxBytes: 64 * 1024 * 1024, segmentBytes: 1024 * 1024 });
    const { ackedSeq, lastSeq, droppedRecords } = spool.stats();
    spool.close();

    expect(pushedSeqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Contiguous 1..K (nothing lost in between, nothing twice), K at least what the agent saw acknowledged.
    expect(droppedRecords).toBe(0);
    expect(agentSeqs[0]).toBe(1);
    expect(agentSeqs.at(-1)).toBe(agentSeqs.length);
    expect(agentSeqs.length).toBeGreaterThanOrEqual(ackedSeq);
    expect(agentSeqs.length).toBeLessThanOrEqual(lastSeq);
    // What the agent measured while every push was refused reached the store afterwards: both links' rounds are there,
    // and (above) nothing is missing between the first seq and the last.
    expect(linksMeasuredDuringOutage).toEqual(["inet", "tslcd"]);
  }, 60_000);
});
