import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebhookBody } from "../../collector/alerts/channels/webhook.js";
import type { CapturedMail } from "../helpers/smtpServer.js";
import { canUseNetns } from "../helpers/netns.js";
import {
  MAIL,
  SITE,
  SITE_NAME,
  TSLCD_CIRCUIT,
  VNPT_RECEIVER_NAME,
  signedBodies,
  startIncidentScenario,
  vietnamTime,
  waitUntil,
  type IncidentScenario,
} from "../helpers/incidentScenario.js";

/** This file's test-link subnets: 10.199.100 (tslcd) and 10.199.101 (inet). */
const SUBNETS = { tslcd: 100, inet: 101 };
/** The probe round interval of the issue: a report must reach the vendor within 60 s of the cut at 10 s rounds. */
const ROUND_MS = 10_000;
const GROUP_WAIT_MS = 5000;
const REPORT_DEADLINE_MS = 60_000;
/** The dispatcher runs once a second: waiting this long after an event lets one more tick pass. */
const ONE_TICK_MS = 1500;
/** A signed acknowledgement link as it appears in messages: base URL, /ack/, payload "." 43-character signature. */
const ACK_LINK = /http:\/\/127\.0\.0\.1:\d+\/ack\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}/;

const netns = await canUseNetns();
if (!netns.ok) console.warn(`skipping e2e incident tests: ${netns.reason}`);

const isReport = (body: WebhookBody) => body.message === "report";
const isRecovery = (body: WebhookBody) => body.message === "recovery";
const isFaultReportMail = (mail: CapturedMail) => mail.subject.includes("Phiếu báo hỏng");
const isRecoveryMail = (mail: CapturedMail) => mail.subject.includes("Đã khôi phục kết nối");

/** `token` with one character of its signature part changed (still well-formed base64url of the right length). */
function tamperSignature(ackUrl: string): string {
  const [base, token] = ackUrl.split("/ack/") as [string, string];
  const [payload, signature] = token.split(".") as [string, string];
  const i = 10;
  const changed = signature[i] === "A" ? "B" : "A";
  return `${base}/ack/${payload}.${signature.slice(0, i)}${changed}${signature.slice(i + 1)}`;
}

