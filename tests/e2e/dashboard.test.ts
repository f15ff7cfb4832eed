import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page, type Request } from "playwright-core";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { MultiSeriesResponse } from "../../protocol/api.js";
import { tmpdir } from "node:os";
import { loadCollectorConfig } from "../../collector/config.js";
import { openSampleStore } from "../../collector/store/samples/registry.js";
import type { SampleStore } from "../../collector/store/samples/sampleStore.js";
import { startCollector, type RunningCollector } from "../../collector/service.js";
import { SqliteMetadataStore } from "../../collector/store/sqlite.js";
import { generateToken, hashToken } from "../../collector/auth/tokens.js";
import { createLogger } from "../../config/logger.js";
import { collectorYaml } from "../helpers/collectorHarness.js";
import { batchOf, icmpSample, postIngest } from "../helpers/batches.js";
import { hashPassword } from "../../collector/auth/passwords.js";
import { apiTokenIn, bearer } from "../helpers/auth.js";

const CHROMIUM = "/usr/bin/chromium";
const DASHBOARD_DIR = join(import.meta.dirname, "..", "..", "dist", "dashboard");
/** Screenshots to look at after a run (git-ignored). */
const ARTIFACTS_DIR = join(import.meta.dirname, "artifacts");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** What one link card asks for (dashboard/src/linkSeries.ts), as it appears in the request's query. */
const LINK_CARD_METRICS = "rtt_avg_ms:mean,rtt_min_ms:min,rtt_max_ms:max,loss_pct:mean";
const missing = !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed` : !existsSync(join(DASHBOARD_DIR, "index.html")) ? "the dashboard is not built (npm run build)" : null;
if (missing) console.warn(`skipping dashboard browser tests: ${missing}`);

describe.skipIf(missing !== null)("e2e: dashboard in a real browser", () => {
  let dir: string;
  let collector: RunningCollector;
  let token: string;
  /** A province API token's header, for the test's own API calls (the page logs in as a user). */
  let apiAuth: { Authorization: string };
  const PASSWORD = "mật-khẩu-thử-nghiệm";
  let samples: SampleStore;
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
    store.auth.addUser({ name: "an", grant: { role: "province" }, passwordHash: await hashPassword(PASSWORD), disabled: false, createdAt: now() });
    apiAuth = bearer(apiTokenIn(store.auth));
    const logger = createLogger("error", "collector");
    samples = await openSampleStore(config.storage, { dataDir: config.dataDir, configFile: file, now, logger });
    collector = await startCollector({ config, store, auth: store.auth, samples, incidents: store.incidents, logger, now, dashboardDir: DASHBOARD_DIR });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
  });

  /** The series requests the page sends from now on, by link, until the returned function stops counting. */
  const countSeriesRequests = (): { byLink: Map<string, URL[]>; stop: () => void } => {
    const byLink = new Map<string, URL[]>();
    const listener = (request: Request) => {
      const url = new URL(request.url());
      if (!url.pathname.endsWith("/api/v1/sites/tan-phong/series")) return;
      const link = url.searchParams.get("link") ?? "";
      byLink.set(link, [...(byLink.get(link) ?? []), url]);
    };
    page.on("request", listener);
    return { byLink, stop: () => page.off("request", listener) };
  };

  /** The next series answer for `link` of tan-phong with the given step. */
  const seriesAnswer = (link: string, stepMs: number) =>
    page.waitForResponse((response) => {
      const url = new URL(response.url());
      return url.pathname.endsWith("/sites/tan-phong/series") && url.searchParams.get("link") === link && url.searchParams.get("step") === String(stepMs);
    });

  afterAll(async () => {
    await browser?.close();
    await collector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("asks for a login first, in Vietnamese, and refuses a wrong password", async () => {
    await page.goto(`${collector.url}/`);
    await page.locator('[data-page="login"]').waitFor();
    expect(await page.locator("h1").innerText()).toBe("Đăng nhập");
    await page.fill("#login-name", "an");
    await page.fill("#login-password", "sai mật khẩu");
    await page.click('[data-page="login"] button[type="submit"]');
    await page.locator(".login-problem", { hasText: "Sai tên đăng nhập hoặc mật khẩu." }).waitFor();
    await page.fill("#login-password", PASSWORD);
    await page.click('[data-page="login"] button[type="submit"]');
    await page.locator('[data-user="an"][data-role="province"]').waitFor();
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
    await page.screenshot({ path: join(ARTIFACTS_DIR, "overview.png"), fullPage: true });
  });

  it("draws latency and loss charts per link on the site page, from one series request per link card", async () => {
    const requests = countSeriesRequests();
    await page.goto(`${collector.url}/#/sites/tan-phong?range=1h`);
    const latency = page.locator('[data-chart="latency"][data-chart-link="inet"][data-loaded="true"]');
    await latency.waitFor();
    expect(Number(await latency.getAttribute("data-points"))).toBeGreaterThan(0);
    expect(await latency.getAttribute("data-resolution")).toBe("raw");
    await page.locator('[data-chart="loss"][data-chart-link="tslcd"][data-loaded="true"]').waitFor();
    await page.locator('[data-chart="loss"][data-chart-link="inet"][data-loaded="true"]').waitFor();
    await page.locator('[data-chart="latency"][data-chart-link="tslcd"][data-loaded="true"]').waitFor();
    requests.stop();
    expect(await page.locator('[data-link-card="tslcd"]').getAttribute("data-state")).toBe("down");
    // Both charts of a card from one request: every card's metrics in it, nothing else asked.
    const cards = await page.locator("[data-link-card]").evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-link-card")));
    expect(cards.sort()).toEqual(["inet", "tslcd"]);
    expect([...requests.byLink.keys()].sort()).toEqual(cards);
    for (const [link, urls] of requests.byLink) {
      expect(urls, `series requests of ${link}`).toHaveLength(1);
      expect(urls[0]!.searchParams.get("metrics")).toBe(LINK_CARD_METRICS);
      expect(urls[0]!.searchParams.get("kind")).toBe("icmp");
    }
    await page.screenshot({ path: join(ARTIFACTS_DIR, "site-1h.png"), fullPage: true });
  });

  it("charts 30 days and a year from the hourly rollups, a bucket the rollups have no value for drawn as a gap", async () => {
    // Two hours of tslcd samples three days ago, with an empty 3-hour bucket between them (30 days: 3-hour steps).
    const first = Math.floor(now() / (3 * HOUR)) * 3 * HOUR - 3 * DAY;
    const starts = [first, first + 6 * HOUR];
    const old = starts.flatMap((start, s) => Array.from({ length: 6 }, (_, k) => icmpSample(100_000 + s * 10 + k, { ts: start + k * 600_000, rttAvgMs: 20 + k, lossPct: k === 0 ? 20 : 0 })));
    await samples.write(old.map((sample) => ({ site: "tan-phong", provider: "vnpt", ts: sample.ts, agentTs: sample.ts, sample })));
    await samples.rollUp(now());

    const requests = countSeriesRequests();
    const answered = seriesAnswer("tslcd", 3 * HOUR);
    await page.goto(`${collector.url}/#/sites/tan-phong?range=30d`);
    const response = await answered;
    expect(response.status()).toBe(200);
    const body = (await response.json()) as MultiSeriesResponse;
    expect(body.resolution).toBe("1h");
    const at = (ts: number) => body.timestamps.indexOf(ts);
    const [avg, , , loss] = body.values;
    expect(avg![at(first)]).toBe(22.5);
    expect(avg![at(first + 3 * HOUR)]).toBeNull();
    expect(avg![at(first + 6 * HOUR)]).toBe(22.5);
    expect(loss![at(first)]).toBeCloseTo(20 / 6, 6);
    // The card draws what the answer holds: its nulls stay gaps (not zeros), so only the buckets with a value count.
    const withValue = (values: Array<number | null> | undefined) => String(values!.filter((v) => v !== null).length);
    const latency = page.locator('[data-chart="latency"][data-chart-link="tslcd"][data-step-ms="10800000"]');
    await latency.waitFor();
    expect(await latency.getAttribute("data-resolution")).toBe("1h");
    expect(await latency.getAttribute("data-points")).toBe(withValue(avg));
    expect(await page.locator('[data-chart="loss"][data-chart-link="tslcd"]').getAttribute("data-points")).toBe(withValue(loss));
    await page.locator('[data-chart="latency"][data-chart-link="inet"][data-step-ms="10800000"]').waitFor();
    expect(await page.locator("[data-link-card] [data-error]").count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS_DIR, "site-30d.png"), fullPage: true });

    // A year, chosen with the range picker: daily steps (the API's longest), still from the rollups, one request per card.
    const yearAnswered = seriesAnswer("tslcd", DAY);
    await page.locator('[data-range="1y"]').click();
    expect((await yearAnswered).status()).toBe(200);
    const yearLatency = page.locator('[data-chart="latency"][data-chart-link="tslcd"][data-step-ms="86400000"]');
    await yearLatency.waitFor();
    await page.locator('[data-chart="latency"][data-chart-link="inet"][data-step-ms="86400000"]').waitFor();
    requests.stop();
    expect(await yearLatency.getAttribute("data-resolution")).toBe("1h");
    expect(Number(await yearLatency.getAttribute("data-points"))).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-range="1y"]').getAttribute("aria-pressed")).toBe("true");
    expect(await page.locator('[data-range="1y"]').innerText()).toBe("1 năm");
    expect(await page.locator("[data-link-card] [data-error]").count()).toBe(0);
    for (const [link, urls] of requests.byLink) expect(urls.map((url) => url.searchParams.get("step")), `series requests of ${link}`).toEqual([String(3 * HOUR), String(DAY)]);
    await page.screenshot({ path: join(ARTIFACTS_DIR, "site-1y.png"), fullPage: true });
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
    const [open] = (await (await fetch(`${collector.url}/api/v1/incidents?state=open&provider=vnpt`, { headers: apiAuth })).json()) as Array<{ id: number }>;
    const ack = await fetch(`${collector.url}/api/v1/incidents/${open!.id}/ack`, { method: "POST", headers: { "Content-Type": "application/json", ...apiAuth }, body: JSON.stringify({ ticket: "VNPT-E2E-1" }) });
    expect(ack.status).toBe(200);
    await row.locator('[data-figure="acknowledged"][data-value="1"]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS_DIR, "incidents.png"), fullPage: true });
  });
});
