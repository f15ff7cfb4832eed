import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebhookBody } from "../../collector/alerts/channels/webhook.js";
import type { Incident } from "../../protocol/incident.js";
import { canUseNetns } from "../helpers/netns.js";
import { createSiteTopology, type SiteTopology } from "../helpers/siteTopology.js";
import { runWardwatch, type DaemonProcess } from "../helpers/processes.js";
import { freePort } from "../helpers/e2eSetup.js";
import { openLiveFeed, type LiveFeed } from "../helpers/liveFeed.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhookReceiver.js";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtpServer.js";
import { addProvinceApiToken, addSiteToken, alertingCollectorYaml, listIncidents, quietFor, waitFor, webhookBodies } from "../helpers/alertingE2e.js";

const SITE = "tan-phong";
/** This file's subnets: 10.199.140 (collector), .141 (tslcd), .142 (inet). */
const SUBNET_BASE = 140;
const ROUND_MS = 1000;
const PUSH_MS = 1000;
/** The collector calls the site silent after this many push intervals without a push. */
const SILENT_AFTER_PUSHES = 3;
/**
 * Long enough to absorb a stale link incident: the agent back from silence may still judge one link down for up to
 * `recover_after` rounds (its snapshot is adopted as is), which opens a link incident that closes within ~3 s.
 */
const GROUP_WAIT_MS = 5000;
/** How long each outage lasts: many push intervals, so the agent's spool holds a real backlog. */
const OUTAGE_MS = 15_000;
/** Small batches, so the backlog takes several pushes and the collector really waits for the backfill. */
const BATCH_SIZE = 8;
const SECRETS = { vnpt: "vnpt-silent-secret", viettel: "viettel-silent-secret", province: "province-silent-secret" };
const WARD_MAIL = "cntt.tanphong@tinh.example";

const netns = await canUseNetns();
if (!netns.ok) console.warn(`skipping e2e silent site test: ${netns.reason}`);

type LogLine = Record<string, unknown>;

/** The agent inside the site namespace: both links bound to their site ends, probing the root ends. */
function siteAgentYaml(site: SiteTopology, options: { port: number; tokenFile: string; spoolDir: string }): string {
  const link = (id: "tslcd" | "inet", kind: string, provider: string) => {
    const { siteInterface, rootAddress } = site.links[id];
    return `  - id: ${id}
    kind: ${kind}
    provider: ${provider}
    interface: ${siteInterface}
    probes: [ { kind: icmp, target: ${rootAddress}, interval: ${ROUND_MS}ms, count: 3, packet_interval: 50ms, timeout: 300ms } ]`;
  };
  return `site: ${SITE}
collector: { urls: ["http://${site.collectorAddress}:${options.port}"], token_file: ${JSON.stringify(options.tokenFile)}, push_interval: ${PUSH_MS}ms, batch_size: ${BATCH_SIZE}, max_backoff: 2s, request_timeout: 1s }
spool_dir: ${JSON.stringify(options.spoolDir)}
log: { level: debug }
links:
${link("tslcd", "dedicated", "VNPT")}
${link("inet", "internet", "Viettel")}
`;
}

const reportsOf = (bodies: WebhookBody[], incidentId: number) => bodies.filter((b) => b.incident.id === incidentId && b.message === "report");
const recoveriesOf = (bodies: WebhookBody[], incidentId: number) => bodies.filter((b) => b.incident.id === incidentId && b.message === "recovery");

