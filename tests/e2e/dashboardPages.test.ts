import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { loadCollectorConfig } from "../../collector/config.js";
import { openSampleStore } from "../../collector/store/samples/registry.js";
import type { SampleRecord, SampleStore } from "../../collector/store/samples/sampleStore.js";
import { startCollector, type RunningCollector } from "../../collector/service.js";
import { SqliteMetadataStore } from "../../collector/store/sqlite.js";
import { generateToken, hashToken } from "../../collector/auth/tokens.js";
import { createLogger } from "../../config/logger.js";
import { batchOf, icmpSample, postIngest } from "../helpers/batches.js";
import { httpAppRecord } from "../collector/store/samples/sampleFixtures.js";
import { hashPassword } from "../../collector/auth/passwords.js";

const PASSWORD = "mật-khẩu-trang";

const CHROMIUM = "/usr/bin/chromium";
const DASHBOARD_DIR = join(import.meta.dirname, "..", "..", "dist", "dashboard");
const ARTIFACTS_DIR = join(import.meta.dirname, "artifacts");
const HOUR = 3_600_000;
const missing = !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed` : !existsSync(join(DASHBOARD_DIR, "index.html")) ? "the dashboard is not built (npm run build)" : null;
if (missing) console.warn(`skipping dashboard page tests: ${missing}`);

/** Sites: id, name, area (none for the last), TSLCD (VNPT) and Internet (Viettel or FPT). */
const SITES = [
  { id: "tan-phong", name: "Phường Tân Phong", area: "Biên Hòa (cũ)", internet: "viettel" },
  { id: "tam-hiep", name: "Phường Tam Hiệp", area: "Biên Hòa (cũ)", internet: "fpt" },
  { id: "nhon-trach", name: "Xã Nhơn Trạch", area: "Nhơn Trạch (cũ)", internet: "viettel" },
  { id: "dao-tri-an", name: "Xã Đảo Trị An", area: null, internet: "fpt" },
];

function yaml(dir: string): string {
  const sites = SITES.map(
    (site) => `  - id: ${site.id}
    name: "${site.name}"
${site.area ? `    area: "${site.area}"\n` : ""}    links:
      - { id: tslcd, kind: dedicated, provider: vnpt, circuit: "TSL-${site.id}", bandwidth_mbps: 200 }
      - { id: inet, kind: internet, provider: ${site.internet}, circuit: "NET-${site.id}", bandwidth_mbps: 100 }`,
  ).join("\n");
  return `listen: 127.0.0.1:0
province: { id: test, name: "Tỉnh Thử" }
log: { level: error }
data_dir: ${JSON.stringify(dir)}
providers:
  - { id: vnpt, name: VNPT }
  - { id: viettel, name: Viettel }
  - { id: fpt, name: FPT Telecom }