describe.skipIf(!netns.ok)("e2e: incidents — one site's TSLCD cut at 10 s rounds (real collector, agent, links, SMTP and webhooks)", () => {
  let scenario: IncidentScenario;
  let cutAt = 0;
  let incidentId = 0;
  let vnptAckUrl = "";
  /** Measured figures, printed at the end for the report. */
  const measured: Record<string, number> = {};

  beforeAll(async () => {
    scenario = await startIncidentScenario({ name: "inc", subnets: SUBNETS, roundInterval: `${ROUND_MS / 1000}s`, groupWait: `${GROUP_WAIT_MS / 1000}s` });
  });

  afterAll(async () => {
    console.info(`incidents e2e measured (ms): ${JSON.stringify(measured)}`);
    await scenario?.close();
  });

  it("both links come up; nothing is sent while all is well", async () => {
    const site = await scenario.feed.waitForSite(SITE, (s) => s.state === "up" && s.links.every((l) => l.state === "up"), 3 * ROUND_MS + 10_000);
    expect(site.links.map((l) => l.id)).toEqual(["tslcd", "inet"]);
    expect(await scenario.incidents()).toEqual([]);
    expect([scenario.vnptWebhook.requests.length, scenario.provinceWebhook.requests.length, scenario.smtp.messages.length]).toEqual([0, 0, 0]);
  }, 60_000);

  it(`the cut: within ${REPORT_DEADLINE_MS / 1000} s the vendor gets one report by webhook and one by e-mail, the ward one notice, the province one report`, async () => {
    const { vnptWebhook, provinceWebhook } = scenario;
    cutAt = Date.now();
    await scenario.tslcd.down();

    const live = await scenario.feed.waitForIncident((i) => i.kind === "link" && i.link === "tslcd" && i.state === "open", REPORT_DEADLINE_MS);
    measured.cutToIncidentOpened = Date.now() - cutAt;
    incidentId = live.id;
    expect(live).toMatchObject({ cause: "link_down", provider: "vnpt", circuit: TSLCD_CIRCUIT, sites: [{ site: SITE, siteName: SITE_NAME, links: ["tslcd"] }] });

    const arrival = async <T>(name: string, read: () => T | undefined): Promise<T> => {
      const found = await waitUntil(read, cutAt + REPORT_DEADLINE_MS + 10_000 - Date.now(), name);
      measured[name] = Date.now() - cutAt;
      return found;
    };
    const [vnptReport, vnptMail, wardMail, provinceReport] = await Promise.all([
      arrival("cutToVendorWebhookReport", () => signedBodies(vnptWebhook.requests).find(isReport)),
      arrival("cutToVendorMailReport", () => scenario.mailsTo(MAIL.vnpt).find(isFaultReportMail)),
      arrival("cutToWardMailReport", () => scenario.mailsTo(MAIL.ward).find(isFaultReportMail)),
      arrival("cutToProvinceWebhookReport", () => signedBodies(provinceWebhook.requests).find(isReport)),
    ]);
    measured.cutToVendorWebhookSentAt = vnptReport.sentAt - cutAt;
    for (const name of ["cutToVendorWebhookReport", "cutToVendorMailReport", "cutToWardMailReport", "cutToProvinceWebhookReport"]) {
      expect(measured[name], name).toBeLessThanOrEqual(REPORT_DEADLINE_MS);
    }

    const incident = await scenario.incident(incidentId);
    measured.cutToIncidentStartTs = incident.timeline.startTs - cutAt;
    measured.detectedToVendorWebhookSentAt = vnptReport.sentAt - incident.timeline.detectedTs;
    // The group wait holds the report back, so that a wider cause could still absorb this incident.
    expect(vnptReport.sentAt - incident.timeline.detectedTs).toBeGreaterThanOrEqual(GROUP_WAIT_MS);

    // The vendor's webhook: signed, the report of this incident, with its acknowledgement link.
    expect(vnptWebhook.requests[0]!.signatureValid).toBe(true);
    expect(vnptWebhook.requests[0]!.headers["idempotency-key"]).toBe(`${incidentId}:vnpt-noc:report:1`);
    expect(vnptReport.incident).toMatchObject({ id: incidentId, kind: "link", link: "tslcd", circuit: TSLCD_CIRCUIT, state: "open" });
    expect(vnptReport.ackUrl).toMatch(new RegExp(`^${ACK_LINK.source}$`));
    expect(vnptReport.ackUrl!.startsWith(`${scenario.baseUrl}/ack/`)).toBe(true);
    expect(provinceReport.incident.id).toBe(incidentId);

    // The vendor's e-mail: a phiếu báo hỏng with the Mã kênh, the site, the start in UTC+7 and the signed link.
    expect(vnptMail.subject).toContain(`Phiếu báo hỏng ${incident.number}`);
    expect(vnptMail.text).toContain(TSLCD_CIRCUIT);
    expect(vnptMail.text).toContain(SITE_NAME);
    expect(vnptMail.text).toContain(`Bắt đầu lúc: ${vietnamTime(incident.timeline.startTs)}`);
    const mailLink = ACK_LINK.exec(vnptMail.text)?.[0];
    expect(mailLink, "ack link in the vendor's e-mail").toBeDefined();
    expect(mailLink!.startsWith(`${scenario.baseUrl}/ack/`)).toBe(true);
    vnptAckUrl = mailLink!;
    expect(wardMail.subject).toContain(incident.number);
    expect(wardMail.text).toContain(SITE_NAME);

    // Exactly one of each, also one dispatcher tick later.
    await new Promise((resolve) => setTimeout(resolve, ONE_TICK_MS));
    expect(signedBodies(vnptWebhook.requests).map((b) => b.message)).toEqual(["report"]);
    expect(signedBodies(provinceWebhook.requests).map((b) => b.message)).toEqual(["report"]);
    expect(scenario.mailsTo(MAIL.vnpt)).toHaveLength(1);
    expect(scenario.mailsTo(MAIL.ward)).toHaveLength(1);
    expect(scenario.smtp.messages).toHaveLength(2);
  }, REPORT_DEADLINE_MS + 30_000);

  it("acknowledgement through the signed link: GET shows the form; a tampered token is refused (403) and records nothing; POST records the ticket", async () => {
    expect(vnptAckUrl, "needs the report of the previous test").not.toBe("");
    const form = await fetch(vnptAckUrl);
    expect(form.status).toBe(200);
    expect(form.headers.get("content-type")).toMatch(/^text\/html/);
    const formPage = await form.text();
    expect(formPage).toContain('<form method="post">');
    expect(formPage).toContain('name="ticket"');
    expect(formPage).toContain((await scenario.incident(incidentId)).number);

    const tampered = tamperSignature(vnptAckUrl);
    expect(tampered).not.toBe(vnptAckUrl);
    expect((await fetch(tampered)).status).toBe(403);
    const forged = await fetch(tampered, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "ticket=FORGED-1" });
    expect(forged.status).toBe(403);
    const untouched = await scenario.incident(incidentId);
    expect(untouched.timeline.acknowledgedTs).toBeNull();
    expect(untouched.vendorTicket).toBeNull();
    expect(untouched.acknowledgedBy).toBeNull();

    const before = Date.now();
    const posted = await fetch(vnptAckUrl, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ ticket: "VNPT-778899" }).toString() });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain("VNPT-778899");
    const acknowledged = await scenario.incident(incidentId);
    expect(acknowledged.timeline.acknowledgedTs).toBeGreaterThanOrEqual(before);
    expect(acknowledged.timeline.acknowledgedTs).toBeLessThanOrEqual(Date.now());
    expect(acknowledged.vendorTicket).toBe("VNPT-778899");
    expect(acknowledged.acknowledgedBy).toBe(VNPT_RECEIVER_NAME);
    expect(acknowledged.state).toBe("open");

    // The webhook's own link now shows the acknowledgement instead of the form.
    const webhookLink = signedBodies(scenario.vnptWebhook.requests).find(isReport)!.ackUrl!;
    const shown = await fetch(webhookLink);
    expect(shown.status).toBe(200);
    const shownPage = await shown.text();
    expect(shownPage).toContain("VNPT-778899");
    expect(shownPage).not.toContain("<form");
  }, 30_000);

  it("restore: one recovery notice each (Đã khôi phục kết nối); a few rounds later nothing more has been sent", async () => {
    const { vnptWebhook, provinceWebhook } = scenario;
    expect(incidentId, "needs the incident of the cut").toBeGreaterThan(0);
    const restoreAt = Date.now();
    await scenario.tslcd.up();
    const closed = await scenario.feed.waitForIncident((i) => i.id === incidentId && i.state === "closed", 4 * ROUND_MS + 10_000);
    measured.restoreToIncidentClosed = Date.now() - restoreAt;
    expect(closed.timeline.restoredTs).not.toBeNull();

    const [vnptRecovery, vnptMail, wardMail] = await Promise.all([
      waitUntil(() => signedBodies(vnptWebhook.requests).find(isRecovery), 15_000, "vendor webhook recovery"),
      waitUntil(() => scenario.mailsTo(MAIL.vnpt).find(isRecoveryMail), 15_000, "vendor e-mail recovery"),
      waitUntil(() => scenario.mailsTo(MAIL.ward).find(isRecoveryMail), 15_000, "ward e-mail recovery"),
      waitUntil(() => signedBodies(provinceWebhook.requests).find(isRecovery), 15_000, "province webhook recovery"),
    ]);
    measured.restoreToLastRecoveryNotice = Date.now() - restoreAt;
    expect(vnptRecovery.incident).toMatchObject({ id: incidentId, state: "closed", vendorTicket: "VNPT-778899" });
    expect(vnptRecovery.ackUrl).toBeNull();
    expect(vnptMail.subject).toContain(`Đã khôi phục kết nối ${closed.number}`);
    expect(vnptMail.text).toContain(TSLCD_CIRCUIT);
    expect(vnptMail.text).toContain("VNPT-778899");
    expect(wardMail.text).toContain(SITE_NAME);

    // Two more rounds of the restored link reach the collector, then one more dispatcher tick: still nothing new.
    const quietFrom = Date.now();
    await waitUntil(() => (scenario.roundsAfter("tslcd", quietFrom) >= 2 ? true : undefined), 3 * ROUND_MS + 10_000, "two more rounds of tslcd");
    await new Promise((resolve) => setTimeout(resolve, ONE_TICK_MS));
    expect(signedBodies(vnptWebhook.requests).map((b) => b.message)).toEqual(["report", "recovery"]);
    expect(signedBodies(provinceWebhook.requests).map((b) => b.message)).toEqual(["report", "recovery"]);
    expect(scenario.mailsTo(MAIL.vnpt).map((m) => (isFaultReportMail(m) ? "report" : isRecoveryMail(m) ? "recovery" : m.subject))).toEqual(["report", "recovery"]);
    expect(scenario.mailsTo(MAIL.ward).map((m) => (isFaultReportMail(m) ? "report" : isRecoveryMail(m) ? "recovery" : m.subject))).toEqual(["report", "recovery"]);
    expect(scenario.smtp.messages).toHaveLength(4);

    // The incident's deliveries: one successful first attempt per receiver, channel and message.
    const final = await scenario.incident(incidentId);
    const deliveries = final.deliveries.map((d) => `${d.receiver}/${d.channel}/${d.message}/${d.attempt}/${d.ok}`).sort();
    expect(deliveries).toEqual(
      [
        "province-ict/webhook/recovery/1/true",
        "province-ict/webhook/report/1/true",
        "vnpt-noc/email/recovery/1/true",
        "vnpt-noc/email/report/1/true",
        "vnpt-noc/webhook/recovery/1/true",
        "vnpt-noc/webhook/report/1/true",
        "ward-it-tan-phong/email/recovery/1/true",
        "ward-it-tan-phong/email/report/1/true",
      ].sort(),
    );
    expect((await scenario.incidents()).filter((i) => i.state === "open")).toEqual([]);
  }, 4 * ROUND_MS + 3 * ROUND_MS + 40_000);
});