describe.skipIf(!netns.ok)("e2e: silent site (site namespace, both links cut; agent stopped)", () => {
  let site: SiteTopology;
  let dir: string;
  let agentFile: string;
  let collector: DaemonProcess;
  let agent: DaemonProcess;
  let feed: LiveFeed;
  let baseUrl: string;
  /** A province API token's header (made with `wardwatch api-token add`). */
  let apiAuth: { Authorization: string };
  let vnpt: WebhookReceiver;
  let viettel: WebhookReceiver;
  let province: WebhookReceiver;
  let smtp: TestSmtpServer;
  /** Measured figures, printed at the end for the report. */
  const measured: Record<string, unknown> = {};
  const startAgent = (): DaemonProcess => runWardwatch(["agent", "--config", agentFile], {}, { netns: site.ns });
  const vendorRequests = () => vnpt.requests.length + viettel.requests.length;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ww-silent-site-"));
    [vnpt, viettel, province, smtp] = await Promise.all([
      startWebhookReceiver({ secret: SECRETS.vnpt }),
      startWebhookReceiver({ secret: SECRETS.viettel }),
      startWebhookReceiver({ secret: SECRETS.province }),
      startSmtpServer(),
    ]);
    site = await createSiteTopology({ subnetBase: SUBNET_BASE });
    const port = await freePort();
    // The collector listens on the topology's address only: the site reaches it over its two links or not at all.
    baseUrl = `http://${site.collectorAddress}:${port}`;
    const collectorFile = join(dir, "collector.yaml");
    writeFileSync(
      collectorFile,
      alertingCollectorYaml({
        listen: `${site.collectorAddress}:${port}`,
        dataDir: join(dir, "data"),
        extra: `silent_after_pushes: ${SILENT_AFTER_PUSHES}`,
        receivers: [
          { id: "vnpt-noc", name: "VNPT NOC", webhook: { url: vnpt.url, secretEnv: "WW_E2E_VNPT_SECRET" } },
          { id: "viettel-noc", name: "Viettel NOC", webhook: { url: viettel.url, secretEnv: "WW_E2E_VIETTEL_SECRET" } },
          { id: "province-ict", name: "Tổ giám sát", webhook: { url: province.url, secretEnv: "WW_E2E_PROVINCE_SECRET" } },
          { id: "ward-tan-phong", name: "CNTT Tân Phong", email: [WARD_MAIL] },
        ],
        notify: { vnpt: ["vnpt-noc"], viettel: ["viettel-noc"] },
        smtpPort: smtp.port,
        alerting: `{ province_receivers: [province-ict], group_wait: ${GROUP_WAIT_MS}ms }`,
        sites: [{ id: SITE, name: "Phường Tân Phong", contacts: ["ward-tan-phong"] }],
      }),
    );
    const tokenFile = join(dir, "agent.token");
    await addSiteToken(collectorFile, SITE, tokenFile);
    apiAuth = await addProvinceApiToken(collectorFile);
    agentFile = join(dir, "agent.yaml");
    writeFileSync(agentFile, siteAgentYaml(site, { port, tokenFile, spoolDir: join(dir, "spool") }));
    collector = runWardwatch(["collector", "--config", collectorFile], {
      WW_E2E_VNPT_SECRET: SECRETS.vnpt,
      WW_E2E_VIETTEL_SECRET: SECRETS.viettel,
      WW_E2E_PROVINCE_SECRET: SECRETS.province,
    });
    await collector.waitForLog((l) => l.message === "collector listening");
    feed = await openLiveFeed(baseUrl, apiAuth);
    agent = startAgent();
  });

  afterAll(async () => {
    console.info(`silentSite measured: ${JSON.stringify(measured)}`);
    // WW_E2E_LOGS=1 prints the collector's own account (link states, incidents, deliveries) after the run.
    if (process.env.WW_E2E_LOGS) console.info(JSON.stringify(feed?.latest.get(SITE)), collector?.logs.filter((l) => l.level !== "debug").slice(-40).map((l) => JSON.stringify(l)).join("\n"));
    feed?.close();
    for (const proc of [agent, collector]) {
      proc?.kill("SIGKILL");
      await proc?.exited;
    }
    await site?.destroy();
    await Promise.all([vnpt?.close(), viettel?.close(), province?.close(), smtp?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("both links up: the site is up and nothing is reported", async () => {
    const status = await feed.waitForSite(SITE, (s) => s.state === "up" && s.links.every((l) => l.state === "up"), 20_000);
    expect(status.links.map((l) => l.id)).toEqual(["tslcd", "inet"]);
    expect(await listIncidents(baseUrl, apiAuth)).toEqual([]);
  });

  let linkOutage: Incident;
  let cutAt = 0;
  let restoreAt = 0;

  it("both links cut: the site goes silent, one site incident; province and ward told, no vendor", async () => {
    const logIndex = agent.logs.length;
    cutAt = Date.now();
    await Promise.all([site.links.tslcd.down(), site.links.inet.down()]);

    linkOutage = await feed.waitForIncident((i) => i.kind === "site" && i.state === "open", 15_000);
    measured.msCutToSiteIncident = Date.now() - cutAt;
    expect(linkOutage).toMatchObject({ cause: "agent_silent", severity: "critical", provider: null, sites: [{ site: SITE }] });
    // The fault began at the last push the collector got, which was before the cut.
    expect(linkOutage.timeline.startTs).toBeLessThanOrEqual(cutAt + 100);
    expect(linkOutage.timeline.startTs).toBeGreaterThan(cutAt - 2 * PUSH_MS - 500);

    const provinceReport = await waitFor(() => reportsOf(webhookBodies(province), linkOutage.id)[0], 10_000, "the province's report");
    expect(provinceReport.incident).toMatchObject({ kind: "site", cause: "agent_silent", state: "open" });
    const wardMail = await waitFor(() => smtp.messages.find((m) => m.to.includes(WARD_MAIL)), 10_000, "the ward's e-mail");
    expect(wardMail.subject).toContain(linkOutage.number);

    // The agent keeps measuring with nowhere to send: its own view has both links down, its pushes fail, the
    // spool grows. The outage lasts many push intervals; all that time no vendor hears anything.
    await agent.waitForLog((l) => l.message === "state changed" && l.monitor === "tslcd" && l.to === "down" && agent.logs.indexOf(l) >= logIndex, 10_000);
    await agent.waitForLog((l) => l.message === "state changed" && l.monitor === "inet" && l.to === "down" && agent.logs.indexOf(l) >= logIndex, 10_000);
    await quietFor(Math.max(0, cutAt + OUTAGE_MS - Date.now()));
    const failures = agent.logs.slice(logIndex).filter((l: LogLine) => l.message === "push failed");
    measured.pushFailuresDuringOutage = failures.length;
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(vendorRequests()).toBe(0);
    expect((await listIncidents(baseUrl, apiAuth, { state: "open" })).map((i) => [i.id, i.cause])).toEqual([[linkOutage.id, "agent_silent"]]);
  });

  it("links back: the backfill comes in, classified links_down_while_silent, the vendors get the closed outage", async () => {
    const logIndex = agent.logs.length;
    restoreAt = Date.now();
    await Promise.all([site.links.tslcd.up(), site.links.inet.up()]);
    const caughtUp = await agent.waitForLog((l) => l.message === "pushed" && l.pending === 0 && agent.logs.indexOf(l) >= logIndex, 20_000);
    const drain = agent.logs.slice(logIndex, agent.logs.indexOf(caughtUp) + 1).filter((l) => l.message === "pushed");
    measured.backlogRecords = drain.reduce((n, l) => n + (l.samples as number), 0);
    measured.backfillPushes = drain.length;
    expect(drain.length).toBeGreaterThanOrEqual(2);

    const closed = await feed.waitForIncident((i) => i.id === linkOutage.id && i.state === "closed", 20_000);
    measured.msRestoreToClassified = Date.now() - restoreAt;
    expect(closed).toMatchObject({ kind: "site", cause: "links_down_while_silent" });
    expect([...closed.sites[0]!.links].sort()).toEqual(["inet", "tslcd"]);
    // The measured times: from the last push before the cut to the first good round after the links came back.
    expect(closed.timeline.startTs).toBe(linkOutage.timeline.startTs);
    expect(closed.timeline.restoredTs).not.toBeNull();
    expect(closed.timeline.restoredTs!).toBeGreaterThanOrEqual(restoreAt - ROUND_MS);
    expect(closed.timeline.restoredTs!).toBeLessThanOrEqual(closed.timeline.endTs!);
    measured.measuredOutageMs = closed.timeline.restoredTs! - closed.timeline.startTs;
    measured.cutToRestoreMs = restoreAt - cutAt;

    // Each vendor (both links failed: VNPT's and Viettel's) gets one report, of the closed outage, with its times.
    for (const [name, receiver] of [["VNPT", vnpt], ["Viettel", viettel]] as const) {
      const report = await waitFor(() => reportsOf(webhookBodies(receiver), linkOutage.id)[0], 10_000, `the ${name} report`);
      expect(report.incident).toMatchObject({ kind: "site", cause: "links_down_while_silent", state: "closed" });
      expect(report.incident.timeline.startTs).toBe(closed.timeline.startTs);
      expect(report.incident.timeline.restoredTs).toBe(closed.timeline.restoredTs);
      expect(report.incident.timeline.endTs).toBe(closed.timeline.endTs);
      expect(report.incident.evidence.join("\n")).toContain("Trạm vẫn đo trong thời gian mất liên lạc");
      expect(report.ackUrl).toBeNull();
    }
    // Province and ward, told while it was open, get the recovery.
    await waitFor(() => recoveriesOf(webhookBodies(province), linkOutage.id)[0], 10_000, "the province's recovery notice");
    await waitFor(() => (smtp.messages.filter((m) => m.to.includes(WARD_MAIL)).length >= 2 ? true : undefined), 10_000, "the ward's recovery e-mail");

    await quietFor(GROUP_WAIT_MS + 1000);
    expect(webhookBodies(vnpt).map((b) => [b.incident.id, b.message])).toEqual([[linkOutage.id, "report"]]);
    expect(webhookBodies(viettel).map((b) => [b.incident.id, b.message])).toEqual([[linkOutage.id, "report"]]);
    expect(webhookBodies(province).map((b) => [b.incident.id, b.message])).toEqual([
      [linkOutage.id, "report"],
      [linkOutage.id, "recovery"],
    ]);
    // A link the agent still judged down when it came back may have had a short link incident of its own (see
    // GROUP_WAIT_MS): it closed within the group wait, so nobody heard of it.
    const linkIncidents = await listIncidents(baseUrl, apiAuth, { kind: "link" });
    measured.linkIncidentsAfterRestore = linkIncidents.map((i) => ({ link: i.link, openForMs: (i.timeline.endTs ?? Date.now()) - i.timeline.detectedTs }));
    expect(linkIncidents.map((i) => [i.state, i.deliveries.length])).toEqual(linkIncidents.map(() => ["closed", 0]));
    const stored = (await listIncidents(baseUrl, apiAuth)).find((i) => i.id === linkOutage.id)!;
    expect(stored.deliveries.filter((d) => d.ok).map((d) => `${d.receiver} ${d.message}`).sort()).toEqual(
      ["province-ict recovery", "province-ict report", "viettel-noc report", "vnpt-noc report", "ward-tan-phong recovery", "ward-tan-phong report"],
    );
  });

  it("agent killed (links fine) and restarted later: classified power_or_agent, no vendor report", async () => {
    await feed.waitForSite(SITE, (s) => s.state === "up" && s.links.every((l) => l.state === "up"), 15_000);
    expect(await listIncidents(baseUrl, apiAuth, { state: "open" })).toEqual([]);
    const vendorBefore = vendorRequests();

    const killAt = Date.now();
    agent.kill("SIGKILL");
    await agent.exited;
    const silent = await feed.waitForIncident((i) => i.kind === "site" && i.state === "open" && i.id !== linkOutage.id, 15_000);
    measured.msKillToSiteIncident = Date.now() - killAt;
    expect(silent).toMatchObject({ cause: "agent_silent", sites: [{ site: SITE }] });
    await waitFor(() => reportsOf(webhookBodies(province), silent.id)[0], 10_000, "the province's report of the silent agent");

    await quietFor(Math.max(0, killAt + OUTAGE_MS - Date.now()));
    const restartAt = Date.now();
    agent = startAgent();
    const closed = await feed.waitForIncident((i) => i.id === silent.id && i.state === "closed", 20_000);
    measured.msRestartToClassified = Date.now() - restartAt;
    expect(closed).toMatchObject({ kind: "site", cause: "power_or_agent", provider: null });
    expect(closed.evidence.join("\n")).toContain("mất điện hoặc phần mềm giám sát ngừng chạy");
    expect(closed.timeline.restoredTs!).toBeGreaterThanOrEqual(restartAt);

    await waitFor(() => recoveriesOf(webhookBodies(province), silent.id)[0], 10_000, "the province's recovery notice");
    await quietFor(GROUP_WAIT_MS + 1000);
    expect(vendorRequests()).toBe(vendorBefore);
    expect(webhookBodies(province).filter((b) => b.incident.id === silent.id).map((b) => b.message)).toEqual(["report", "recovery"]);
    expect(await listIncidents(baseUrl, apiAuth, { state: "open" })).toEqual([]);
  });
});
