import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebhookBody } from "../../collector/alerts/channels/webhook.js";
import { canUseNetns, createTestLink, destroyTestLink, type TestLink } from "../helpers/netns.js";
import { runWardwatch, type DaemonProcess } from "../helpers/processes.js";
import { agentYaml, freePort } from "../helpers/e2eSetup.js";
import { openLiveFeed, type LiveFeed } from "../helpers/liveFeed.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhookReceiver.js";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtpServer.js";
import { addProvinceApiToken, addSiteToken, alertingCollectorYaml, listIncidents, quietFor, waitFor, webhookBodies } from "../helpers/alertingE2e.js";

/** Six wards, each with a VNPT leased line (tslcd) and a Viettel Internet line (inet). */
const SITES = ["phuong-1", "phuong-2", "phuong-3", "phuong-4", "phuong-5", "phuong-6"];
/** The five whose lines are cut at once; the sixth fails after the report went out. */
const FIRST_CUT = SITES.slice(0, 5);
const LATE_SITE = SITES[5]!;
/** This file's test-link subnets: 10.199.110–115 (see netns.ts; 110–139 belong to the alerting e2e tests). */
const SUBNET_BASE = 110;
const GROUP_WAIT_MS = 5000;
const GROUP_INTERVAL_MS = 3000;
const SECRETS = { vnpt: "vnpt-e2e-secret", viettel: "viettel-e2e-secret", province: "province-e2e-secret" };

const netns = await canUseNetns();
if (!netns.ok) console.warn(`skipping e2e provider outage test: ${netns.reason}`);

const isReport = (body: WebhookBody) => body.message === "report";
const isRecovery = (body: WebhookBody) => body.message === "recovery";
const isUpdate = (body: WebhookBody) => body.message === "update";

