import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { loadCollectorConfig } from "../../collector/config.js";
import { openSampleStore } from "../../collector/store/samples/registry.js";
import { startCollector, type RunningCollector } from "../../collector/service.js";
import { SqliteMetadataStore } from "../../collector/store/sqlite.js";
import { generateToken, hashToken } from "../../collector/auth/tokens.js";
import { createLogger } from "../../config/logger.js";
import { collectorYaml } from "../helpers/collectorHarness.js";
import { batchOf, icmpSample, postIngest } from "../helpers/batches.js";

const CHROMIUM = "/usr/bin/chromium";
const DASHBOARD_DIR = join(import.meta.dirname, "..", "..", "dist", "dashboard");
const missing = !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed` : !existsSync(join(DASHBOARD_DIR, "index.html")) ? "the dashboard is not built (npm run build)" : null;
if (missing) console.warn(`skipping dashboard browser tests: ${missing}`);

describe.skipIf(missing !== null)("e2e: dashboard in a real browser", () => {
  let dir: string;
  let collector: RunningCollector;
  let token: string;
  let browser: Browser;
  let page: Page;
  let seq = 0;
  const now = () => Date.now();

  /** Pushes one round for each link of tan-phong: tslcd ok or failed, inet ok. */
  const pushRound = async (tslcdOk: boolean) => {
    const round = ++seq;
    const samples = [
      icmpSample(seq * 2 - 1, { round, ts: now(), ok: tslcdOk }),
      icmpSample(seq * 2, { round, ts: now(), link: "inet", target: "198.51.100.1", probe: "icmp:198.51.100.1" }),
    ];
    const res = await postIngest(collector.url, batchOf("tan-phong", samples), { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ww-dash-"));
    const file = join(dir, "collector.yaml");
    writeFileSync(file, collectorYaml(["tan-phong", "bien-hoa"]) + `data_dir: ${JSON.stringify(dir)}\n`);
    const config = loadCollectorConfig(file);
    const store = SqliteMetadataStore.open(join(dir, "wardwatch.db"));
    token = generateToken("tan-phong");
    store.addToken("tan-phong", hashToken(token), now());
    const logger = createLogger("error", "collector");
    const samples = await openSampleStore(config.storage, { dataDir: config.dataDir, configFile: file, now, logger });
    collector = await startCollector({ config, store, samples, incidents: store.incidents, logger, now, dashboardDir: DASHBOARD_DIR });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await collector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows every site on the overview in Vietnamese", async () => {
    await pushRound(true);
    await page.goto(`${collector.url}/`);
    await page.locator('tr[data-site="tan-phong"] [data-link="tslcd"][data-state="up"]').waitFor();
    await page.locator('tr[data-site="bien-hoa"]').waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("vi");
    expect(await page.locator('tr[data-site="tan-phong"] [data-link="tslcd"]').innerText()).toContain("Bình thường");
    expect(await page.locator('[data-live]').getAttribute("data-live")).toBe("live");
  });

  it("turns a link red live, without a reload, when it goes down", async () => {
    await page.evaluate(() => ((globalThis as unknown as { noReload: boolean }).noReload = true));
    for (let i = 0; i < 3; i++) await pushRound(false);
    const chip = page.locator('tr[data-site="tan-phong"] [data-link="tslcd"][data-state="down"]');
    await chip.waitFor();
    expect(await chip.innerText()).toContain("Mất kết nối");
    expect(await page.locator('tr[data-site="tan-phong"]').getAttribute("data-site-state")).toBe("degraded");
    expect(await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
    await page.screenshot({ path: join(dir, "overview.png"), fullPage: true });
  });

  it("draws latency and loss charts per link on the site page", async () => {
    await page.goto(`${collector.url}/#/sites/tan-phong?range=1h`);
    const latency = page.locator('[data-chart="latency"][data-chart-link="inet"][data-loaded="true"]');
    await latency.waitFor();
    expect(Number(await latency.getAttribute("data-points"))).toBeGreaterThan(0);
    await page.locator('[data-chart="loss"][data-chart-link="tslcd"][data-loaded="true"]').waitFor();
    expect(await page.locator('[data-link-card="tslcd"]').getAttribute("data-state")).toBe("down");
  });

  it("shows the vendor's incidents in the time to acknowledge and restore table of the incidents page", async () => {
    await page.goto(`${collector.url}/#/incidents`);
    const row = page.locator('[data-response-times][data-loaded="true"] tr[data-response-times-provider="vnpt"]');
    await row.waitFor();
    expect(await page.locator("[data-response-times] h2").innerText()).toBe("Thời gian tiếp nhận và khắc phục theo nhà mạng (30 ngày)");
    expect(await row.locator("th").innerText()).toBe("VNPT");
    // The TSLCD link that went down above: one open VNPT incident, nobody told (no receivers), not acknowledged.
    const incidents = row.locator('[data-figure="incidents"]');
    expect(await incidents.getAttribute("data-value")).toBe("1");
    expect(await incidents.innerText()).toContain("1 đang mở");
    expect(await row.locator('[data-figure="acknowledged"]').getAttribute("data-value")).toBe("0");
    expect(await row.locator('[data-figure="restore-median"]').innerText()).toBe("—");
    // Acknowledged through the API: the live change makes the table fetch its figures again.
    const [open] = (await (await fetch(`${collector.url}/api/v1/incidents?state=open&provider=vnpt`)).json()) as Array<{ id: number }>;
    const ack = await fetch(`${collector.url}/api/v1/incidents/${open!.id}/ack`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ticket: "VNPT-E2E-1" }) });
    expect(ack.status).toBe(200);
    await row.locator('[data-figure="acknowledged"][data-value="1"]').waitFor();
    await page.screenshot({ path: join(dir, "incidents.png"), fullPage: true });
  });
});
