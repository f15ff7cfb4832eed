/**
 * SLA report end to end: a real collector process (`wardwatch collector`) fed over HTTP with an hour of rounds in
 * which one circuit was down 20 minutes, sent as an agent coming back sends its backlog; its report over the API
 * (JSON and CSV) once the collector's own background replay has reached the samples, and the report page in a real
 * browser, printed (the print stylesheet hides the navigation), and its CSV link downloaded in the browser and checked
 * against the stored outage.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalCalendar } from "../../collector/sla/localCalendar.js";
import type { Sample } from "../../protocol/sample.js";
import type { SlaReport } from "../../protocol/sla.js";
import { addSiteToken, alertingCollectorYaml, waitFor } from "../helpers/alertingE2e.js";
import { batchOf, icmpSample, postIngest } from "../helpers/batches.js";
import { freePort } from "../helpers/freePort.js";
import { runWardwatch, type DaemonProcess } from "../helpers/processes.js";
import { apiTokenInFile, bearer } from "../helpers/auth.js";
import { SqliteMetadataStore } from "../../collector/store/sqlite.js";
import { hashPassword } from "../../collector/auth/passwords.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS_DIR = join(import.meta.dirname, "artifacts");
const MINUTE = 60_000;
const calendar = new LocalCalendar("Asia/Ho_Chi_Minh");

/** The fields of one RFC 4180 line: comma-separated, a quoted field may hold commas and "" for a quote. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  for (let i = 0; i <= line.length; ) {
    if (line[i] === '"') {
      let value = "";
      for (i++; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') (value += '"'), i++;
        else if (line[i] === '"') break;
        else value += line[i];
      }
      fields.push(value);
      i += 2; // the closing quote and the comma
    } else {
      const end = line.indexOf(",", i) === -1 ? line.length : line.indexOf(",", i);
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

describe("e2e: SLA report", () => {
  let dir: string;
  let collector: DaemonProcess;
  let base: string;
  let token: string;
  /** API credentials: the province's, and a vendor's (Viettel: the site's Internet circuit only). */
  let province: { Authorization: string };
  let viettel: { Authorization: string };
  const PASSWORD = "mật-khẩu-sla";
  // An hour of rounds every 10 s ending 10 minutes ago; tslcd down from 40 to 20 minutes ago.
  const end = Math.floor((Date.now() - 10 * MINUTE) / 10_000) * 10_000;
  const start = end - 60 * MINUTE;
  const downFrom = end - 30 * MINUTE;
  const downTo = end - 10 * MINUTE;
  const months = [...new Set([calendar.monthOf(start), calendar.monthOf(end)])];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ww-sla-e2e-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const file = join(dir, "collector.yaml");
    writeFileSync(
      file,
      alertingCollectorYaml({
        listen: `127.0.0.1:${port}`,
        dataDir: join(dir, "data"),
        receivers: [{ id: "province-ict", name: "Sở KH&CN", email: ["ict@tinh.example"] }],
        notify: { vnpt: [], viettel: [] },
        alerting: "{ province_receivers: [province-ict] }",
        sites: [{ id: "tan-phong", name: "Phường Tân Phong", contacts: [] }],
        // An e-mail receiver needs an smtp: section; nothing is sent in this test (the e-mail has its own, tests/collector/sla/).
        smtpPort: 9,
        extra: "sla: { refresh_interval: 1s, settle: 0s }",
      }),
    );
    await addSiteToken(file, "tan-phong", join(dir, "token"));
    token = readFileSync(join(dir, "token"), "utf8").trim();
    const dbFile = join(dir, "data", "wardwatch.db");
    province = bearer(apiTokenInFile(dbFile));
    viettel = bearer(apiTokenInFile(dbFile, { role: "vendor", provider: "viettel" }));
    const store = SqliteMetadataStore.open(dbFile);
    store.auth.addUser({ name: "tinh", grant: { role: "province" }, passwordHash: await hashPassword(PASSWORD), disabled: false, createdAt: Date.now() });
    store.close();
    collector = runWardwatch(["collector", "--config", file]);
    await collector.waitForLog((line) => line.message === "collector listening", 15_000);

    const samples: Sample[] = [];
    let seq = 0;
    for (let ts = start, round = 1; ts < end; ts += 10_000, round++) {
      samples.push(icmpSample(++seq, { ts, round, ok: ts < downFrom || ts >= downTo }));
      samples.push(icmpSample(++seq, { ts, round, link: "inet", probe: "icmp:198.51.100.1", target: "198.51.100.1" }));
    }
    for (let i = 0; i < samples.length; i += 500) {
      const backlog = Math.max(0, samples.length - i - 500);
      const res = await postIngest(base, batchOf("tan-phong", samples.slice(i, i + 500), { spool: { pendingRecords: backlog, droppedRecords: 0 } }), { Authorization: `Bearer ${token}`, "Wardwatch-Backlog": String(backlog) });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
    }
  }, 60_000);

  afterAll(async () => {
    collector?.kill("SIGTERM");
    expect(await collector?.exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  /** The months' reports once the collector's replay has passed the last sample. */
  const replayedReports = (): Promise<SlaReport[]> =>
    waitFor(
      async () => {
        const reports = await Promise.all(months.map(async (month) => (await (await fetch(`${base}/api/v1/sla?month=${month}`, { headers: province })).json()) as SlaReport));
        return reports.every((r) => r.throughTs >= Math.min(r.toTs, end) && !r.recomputing) ? reports : undefined;
      },
      20_000,
      "SLA replay reaching the samples",
    );

  it("reports the outage of the circuit from the stored samples, in JSON and CSV", async () => {
    const reports = await replayedReports();
    const tslcd = reports.map((r) => r.circuits.find((c) => c.link === "tslcd")!);
    expect(tslcd.flatMap((c) => c.outageList)).toEqual(months.length === 1 ? [{ startTs: downFrom, endTs: downTo }] : expect.any(Array));
    expect(tslcd.reduce((ms, c) => ms + c.outageMs, 0)).toBe(20 * MINUTE);
    expect(tslcd.reduce((ms, c) => ms + c.allHours.downMs, 0)).toBe(20 * MINUTE);
    const inet = reports.map((r) => r.circuits.find((c) => c.link === "inet")!);
    expect(inet.reduce((n, c) => n + c.outages, 0)).toBe(0);
    const csv = await (await fetch(`${base}/api/v1/sla.csv?month=${calendar.monthOf(downFrom)}&provider=vnpt`, { headers: province })).text();
    const line = csv.split("\r\n").find((l) => l.startsWith("Kênh") && l.includes("TSL-tan-phong"))!;
    expect(line).toBeDefined();
    expect(csv.split("\r\n").some((l) => l.includes("VT-tan-phong"))).toBe(false);
  });

  it("gives a vendor only its own circuits, refuses it another's, and nobody without a credential", async () => {
    await replayedReports();
    const month = calendar.monthOf(downFrom);
    const own = (await (await fetch(`${base}/api/v1/sla?month=${month}`, { headers: viettel })).json()) as SlaReport;
    expect(own.circuits.map((c) => c.link)).toEqual(["inet"]);
    expect((await fetch(`${base}/api/v1/sla?month=${month}&provider=vnpt`, { headers: viettel })).status).toBe(404);
    expect((await fetch(`${base}/api/v1/sla.csv?month=${month}`)).status).toBe(401);
    const csv = await (await fetch(`${base}/api/v1/sla.csv?month=${month}`, { headers: viettel })).text();
    expect(csv).not.toContain("TSL-tan-phong");
  });

  const missing = !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed` : null;
  it.skipIf(missing !== null)("shows the report page, and prints it without the navigation", async () => {
    await replayedReports();
    const month = calendar.monthOf(downFrom);
    let browser: Browser | null = null;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
      const page = await browser.newPage({ acceptDownloads: true });
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      await page.goto(`${base}/#/sla?month=${month}`);
      await page.fill("#login-name", "tinh");
      await page.fill("#login-password", PASSWORD);
      await page.click('[data-page="login"] button[type="submit"]');
      await page.locator("table.sla-circuits").first().waitFor();
      expect(await page.locator("h1").textContent()).toContain("Báo cáo chất lượng dịch vụ (SLA)");
      expect(await page.locator("table.sla-circuits td", { hasText: "TSL-tan-phong" }).count()).toBe(1);
      expect(await page.locator("a", { hasText: "Tải tệp CSV" }).getAttribute("href")).toBe(`/api/v1/sla.csv?month=${month}`);
      expect(await page.locator("header.topbar").isVisible()).toBe(true);
      await page.emulateMedia({ media: "print" });
      expect(await page.locator("header.topbar").isVisible()).toBe(false);
      expect(await page.locator(".sla-toolbar").isVisible()).toBe(false);
      expect(await page.locator("table.sla-providers").isVisible()).toBe(true);
      await page.emulateMedia({ media: "screen" });
      await page.screenshot({ path: join(ARTIFACTS_DIR, "sla.png"), fullPage: true });

      // The CSV link, clicked: the browser downloads the file, whose TSLCD line counts the outage stored above.
      const [download] = await Promise.all([page.waitForEvent("download"), page.locator("a", { hasText: "Tải tệp CSV" }).click()]);
      expect(download.suggestedFilename()).toBe(`sla-${month}.csv`);
      const csv = readFileSync(await download.path(), "utf8");
      expect(csv.startsWith("\uFEFF")).toBe(true);
      const lines = csv.slice(1).split("\r\n").filter((line) => line !== "").map(csvFields);
      const column = (name: string) => lines[0]!.indexOf(name);
      const tslcd = lines.find((cells) => cells[0] === "Kênh (circuit)" && cells.includes("TSL-tan-phong"))!;
      const inet = lines.find((cells) => cells[0] === "Kênh (circuit)" && cells.includes("VT-tan-phong"))!;
      // What the stored samples hold for this month: the part of the 20-minute outage inside it (all of it unless
      // the month changed during the test's hour).
      const [report] = await replayedReports().then((reports) => reports.filter((r) => r.month === month));
      const outageMs = Math.max(0, Math.min(downTo, report!.toTs) - Math.max(downFrom, report!.fromTs));
      expect(Number(tslcd[column("Số lần mất kết nối (Outages)")])).toBe(outageMs > 0 ? 1 : 0);
      expect(Number(tslcd[column("Tổng thời gian mất kết nối, phút (Outage total, min)")])).toBe(outageMs / MINUTE);
      expect(Number(tslcd[column("Mất kết nối, phút (Down, min)")])).toBe(outageMs / MINUTE);
      expect(Number(inet[column("Số lần mất kết nối (Outages)")])).toBe(0);
      expect(Number(inet[column("Mất kết nối, phút (Down, min)")])).toBe(0);
      const vnptTotal = lines.find((cells) => cells[0] === "Tổng nhà mạng (provider total)" && cells[1] === "VNPT")!;
      expect(Number(vnptTotal[column("Số lần mất kết nối (Outages)")])).toBe(outageMs > 0 ? 1 : 0);
    } finally {
      await browser?.close();
    }
  }, 60_000);
});
