/**
 * A screenshot of every page of the dashboard, in Vietnamese and in English (issue 11), saved under
 * tests/e2e/artifacts/pages-<lang>-<page>.png to look at after a run: login, overview, site, incidents, one incident,
 * link comparison, SLA. Each page is shot once it has drawn what it loads, and must show no error.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { loadCollectorConfig } from "../../collector/config.js";
import { openSampleStore } from "../../collector/store/samples/registry.js";
import { startCollector, type RunningCollector } from "../../collector/service.js";
import { SqliteMetadataStore } from "../../collector/store/sqlite.js";
import { generateToken, hashToken } from "../../collector/auth/tokens.js";
import { hashPassword } from "../../collector/auth/passwords.js";
import { LocalCalendar } from "../../collector/sla/localCalendar.js";
import { createLogger } from "../../config/logger.js";
import type { Incident } from "../../protocol/incident.js";
import { collectorYaml } from "../helpers/collectorHarness.js";
import { batchOf, httpAppSample, icmpSample, postIngest } from "../helpers/batches.js";
import { apiTokenIn, bearer } from "../helpers/auth.js";
import { waitFor } from "../helpers/alertingE2e.js";
import { ARTIFACTS_DIR, browserMissing, DASHBOARD_DIR, launchBrowser } from "../helpers/browser.js";

const PASSWORD = "mật-khẩu-ảnh-chụp";
const SITES = ["tan-phong", "bien-hoa"];
const missing = browserMissing();
if (missing) console.warn(`skipping the dashboard screenshots: ${missing}`);

describe.skipIf(missing !== null)("e2e: a screenshot of every dashboard page, in Vietnamese and English", () => {
  let dir: string;
  let collector: RunningCollector;
  let browser: Browser;
  let page: Page;
  let incident: Incident;
  const month = new LocalCalendar("Asia/Ho_Chi_Minh").monthOf(Date.now());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ww-shots-"));
    const file = join(dir, "collector.yaml");
    writeFileSync(file, collectorYaml(SITES, "sla: { refresh_interval: 1s, settle: 0s }") + `data_dir: ${JSON.stringify(dir)}\n`);
    const config = loadCollectorConfig(file);
    const store = SqliteMetadataStore.open(join(dir, "wardwatch.db"));
    const tokens = new Map(SITES.map((site) => [site, generateToken(site)]));
    for (const [site, token] of tokens) store.addToken(site, hashToken(token), Date.now());
    store.auth.addUser({ name: "tinh", grant: { role: "province" }, passwordHash: await hashPassword(PASSWORD), disabled: false, createdAt: Date.now() });
    const api = bearer(apiTokenIn(store.auth));
    const logger = createLogger("error", "collector");
    const now = () => Date.now();
    const samples = await openSampleStore(config.storage, { dataDir: config.dataDir, configFile: file, now, logger });
    collector = await startCollector({ config, store, auth: store.auth, samples, incidents: store.incidents, logger, now, dashboardDir: DASHBOARD_DIR });
    // Rounds of both links and an application through each; tan-phong's TSLCD fails the last three: an incident.
    let seq = 0;
    for (let round = 1; round <= 5; round++) {
      for (const site of SITES) {
        const ts = Date.now();
        const tslcdOk = site !== "tan-phong" || round <= 2;
        const batch = batchOf(site, [
          icmpSample(++seq, { round, ts, ok: tslcdOk }),
          icmpSample(++seq, { round, ts, link: "inet", target: "198.51.100.1", probe: "icmp:198.51.100.1" }),
          httpAppSample(++seq, "motcua", "tslcd", tslcdOk, ts),
          httpAppSample(++seq, "motcua", "inet", true, ts),
        ]);
        expect((await postIngest(collector.url, batch, { Authorization: `Bearer ${tokens.get(site)}` })).status).toBe(200);
      }
    }
    incident = await waitFor(
      async () => ((await (await fetch(`${collector.url}/api/v1/incidents?state=open`, { headers: api })).json()) as Incident[])[0],
      10_000,
      "tan-phong's open incident",
    );
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await collector?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Every page after the login: its route, and what shows it has drawn what it loads. */
  const PAGES = [
    { name: "overview", hash: "#/", ready: `[data-page="overview"][data-rendered="${SITES.length}"]` },
    { name: "site", hash: "#/sites/tan-phong?range=1h", ready: '[data-chart="latency"][data-chart-link="tslcd"][data-loaded="true"]' },
    { name: "incidents", hash: "#/incidents", ready: '[data-response-times][data-loaded="true"]' },
    { name: "incident", hash: () => `#/incidents/${incident.id}`, ready: '[data-page="incident"] [data-incident-number]' },
    { name: "comparison", hash: "#/comparison?period=24h", ready: '[data-page="comparison"][data-loaded="true"] [data-app="motcua"]' },
    { name: "sla", hash: () => `#/sla?month=${month}`, ready: "table.sla-circuits" },
  ];

  it("shoots the login page, then logs in", async () => {
    await page.goto(`${collector.url}/`);
    await page.locator('[data-page="login"]').waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("vi");
    await page.screenshot({ path: join(ARTIFACTS_DIR, "pages-vi-login.png"), fullPage: true });
    await page.fill("#login-name", "tinh");
    await page.fill("#login-password", PASSWORD);
    await page.click('[data-page="login"] button[type="submit"]');
    await page.locator('[data-user="tinh"][data-role="province"]').waitFor();
  });

  for (const lang of ["vi", "en"] as const) {
    it(`shoots every page in ${lang === "vi" ? "Vietnamese" : "English"}`, async () => {
      await page.goto(`${collector.url}/#/`);
      await page.locator(`[data-lang="${lang}"]`).click();
      await page.locator(`html[lang="${lang}"]`).waitFor();
      for (const { name, hash, ready } of PAGES) {
        await page.goto(`${collector.url}/${typeof hash === "function" ? hash() : hash}`);
        await page.locator(ready).first().waitFor();
        expect(await page.locator("html").getAttribute("lang"), name).toBe(lang);
        expect(await page.locator("main [data-error]").count(), `errors on ${name}`).toBe(0);
        await page.screenshot({ path: join(ARTIFACTS_DIR, `pages-${lang}-${name}.png`), fullPage: true });
      }
    });
  }

  it("shoots the login page in English once the language was chosen", async () => {
    await page.locator('[data-action="logout"]').click();
    await page.locator('[data-page="login"]').waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator("h1").innerText()).not.toBe("Đăng nhập");
    await page.screenshot({ path: join(ARTIFACTS_DIR, "pages-en-login.png"), fullPage: true });
  });
});
