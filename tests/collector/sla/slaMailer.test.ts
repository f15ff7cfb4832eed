import cron from "node-cron";
import { afterEach, describe, expect, it } from "vitest";
import { EmailChannel } from "../../../collector/alerts/channels/email.js";
import type { ReceiverConfig } from "../../../collector/alerts/notification.js";
import { SlaMailer, scheduleSlaReports } from "../../../collector/sla/slaMailer.js";
import { slaSchema } from "../../../config/slaSchema.js";
import { findPart, parseMime } from "../../helpers/mime.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";
import { startSmtpServer, type TestSmtpServer } from "../../helpers/smtpServer.js";
import { rounds, site, slaSetup, vn, TZ } from "./slaHarness.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function receiver(id: string, address: string): ReceiverConfig {
  return { id, name: id, language: "vi", webhook: null, email: { to: [address] } };
}

async function setupMailer(): Promise<{ smtp: TestSmtpServer; mailer: SlaMailer }> {
  const from = vn("2026-02-01T00:00");
  const to = vn("2026-02-02T00:00");
  const setup = slaSetup({ startMs: from, sites: [site("a"), site("b")] });
  cleanups.push(() => setup.close());
  await setup.write([...rounds("a", from, to, (link, ts) => link !== "tslcd" || ts < vn("2026-02-01T09:00") || ts >= vn("2026-02-01T10:00")), ...rounds("b", from, to, () => true)]);
  await setup.refreshAt(vn("2026-03-01T08:00"));
  const smtp = await startSmtpServer();
  cleanups.push(() => smtp.close());
  const channel = new EmailChannel({ host: "127.0.0.1", port: smtp.port, secure: false, from: "Giám sát <giamsat@tinh.example>", auth: null, timeoutMs: 5000 });
  cleanups.push(() => channel.close());
  const mailer = new SlaMailer({
    report: (month, scope) => setup.reports.report(month, scope),
    send: (mail) => channel.sendMail(mail),
    audience: {
      province: [receiver("province-ict", "ict@tinh.example")],
      providers: [
        { id: "vnpt", name: "VNPT", receivers: [receiver("vnpt-noc", "noc@vnpt.example")] },
        { id: "viettel", name: "Viettel", receivers: [receiver("viettel-noc", "noc@viettel.example")] },
      ],
    },
    provinceName: "Đồng Nai",
    calendar: setup.calendar,
    now: () => setup.clock.nowMs,
    logger: memoryLogger("sla").logger,
  });
  return { smtp, mailer };
}

/** The CSV attachment's circuit lines (provider column, site column). */
function csvCircuits(raw: string): string[] {
  const csv = findPart(parseMime(raw), "text/csv")!.body.replace(/^\uFEFF/, "");
  return csv.split("\r\n").slice(1).filter((line) => line.startsWith("Kênh")).map((line) => line.split(",").slice(1, 3).join("/"));
}

describe("SLA report e-mail", () => {
  it("sends last month's whole report to the province and each vendor only its circuits", async () => {
    const { smtp, mailer } = await setupMailer();
    const outcomes = await mailer.sendMonth();
    expect(outcomes.map((o) => [o.receiver, o.result.ok])).toEqual([["province-ict", true], ["vnpt-noc", true], ["viettel-noc", true]]);
    const byRecipient = new Map(smtp.messages.map((m) => [m.to[0], m]));
    const province = byRecipient.get("ict@tinh.example")!;
    expect(province.subject).toContain("tháng 02/2026");
    expect(province.html).toContain("Theo nhà mạng");
    expect(csvCircuits(province.raw)).toEqual(["vnpt/a", "vnpt/b", "viettel/a", "viettel/b"]);
    const vnpt = byRecipient.get("noc@vnpt.example")!;
    expect(csvCircuits(vnpt.raw)).toEqual(["vnpt/a", "vnpt/b"]);
    expect(vnpt.html).not.toContain("Viettel");
    expect(vnpt.headers["message-id"]).toContain("sla=3A2026-02=3Avnpt=3Avnpt-noc");
    expect(csvCircuits(byRecipient.get("noc@viettel.example")!.raw)).toEqual(["viettel/a", "viettel/b"]);
  });

  it("keeps sending to the others when one receiver's server refuses, and says which", async () => {
    const { smtp, mailer } = await setupMailer();
    smtp.rejectRecipient("noc@vnpt.example", 550, "no such mailbox");
    const outcomes = await mailer.sendMonth("2026-02");
    const vnpt = outcomes.find((o) => o.receiver === "vnpt-noc")!;
    expect(vnpt.result).toMatchObject({ ok: false, retryable: false });
    expect(smtp.messages.map((m) => m.to[0]).sort()).toEqual(["ict@tinh.example", "noc@viettel.example"]);
  });
});

describe("SLA report schedule", () => {
  it("default is 08:00 on the 1st in the province's time zone, as node-cron reads it", async () => {
    const parsed = slaSchema.parse(undefined);
    expect(parsed.report_schedule).toBe("0 8 1 * *");
    const runs: number[] = [];
    const task = scheduleSlaReports(parsed.report_schedule, TZ, async () => runs.push(1), memoryLogger("sla").logger);
    try {
      // 08:00 on 1 March in Vietnam is 01:00 UTC; 08:00 UTC (15:00 there) is not it.
      expect(task.match(new Date("2026-03-01T01:00:00Z"))).toBe(true);
      expect(task.match(new Date("2026-03-01T08:00:00Z"))).toBe(false);
      expect(task.getNextRun()!.getUTCHours()).toBe(1);
      // The job runs when the task fires (here invoked, not waited for).
      await task.execute();
      expect(runs).toEqual([1]);
    } finally {
      await task.stop();
    }
    expect(cron.validate("0 8 1 * *")).toBe(true);
  });

  it("refuses at load an expression node-cron cannot read, naming the field", () => {
    const result = slaSchema.safeParse({ report_schedule: "0 25 1 * *" });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toMatch(/hour/);
  });
});
