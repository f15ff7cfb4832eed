import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { loadCollectorConfig } from "../../collector/config.js";
import { openSampleStore } from "../../collector/store/samples/registry.js";
import { startCollector, type RunningCollector } from "../../collector/service.js";
import { SqliteMetadataStore } from "../../collector/store/sqlite.js";
import { generateToken, hashToken } from "../../collector/auth/tokens.js";
import { hashPassword } from "../../collector/auth/passwords.js";
import { createLogger } from "../../config/logger.js";
import { batchOf, icmpSample, postIngest } from "../helpers/batches.js";

const CHROMIUM = "/usr/bin/chromium";
const DASHBOARD_DIR = join(import.meta.dirname, "..", "..", "dist", "dashboard");
const PASSWORD = "mật-khẩu-lớn";
const missing = !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed` : !existsSync(join(DASHBOARD_DIR, "index.html")) ? "the dashboard is not built (npm run build)" : null;
if (missing) console.warn(`skipping large overview tests: ${missing}`);

/** More sites than the first screenful (FIRST_ROWS = 60) many times over: the rest are drawn in later tasks. */
const SITE_COUNT = 300;
const AREAS = ["Khu A", "Khu B", "Khu C"];
const ids = Array.from({ length: SITE_COUNT }, (_, i) => `ward-${String(i + 1).padStart(3, "0")}`);

function yaml(dir: string): string {
  const sites = ids
    .map(
      (id, i) => `  - id: ${id}
    name: "Phường ${id.slice(5)}"
    area: "${AREAS[i % AREAS.length]}"
    links:
      - { id: tslcd, kind: dedicated, provider: vnpt, circuit: "TSL-${id}", bandwidth_mbps: 200 }`,
    )
    .join("\n");
  return `listen: 127.0.0.1:0
province: { id: test, name: "Tỉnh Thử" }
log: { level: error }
data_dir: ${JSON.stringify(dir)}
providers:
  - { id: vnpt, name: VNPT }
sites:
${sites}
`;
}

describe.skipIf(missing !== null)("e2e: the overview with more sites than a screen, drawn in chunks", () => {
  let dir: string;
  let collector: RunningCollector;
  let browser: Browser;
  let page: Page;
  const lastToken = generateToken(ids.at(-1)!);
  const firstToken = generateToken(ids[0]!);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ww-overview-large-"));
    const file = join(dir, "collector.yaml");
    writeFileSync(file, yaml(dir));
    const config = loadCollectorConfig(file);
    const store = SqliteMetadataStore.open(join(dir, "wardwatch.db"));
    store.addToken(ids.at(-1)!, hashToken(lastToken), Date.now());
    store.addToken(ids[0]!, hashToken(firstToken), Date.now());
    store.auth.addUser({ name: "tinh", grant: { role: "province" }, passwordHash: await hashPassword(PASSWORD), disabled: false, createdAt: Date.now() });
    const logger = createLogger("error", "collector");
    const now = () => Date.now();
    const samples = await openSampleStore(config.storage, { dataDir: config.dataDir, configFile: file, now, logger });
    collector = await startCollector({ config, store, auth: store.auth, samples, incidents: store.incidents, logger, now, dashboardDir: DASHBOARD_DIR });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${collector.url}/`);
    await page.fill("#login-name", "tinh");
    await page.fill("#login-password", PASSWORD);
    await page.click('[data-page="login"] button[type="submit"]');
    await page.locator('[data-user="tinh"][data-role="province"]').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await collector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rowIds = (scope: string) => page.locator(`${scope} tr[data-site]`).evaluateAll((rows) => rows.map((row) => row.getAttribute("data-site")));

  it("says when the first screenful is in, then draws every other row once, in name order", async () => {
    await page.goto(`${collector.url}/#/`);
    await page.locator(`[data-page="overview"][data-rendered="${SITE_COUNT}"]`).waitFor();
    expect(await page.locator('[data-page="overview"]').getAttribute("data-rows-first")).toBe("60");
    expect(await rowIds("table.sites")).toEqual(ids);
  });

  it("grouped by area: each group complete under its heading, and a live change reaches a row drawn in a later chunk", async () => {
    await page.goto(`${collector.url}/#/?group=area`);
    await page.locator(`[data-page="overview"][data-rendered="${SITE_COUNT}"]`).waitFor();
    for (const [a, area] of AREAS.entries()) {
      expect(await page.locator(`tbody[data-group="${area}"] tr[data-group-head]`).count()).toBe(1);
      expect(await rowIds(`tbody[data-group="${area}"]`)).toEqual(ids.filter((_, i) => i % AREAS.length === a));
    }
    const last = ids.at(-1)!;
    expect(await page.locator(`tr[data-site="${last}"] [data-link="tslcd"]`).getAttribute("data-state")).toBe("unknown");
    const res = await postIngest(collector.url, batchOf(last, [icmpSample(1, { round: 1, ts: Date.now(), ok: true })]), { Authorization: `Bearer ${lastToken}` });
    expect(res.status).toBe(200);
    await page.locator(`tr[data-site="${last}"] [data-link="tslcd"][data-state="up"]`).waitFor();
    expect(await page.locator(`tr[data-site="${last}"]`).count()).toBe(1);
  });

  it("ticks the seen-ago times of the rows on screen, and of the others once scrolled to", async () => {
    const first = ids[0]!;
    const last = ids.at(-1)!;
    const res = await postIngest(collector.url, batchOf(first, [icmpSample(1, { round: 1, ts: Date.now(), ok: true })]), { Authorization: `Bearer ${firstToken}` });
    expect(res.status).toBe(200);
    await page.goto(`${collector.url}/#/`);
    await page.locator(`[data-page="overview"][data-rendered="${SITE_COUNT}"]`).waitFor();
    const time = (site: string) => `tr[data-site="${site}"] time[data-ts]`;
    await page.locator(time(first)).waitFor();
    await page.locator(time(last)).waitFor();
    // Both times marked: the next tick rewrites the one on screen (the first row) and leaves the last row's.
    // Browser-side code as text: the tests are compiled without the DOM's types.
    const unmarked = (site: string) => `document.querySelector('${time(site)}')?.textContent !== "marked"`;
    await page.evaluate(`document.querySelectorAll('${time(first)}, ${time(last)}').forEach((el) => (el.textContent = "marked"))`);
    await page.waitForFunction(unmarked(first));
    expect(await page.locator(time(last)).textContent()).toBe("marked");
    await page.locator(`tr[data-site="${last}"]`).scrollIntoViewIfNeeded();
    await page.waitForFunction(unmarked(last));
  });
});