describe.skipIf(!netns.ok)("e2e: provider outage (the same provider's leased line cut at 5 sites at once, then a sixth)", () => {
  const links: TestLink[] = [];
  const agents: DaemonProcess[] = [];
  let dir: string;
  let collector: DaemonProcess;
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
  let cutAt = 0;
  let providerIncidentId = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ww-provider-outage-"));
    [vnpt, viettel, province, smtp] = await Promise.all([
      startWebhookReceiver({ secret: SECRETS.vnpt }),
      startWebhookReceiver({ secret: SECRETS.viettel }),
      startWebhookReceiver({ secret: SECRETS.province }),
      startSmtpServer(),
    ]);
    for (const [i] of SITES.entries()) links.push(await createTestLink({ name: `po${i + 1}`, subnetIndex: SUBNET_BASE + i }));

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const collectorFile = join(dir, "collector.yaml");
    writeFileSync(
      collectorFile,
      alertingCollectorYaml({
        listen: `127.0.0.1:${port}`,
        dataDir: join(dir, "data"),
        receivers: [
          { id: "vnpt-noc", name: "VNPT NOC", webhook: { url: vnpt.url, secretEnv: "WW_E2E_VNPT_SECRET" } },
          { id: "viettel-noc", name: "Viettel NOC", webhook: { url: viettel.url, secretEnv: "WW_E2E_VIETTEL_SECRET" } },
          { id: "province-ict", name: "Tổ giám sát", webhook: { url: province.url, secretEnv: "WW_E2E_PROVINCE_SECRET" } },
          ...SITES.map((site) => ({ id: `ward-${site}`, name: `CNTT ${site}`, email: [`cntt.${site}@tinh.example`] })),
        ],
        notify: { vnpt: ["vnpt-noc"], viettel: ["viettel-noc"] },
        smtpPort: smtp.port,
        alerting: `{ province_receivers: [province-ict], group_wait: ${GROUP_WAIT_MS}ms, group_interval: ${GROUP_INTERVAL_MS}ms, provider_outage: { min_sites: 3, min_pct: 50, window: 1m } }`,
        sites: SITES.map((site, i) => ({ id: site, name: `Phường ${i + 1}`, contacts: [`ward-${site}`] })),
      }),
    );
    for (const site of SITES) await addSiteToken(collectorFile, site, join(dir, `${site}.token`));
    apiAuth = await addProvinceApiToken(collectorFile);
    collector = runWardwatch(["collector", "--config", collectorFile], {
      WW_E2E_VNPT_SECRET: SECRETS.vnpt,
      WW_E2E_VIETTEL_SECRET: SECRETS.viettel,
      WW_E2E_PROVINCE_SECRET: SECRETS.province,
    });
    await collector.waitForLog((l) => l.message === "collector listening");
    feed = await openLiveFeed(baseUrl, apiAuth);

    for (const [i, site] of SITES.entries()) {
      const agentFile = join(dir, `${site}.agent.yaml`);
      writeFileSync(
        agentFile,
        agentYaml({
          site,
          port,
          tokenFile: join(dir, `${site}.token`),
          spoolDir: join(dir, `${site}.spool`),
          links: [
            // The leased line: bound to this site's own veth, probing its far end inside the namespace.
            { id: "tslcd", bind: `interface: ${links[i]!.hostInterface}`, target: links[i]!.peerAddress },
            // The Internet line: a loopback stand-in that never fails.
            { id: "inet", bind: "source: 127.0.0.1", target: `127.0.0.${20 + i}` },
          ],
          roundInterval: "1s",
          pushInterval: "1s",
          batchSize: 500,
        }),
      );
      agents.push(runWardwatch(["agent", "--config", agentFile]));
    }
  });

  afterAll(async () => {
    console.info(`providerOutage measured: ${JSON.stringify(measured)}`);
    feed?.close();
    for (const proc of [...agents, collector]) {
      proc?.kill("SIGKILL");
      await proc?.exited;
    }
    for (const link of links) await destroyTestLink(link);
    await Promise.all([vnpt?.close(), viettel?.close(), province?.close(), smtp?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("every site is up on both links, and nothing has been reported", async () => {
    for (const site of SITES) {
      const status = await feed.waitForSite(site, (s) => s.state === "up" && s.links.every((l) => l.state === "up"), 20_000);
      expect(status.links.map((l) => l.id)).toEqual(["tslcd", "inet"]);
    }
    expect(await listIncidents(baseUrl, apiAuth)).toEqual([]);
    expect([vnpt.requests, viettel.requests, province.requests, smtp.messages].map((list) => list.length)).toEqual([0, 0, 0, 0]);
  });

  it("the 5 leased lines cut at once: one provider incident, one VNPT report listing the 5 sites", async () => {
    cutAt = Date.now();
    await Promise.all(links.slice(0, FIRST_CUT.length).map((link) => link.down()));

    // The live feed shows the provider incident, grown to all five sites.
    const live = await feed.waitForIncident((i) => i.kind === "provider" && i.sites.length === FIRST_CUT.length, 30_000);
    measured.msCutToProviderIncidentWith5Sites = Date.now() - cutAt;
    providerIncidentId = live.id;
    expect(live).toMatchObject({ cause: "provider_outage", provider: "vnpt", state: "open", severity: "critical" });

    const report = await waitFor(() => webhookBodies(vnpt).find(isReport), 30_000, "the VNPT report");
    measured.msCutToVnptReport = Date.now() - cutAt;
    expect(report.incident.id).toBe(providerIncidentId);
    expect(report.incident.kind).toBe("provider");
    expect(report.incident.cause).toBe("provider_outage");
    expect(report.incident.sites.map((s) => s.site).sort()).toEqual(FIRST_CUT);
    expect(report.incident.sites.every((s) => s.links.length === 1 && s.links[0] === "tslcd")).toBe(true);
    expect(report.sites.map((s) => s.site).sort()).toEqual(FIRST_CUT);
    // Every site with the circuit ID of its failed line, for the vendor's NOC.
    expect(report.sites.map((s) => s.circuits)).toEqual(report.sites.map((s) => [{ link: "tslcd", circuit: `TSL-${s.site}` }]));
    expect(report.ackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    measured.reportDelayAfterDetectionMs = report.sentAt - report.incident.timeline.detectedTs;
    expect(report.sentAt - report.incident.timeline.detectedTs).toBeGreaterThanOrEqual(GROUP_WAIT_MS);

    // The province is told once too; every ward is told by e-mail; Viettel (whose lines never failed) is not.
    const provinceReport = await waitFor(() => webhookBodies(province).find(isReport), 10_000, "the province report");
    expect(provinceReport.incident.id).toBe(providerIncidentId);
    const wardMails = await waitFor(() => (smtp.messages.length >= FIRST_CUT.length ? smtp.messages : undefined), 15_000, "an e-mail to every ward cut");
    expect(wardMails.flatMap((m) => m.to).sort()).toEqual(FIRST_CUT.map((site) => `cntt.${site}@tinh.example`).sort());
    expect(viettel.requests).toHaveLength(0);

    // Exactly one provider incident in the API; link incidents opened before the provider threshold was reached
    // (the first sites to go down) were merged into it and never reported to anyone.
    const incidents = await listIncidents(baseUrl, apiAuth);
    const providerIncidents = incidents.filter((i) => i.kind === "provider");
    expect(providerIncidents.map((i) => i.id)).toEqual([providerIncidentId]);
    const linkIncidents = incidents.filter((i) => i.kind === "link");
    measured.linkIncidentsMerged = linkIncidents.length;
    expect(linkIncidents.every((i) => i.state === "closed" && i.mergedInto === providerIncidentId && i.deliveries.length === 0)).toBe(true);
    expect(incidents.filter((i) => i.kind === "site")).toEqual([]);
    expect(new Set(feed.incidents.filter((i) => i.kind === "provider").map((i) => i.id))).toEqual(new Set([providerIncidentId]));
    expect(webhookBodies(vnpt).map((b) => [b.incident.kind, b.message])).toEqual([["provider", "report"]]);
  });

  it("a sixth site's line fails after the report: one update listing the 6 sites, the report to its ward", async () => {
    const report = webhookBodies(vnpt).find(isReport)!;
    const lateCutAt = Date.now();
    await links[SITES.indexOf(LATE_SITE)]!.down();

    const update = await waitFor(() => webhookBodies(vnpt).find(isUpdate), 30_000, "the VNPT update");
    measured.msLateCutToVnptUpdate = Date.now() - lateCutAt;
    expect(update.incident.id).toBe(providerIncidentId);
    expect(update.incident.sites.map((s) => s.site).sort()).toEqual(SITES);
    expect(update.sites.find((s) => s.site === LATE_SITE)?.circuits).toEqual([{ link: "tslcd", circuit: `TSL-${LATE_SITE}` }]);
    // Not sooner than one group interval after the report.
    expect(update.sentAt - report.sentAt).toBeGreaterThanOrEqual(GROUP_INTERVAL_MS);
    await waitFor(() => webhookBodies(province).find(isUpdate), 10_000, "the province update");
    // The sixth ward is told of its own outage (the report); the other wards are not told of the sixth's.
    const lateMail = await waitFor(() => smtp.messages.find((m) => m.to.includes(`cntt.${LATE_SITE}@tinh.example`)), 15_000, "the sixth ward's report");
    expect(lateMail.subject).toMatch(/Phiếu báo hỏng/);
    await quietFor(GROUP_INTERVAL_MS + 1000);
    expect(smtp.messages.map((m) => m.to.join(",")).sort()).toEqual(SITES.map((site) => `cntt.${site}@tinh.example`).sort());
    expect(webhookBodies(vnpt).map((b) => b.message)).toEqual(["report", "update"]);
    expect(webhookBodies(province).map((b) => b.message)).toEqual(["report", "update"]);
  });

  it("restored: one recovery to VNPT, and no report about a single site's line, ever", async () => {
    // Another group wait: anything still owed (a late report, a stray link incident) would have gone out by now.
    await quietFor(GROUP_WAIT_MS + 1000);
    expect(webhookBodies(vnpt).map((b) => b.message)).toEqual(["report", "update"]);

    const restoreAt = Date.now();
    await Promise.all(links.map((link) => link.up()));
    const recovery = await waitFor(() => webhookBodies(vnpt).find(isRecovery), 30_000, "the VNPT recovery notice");
    measured.msRestoreToVnptRecovery = Date.now() - restoreAt;
    expect(recovery.incident.id).toBe(providerIncidentId);
    expect(recovery.incident.state).toBe("closed");
    expect(recovery.incident.timeline.restoredTs).toBeGreaterThanOrEqual(restoreAt - 1000);
    expect(recovery.ackUrl).toBeNull();
    await waitFor(() => webhookBodies(province).find(isRecovery), 10_000, "the province recovery notice");

    // Let the restored lines run a while longer: nothing else may arrive.
    await quietFor(GROUP_WAIT_MS + 1000);
    const bodies = webhookBodies(vnpt);
    expect(bodies.map((b) => [b.incident.id, b.incident.kind, b.message])).toEqual([
      [providerIncidentId, "provider", "report"],
      [providerIncidentId, "provider", "update"],
      [providerIncidentId, "provider", "recovery"],
    ]);
    expect(webhookBodies(province).map((b) => [b.incident.id, b.message])).toEqual([
      [providerIncidentId, "report"],
      [providerIncidentId, "update"],
      [providerIncidentId, "recovery"],
    ]);
    expect(viettel.requests).toHaveLength(0);
    // Each ward: the report of its own outage and the recovery notice, nothing else.
    const mails = smtp.messages.map((m) => `${m.to.join(",")} ${m.subject.replace(/ SC-\d+:.*/, "")}`).sort();
    expect(mails).toEqual(SITES.flatMap((site) => [`cntt.${site}@tinh.example [wardwatch] Phiếu báo hỏng`, `cntt.${site}@tinh.example [wardwatch] Đã khôi phục kết nối`]).sort());

    const providerIncidents = await listIncidents(baseUrl, apiAuth, { kind: "provider" });
    expect(providerIncidents).toHaveLength(1);
    expect(providerIncidents[0]).toMatchObject({ id: providerIncidentId, state: "closed" });
    expect((await listIncidents(baseUrl, apiAuth, { state: "open" })).map((i) => [i.kind, i.summary])).toEqual([]);
    measured.incidentTimeline = providerIncidents[0]!.timeline;
    measured.outageSeconds = Math.round(((providerIncidents[0]!.timeline.restoredTs ?? 0) - providerIncidents[0]!.timeline.startTs) / 1000);
  });
});