sites:
${sites}
`;
}

describe.skipIf(missing !== null)("e2e: dashboard overview, English switch and link comparison in a real browser", () => {
  let dir: string;
  let collector: RunningCollector;
  let samples: SampleStore;
  let browser: Browser;
  let page: Page;
  const tokens = new Map<string, string>();
  let seq = 0;

  /** One round of both links of `site`, tslcd ok or not. */
  const pushRound = async (site: string, tslcdOk: boolean) => {
    const round = ++seq;
    const ts = Date.now();
    const batch = batchOf(site, [
      icmpSample(seq * 2 - 1, { round, ts, ok: tslcdOk }),
      icmpSample(seq * 2, { round, ts, link: "inet", target: "198.51.100.1", probe: "icmp:198.51.100.1" }),
    ]);
    const res = await postIngest(collector.url, batch, { Authorization: `Bearer ${tokens.get(site)}` });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ww-pages-"));
    const file = join(dir, "collector.yaml");
    writeFileSync(file, yaml(dir));
    const config = loadCollectorConfig(file);
    const store = SqliteMetadataStore.open(join(dir, "wardwatch.db"));
    for (const site of SITES) {
      const token = generateToken(site.id);
      store.addToken(site.id, hashToken(token), Date.now());
      tokens.set(site.id, token);
    }
    store.auth.addUser({ name: "tinh", grant: { role: "province" }, passwordHash: await hashPassword(PASSWORD), disabled: false, createdAt: Date.now() });
    const logger = createLogger("error", "collector");
    const now = () => Date.now();
    samples = await openSampleStore(config.storage, { dataDir: config.dataDir, configFile: file, now, logger });
    collector = await startCollector({ config, store, auth: store.auth, samples, incidents: store.incidents, logger, now, dashboardDir: DASHBOARD_DIR });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    for (const site of SITES) await pushRound(site.id, true);
    // The pages are behind a login (docs/security.md): the province user logs in through the page once.
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

  it("shows every site, grouped by area (sites without one last) and by provider (a site under each of its vendors)", async () => {
    await page.goto(`${collector.url}/#/?group=area`);
    await page.locator('[data-page="overview"][data-rendered="4"]').waitFor();
    const groups = await page.locator("tbody[data-group]").evaluateAll((bodies) => bodies.map((body) => body.getAttribute("data-group")));
    expect(groups).toEqual(["Biên Hòa (cũ)", "Nhơn Trạch (cũ)", "\u0000no-area"]);
    expect(await rowIds('tbody[data-group="Biên Hòa (cũ)"]')).toEqual(["tam-hiep", "tan-phong"]);
    expect(await page.locator('tbody[data-group="Biên Hòa (cũ)"] [data-group-count="up"]').innerText()).toContain("2");
    expect(await page.locator('[data-group-by]').inputValue()).toBe("area");

    await page.locator("[data-group-by]").selectOption("provider");
    await page.locator('tbody[data-group="vnpt"]').waitFor();
    expect(await rowIds('tbody[data-group="vnpt"]')).toHaveLength(4);
    expect(await rowIds('tbody[data-group="fpt"]')).toEqual(["tam-hiep", "dao-tri-an"].sort((a, b) => SITES.find((s) => s.id === a)!.name.localeCompare(SITES.find((s) => s.id === b)!.name, "vi")));
    expect(page.url()).toContain("#/?group=provider");

    // The filter box finds by area and by circuit, folding diacritics.
    await page.locator("[data-search]").fill("nhon trach");
    expect(await page.locator("tbody[data-group]:not([hidden]) tr[data-site]:not([hidden])").evaluateAll((rows) => [...new Set(rows.map((r) => r.getAttribute("data-site")))])).toEqual(["nhon-trach"]);
    await page.locator("[data-search]").fill("");
  });

  it("loads the country once on a page load, from the live feed's hello (no GET /sites beside it)", async () => {
    const listRequests: string[] = [];
    const onRequest = (request: { url(): string }) => {
      if (new URL(request.url()).pathname === "/api/v1/sites") listRequests.push(request.url());
    };
    page.on("request", onRequest);
    try {
      await page.goto("about:blank");
      await page.goto(`${collector.url}/#/`);
      await page.locator('[data-page="overview"][data-rendered="4"]').waitFor();
      await page.locator('[data-live="live"]').waitFor();
      expect(listRequests).toEqual([]);
    } finally {
      page.off("request", onRequest);
    }
  });

  it("patches only the changed site's rows when its link goes down, without a reload, and moves it when grouped by state", async () => {
    await page.goto(`${collector.url}/#/?group=state`);
    await page.locator('[data-page="overview"][data-rendered="4"]').waitFor();
    await page.evaluate(() => ((globalThis as unknown as { noReload: boolean }).noReload = true));
    await page.locator("tr[data-site]").evaluateAll((rows) => rows.forEach((row) => ((row as unknown as { marked: boolean }).marked = true)));
    for (let i = 0; i < 3; i++) await pushRound("nhon-trach", false);
    await page.locator('tbody[data-group="degraded"] tr[data-site="nhon-trach"] [data-link="tslcd"][data-state="down"]').waitFor();
    expect(await rowIds('tbody[data-group="up"]')).not.toContain("nhon-trach");
    // The other sites' rows are the same elements as before: only the changed row was replaced.
    const untouched = await page.locator("tr[data-site]").evaluateAll((rows) => rows.map((row) => [row.getAttribute("data-site"), (row as unknown as { marked?: boolean }).marked === true]));
    expect(Object.fromEntries(untouched)).toEqual({ "nhon-trach": false, "tan-phong": true, "tam-hiep": true, "dao-tri-an": true });
    expect(await page.locator('[data-count="degraded"]').innerText()).toBe("1");
    expect(await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
    // The link's incident opens: the row's open incident count follows, live.
    await page.locator('tr[data-site="nhon-trach"][data-open-incidents="1"] a.incident-count').waitFor();
    await page.screenshot({ path: join(ARTIFACTS_DIR, "overview-by-state.png"), fullPage: true });
  });

  it("switches to English, remembered across a reload; dates stay dd/mm/yyyy in UTC+7", async () => {
    await page.goto(`${collector.url}/#/`);
    await page.locator('tr[data-site="tan-phong"]').waitFor();
    await page.locator('[data-lang="en"]').click();
    await page.locator('html[lang="en"]').waitFor();
    expect(await page.locator("#overview-heading").innerText()).toBe("Overview");
    expect(await page.locator('tr[data-site="tan-phong"] [data-link="tslcd"] .chip-state').innerText()).toBe("Up");
    await page.reload();
    await page.locator('tr[data-site="tan-phong"]').waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator('[data-nav="comparison"]').innerText()).toBe("Link comparison");
    const title = await page.locator('tr[data-site="tan-phong"] time[data-last-seen]').getAttribute("title");
    const expected = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric" }).format(new Date());
    expect(title).toMatch(new RegExp(`^${expected.replace(/\//g, "\\/")} \\d{2}:\\d{2}:\\d{2}$`));
    await page.locator('[data-lang="vi"]').click();
    await page.locator('html[lang="vi"]').waitFor();
  });

  it("shows the link comparison with the figures of the stored application samples", async () => {
    const start = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    const plan: Record<string, { tslcd: Array<number | null>; inet: Array<number | null> }> = {
      "tan-phong": { tslcd: [100, 120, null, 110], inet: [300, null] },
      "tam-hiep": { tslcd: [90, 90], inet: [200, 260, 230] },
    };
    const records: SampleRecord[] = [];
    let n = 1_000_000;
    for (const [site, links] of Object.entries(plan)) {
      for (const [link, values] of Object.entries(links)) values.forEach((totalMs, i) => records.push(httpAppRecord(site, link, "motcua", start + i * 60_000, n++, totalMs)));
    }
    await samples.write(records);

    await page.goto(`${collector.url}/#/comparison?period=24h`);
    const card = page.locator('[data-page="comparison"][data-loaded="true"] [data-app="motcua"]');
    await card.waitFor();
    const value = async (selector: string) => Number(await card.locator(selector).getAttribute("data-value"));
    const oks = (site: string, link: "tslcd" | "inet") => plan[site]![link].filter((v): v is number => v !== null);
    const all = (link: "tslcd" | "inet") => Object.keys(plan).flatMap((site) => plan[site]![link]);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const dedicatedOk = all("tslcd").filter((v) => v !== null);
    expect(await value('[data-total="dedicated"][data-figure="availability"]')).toBeCloseTo((dedicatedOk.length / all("tslcd").length) * 100, 9);
    expect(await value('[data-total="dedicated"][data-figure="latency-mean"]')).toBeCloseTo(mean(dedicatedOk as number[]), 9);
    expect(await value('[data-total="internet"][data-figure="sites"]')).toBe(2);
    expect(await value('[data-total="internet"][data-figure="rounds"]')).toBe(5);
    expect(await value('[data-total="internet"][data-figure="latency-p50"]')).toBeCloseTo((mean(oks("tan-phong", "inet")) + mean(oks("tam-hiep", "inet"))) / 2, 9);
    const site = card.locator('tr[data-comparison-site="tan-phong"]');
    expect(Number(await site.locator('[data-kind="dedicated"][data-figure="availability"]').getAttribute("data-value"))).toBe(75);
    expect(await site.locator('[data-kind="dedicated"][data-figure="availability"]').innerText()).toBe("75%");
    expect(await site.locator('[data-kind="internet"][data-figure="latency-mean"]').innerText()).toBe("300 ms");
    expect(await card.locator('[data-total="dedicated"][data-figure="latency-mean"]').getAttribute("class")).toBe("better");
    await page.screenshot({ path: join(ARTIFACTS_DIR, "comparison.png"), fullPage: true });

    // A chosen pair of days (dd/mm/yyyy in UTC+7): the same samples, the window shown.
    const day = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric" }).format(new Date(start));
    await page.locator("[data-from-day]").fill(day);
    await page.locator("[data-to-day]").fill(day);
    await page.locator(".day-form button[type=submit]").click();
    await page.waitForURL(/#\/comparison\?from=/);
    await page.locator('[data-page="comparison"][data-loaded="true"] [data-app="motcua"] tr[data-comparison-site="tam-hiep"]').waitFor();
    expect(await page.locator(".comparison-status").innerText()).toContain(`${day} 00:00`);
  });

  it("shows the site's applications per link, its LAN devices and its incidents on the site page", async () => {
    const ts = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
    await samples.write([
      { site: "nhon-trach", provider: null, ts, agentTs: ts, sample: { kind: "tcp", seq: 2_000_000, ts, role: "lan", link: null, probe: "camera-1", target: "192.0.2.20:554", round: 1, roundSize: 1, ok: true, connectMs: 1.5 } },
      httpAppRecord("nhon-trach", "tslcd", "dichvucong", ts, 2_000_001, 80),
      httpAppRecord("nhon-trach", "inet", "dichvucong", ts, 2_000_002, null),
    ]);
    await page.goto(`${collector.url}/#/sites/nhon-trach?range=24h`);
    const paths = page.locator('[data-site-paths][data-loaded="true"]');
    await paths.waitFor();
    const app = paths.locator('tr[data-app="dichvucong"]');
    expect(await app.locator('[data-link="tslcd"][data-figure="availability"]').getAttribute("data-value")).toBe("100");
    expect(await app.locator('[data-link="tslcd"][data-figure="latency-mean"]').innerText()).toBe("80 ms");
    expect(await app.locator('[data-link="inet"][data-figure="availability"]').innerText()).toBe("0%");
    expect(await paths.locator('tr[data-lan="camera-1"] [data-figure="latency-mean"]').innerText()).toBe("1,5 ms");
    // The TSLCD link that went down above: its incident, open.
    await page.locator('[data-site-incidents][data-open="1"] li[data-incident][data-state="open"]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS_DIR, "site-apps.png"), fullPage: true });
  });

  it("lays the overview out as cards on a phone", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 800 }, isMobile: true });
    // A browser of its own: the ward contact logs in on the phone.
    await phone.goto(`${collector.url}/#/`);
    await phone.fill("#login-name", "tinh");
    await phone.fill("#login-password", PASSWORD);
    await phone.click('[data-page="login"] button[type="submit"]');
    const row = phone.locator('tr[data-site="tan-phong"]');
    await row.waitFor();
    const display = (node: unknown) => (globalThis as unknown as { getComputedStyle(node: unknown): { display: string } }).getComputedStyle(node).display;
    expect(await row.evaluate(display)).toBe("block");
    expect(await phone.locator(".sites thead").evaluate(display)).toBe("none");
    // Nothing wider than the screen.
    expect(await phone.locator("html").evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(ARTIFACTS_DIR, "overview-phone.png"), fullPage: true });
    await phone.close();
  });
});
