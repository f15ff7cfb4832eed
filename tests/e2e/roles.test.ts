/**
 * Each audience in a real browser (issue 11): one collector with three sites on three providers, a province user, a
 * VNPT vendor and the ward of one site, each logged in through the page in a browser context of its own. Each sees
 * exactly its part on the overview, gets "not found" for a site outside it, a navigation of the pages it may open,
 * and the API answers its session 403 (a route its role may not use) or 404 (outside its scope) for the rest. The
 * vendor acknowledges its incident through the page; the province sees it acknowledged by the vendor.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { loadCollectorConfig } from "../../collector/config.js";
import { openSampleStore } from "../../collector/store/samples/registry.js";
import { startCollector, type RunningCollector } from "../../collector/service.js";
import { SqliteMetadataStore } from "../../collector/store/sqlite.js";
import { generateToken, hashToken } from "../../collector/auth/tokens.js";
import { hashPassword } from "../../collector/auth/passwords.js";
import type { RoleScope } from "../../collector/auth/scope.js";
import { LocalCalendar } from "../../collector/sla/localCalendar.js";
import { createLogger } from "../../config/logger.js";
import type { Incident } from "../../protocol/incident.js";
import { batchOf, icmpSample, postIngest } from "../helpers/batches.js";
import { apiTokenIn, bearer } from "../helpers/auth.js";
import { waitFor } from "../helpers/alertingE2e.js";
import { ARTIFACTS_DIR, browserMissing, DASHBOARD_DIR, fetchInPage, launchBrowser, logInThroughPage } from "../helpers/browser.js";

const PASSWORD = "mật-khẩu-vai-trò";
const missing = browserMissing();
if (missing) console.warn(`skipping role browser tests: ${missing}`);

/** Three sites: a dedicated circuit and an Internet line each, on VNPT, Viettel and FPT. */
const SITES = [
  { id: "tan-phong", name: "Phường Tân Phong", dedicated: "vnpt", internet: "viettel" },
  { id: "tam-hiep", name: "Phường Tam Hiệp", dedicated: "vnpt", internet: "fpt" },
  { id: "dao-tri-an", name: "Xã Đảo Trị An", dedicated: "viettel", internet: "fpt" },
];

/** The users, one per role: the vendor is VNPT's NOC, the ward is Tân Phong's IT contact. */
const USERS: Record<"province" | "vendor" | "ward", { name: string; grant: RoleScope }> = {
  province: { name: "tinh", grant: { role: "province" } },
  vendor: { name: "noc-vnpt", grant: { role: "vendor", provider: "vnpt" } },
  ward: { name: "it-tan-phong", grant: { role: "ward", site: "tan-phong" } },
};

function yaml(dir: string): string {
  const sites = SITES.map(
    (site) => `  - id: ${site.id}
    name: "${site.name}"
    links:
      - { id: tslcd, kind: dedicated, provider: ${site.dedicated}, circuit: "TSL-${site.id}", bandwidth_mbps: 200 }
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

describe.skipIf(missing !== null)("e2e: each role in a real browser sees only its part", () => {
  let dir: string;
  let collector: RunningCollector;
  let browser: Browser;
  let provinceApi: { Authorization: string };
  const tokens = new Map<string, string>();
  const contexts = new Map<string, BrowserContext>();
  const pages = new Map<string, Page>();
  /** The open incidents of the two cut circuits: Tân Phong's VNPT one and Đảo Trị An's Viettel one. */
  let vnptIncident: Incident;
  let viettelIncident: Incident;
  const month = new LocalCalendar("Asia/Ho_Chi_Minh").monthOf(Date.now());
  let seq = 0;

  /** One round of both links of `site`, its dedicated circuit ok or not. */
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

  const openIncidentOf = (provider: string) =>
    waitFor(
      async () => ((await (await fetch(`${collector.url}/api/v1/incidents?state=open&provider=${provider}`, { headers: provinceApi })).json()) as Incident[])[0],
      10_000,
      `the open ${provider} incident`,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ww-roles-"));
    const file = join(dir, "collector.yaml");
    writeFileSync(file, yaml(dir));
    const config = loadCollectorConfig(file);
    const store = SqliteMetadataStore.open(join(dir, "wardwatch.db"));
    for (const site of SITES) {
      const token = generateToken(site.id);
      store.addToken(site.id, hashToken(token), Date.now());
      tokens.set(site.id, token);
    }
    const passwordHash = await hashPassword(PASSWORD);
    for (const user of Object.values(USERS)) store.auth.addUser({ name: user.name, grant: user.grant, passwordHash, disabled: false, createdAt: Date.now() });
    provinceApi = bearer(apiTokenIn(store.auth));
    const logger = createLogger("error", "collector");
    const now = () => Date.now();
    const samples = await openSampleStore(config.storage, { dataDir: config.dataDir, configFile: file, now, logger });
    collector = await startCollector({ config, store, auth: store.auth, samples, incidents: store.incidents, logger, now, dashboardDir: DASHBOARD_DIR });
    for (const site of SITES) await pushRound(site.id, true);
    // Tân Phong's VNPT circuit and Đảo Trị An's Viettel circuit go down: one open incident each.
    for (let i = 0; i < 3; i++) {
      await pushRound("tan-phong", false);
      await pushRound("dao-tri-an", false);
    }
    vnptIncident = await openIncidentOf("vnpt");
    viettelIncident = await openIncidentOf("viettel");
    browser = await launchBrowser();
    for (const [role, user] of Object.entries(USERS)) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.set(role, context);
      pages.set(role, await logInThroughPage(context, collector.url, user.name, PASSWORD, role));
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await collector?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const pageOf = (role: string) => pages.get(role)!;

  /** Each overview row's site and the links it shows, as `{ site: [links] }`. */
  const overviewOf = async (role: string, rendered: number): Promise<Record<string, string[]>> => {
    const page = pageOf(role);
    await page.goto(`${collector.url}/#/`);
    await page.locator(`[data-page="overview"][data-rendered="${rendered}"]`).waitFor();
    const rows = await page.locator("tr[data-site]").evaluateAll((nodes) =>
      nodes.map((row) => [row.getAttribute("data-site"), Array.from(row.querySelectorAll("[data-link]"), (chip) => (chip as { getAttribute(name: string): string | null }).getAttribute("data-link")).sort()] as const),
    );
    return Object.fromEntries(rows);
  };

  /** The pages the navigation offers, by their data-nav name. */
  const navOf = (role: string) => pageOf(role).locator("header nav a:visible").evaluateAll((links) => links.map((link) => link.getAttribute("data-nav")));

  /** Opens the site page of `site` and resolves with the message shown once it gave up (not found). */
  const siteNotFound = async (role: string, site: string): Promise<string> => {
    const page = pageOf(role);
    await page.goto(`${collector.url}/#/sites/${site}`);
    const message = page.locator('[data-page="site"] [data-error]');
    await message.waitFor();
    expect(await page.locator("[data-link-card]").count()).toBe(0);
    return message.innerText();
  };

  it("province: every site with every link, every page in the navigation", async () => {
    expect(await overviewOf("province", 3)).toEqual({ "tan-phong": ["inet", "tslcd"], "tam-hiep": ["inet", "tslcd"], "dao-tri-an": ["inet", "tslcd"] });
    expect(await navOf("province")).toEqual(["overview", "incidents", "comparison", "sla"]);
    await pageOf("province").screenshot({ path: join(ARTIFACTS_DIR, "roles-overview-province.png"), fullPage: true });
    expect((await fetchInPage(pageOf("province"), "/api/v1/sites/dao-tri-an/events")).status).toBe(200);
  });

  it("vendor: only the sites where VNPT has a circuit, with only VNPT's circuits; no comparison; 403 and 404 for the rest", async () => {
    expect(await overviewOf("vendor", 2)).toEqual({ "tan-phong": ["tslcd"], "tam-hiep": ["tslcd"] });
    expect(await navOf("vendor")).toEqual(["overview", "incidents", "sla"]);
    await pageOf("vendor").screenshot({ path: join(ARTIFACTS_DIR, "roles-overview-vendor.png"), fullPage: true });
    expect(await siteNotFound("vendor", "dao-tri-an")).toContain("Không tìm thấy");
    // Its own site's page: only its circuit, and no applications section (the ward's traffic: 403 for a vendor).
    const vendorPage = pageOf("vendor");
    await vendorPage.goto(`${collector.url}/#/sites/tan-phong`);
    await vendorPage.locator('[data-chart="latency"][data-chart-link="tslcd"][data-loaded="true"]').waitFor();
    expect(await vendorPage.locator("[data-link-card]").evaluateAll((cards) => cards.map((card) => card.getAttribute("data-link-card")))).toEqual(["tslcd"]);
    expect(await vendorPage.locator("[data-site-paths]").count()).toBe(0);
    expect(await vendorPage.locator('[data-page="site"] [data-error]').count()).toBe(0);

    const vendor = pageOf("vendor");
    expect(await fetchInPage(vendor, "/api/v1/sites/tan-phong/events")).toEqual({ status: 403, error: "forbidden" });
    expect(await fetchInPage(vendor, "/api/v1/sites/tan-phong/paths")).toEqual({ status: 403, error: "forbidden" });
    expect(await fetchInPage(vendor, `/api/v1/comparison?period=24h`)).toEqual({ status: 403, error: "forbidden" });
    expect(await fetchInPage(vendor, `/api/v1/sla.csv?month=${month}&provider=viettel`)).toEqual({ status: 404, error: "not_found" });
    expect((await fetchInPage(vendor, `/api/v1/sla.csv?month=${month}`)).status).toBe(200);
    expect(await fetchInPage(vendor, "/api/v1/sites/dao-tri-an")).toMatchObject({ status: 404 });
    expect(await fetchInPage(vendor, `/api/v1/incidents/${viettelIncident.id}`)).toMatchObject({ status: 404 });
    expect(await fetchInPage(vendor, `/api/v1/incidents/${vnptIncident.id}/resolve`, { method: "POST", body: {} })).toEqual({ status: 403, error: "forbidden" });

    // Its incidents list: its own incident, not Viettel's.
    await vendor.goto(`${collector.url}/#/incidents`);
    await vendor.locator(`tr[data-incident="${vnptIncident.id}"]`).waitFor();
    expect(await vendor.locator("tr[data-incident]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-incident")))).toEqual([String(vnptIncident.id)]);
  });

  it("ward: only its own site, with all its links; 404 for another site, 403 for acknowledging", async () => {
    expect(await overviewOf("ward", 1)).toEqual({ "tan-phong": ["inet", "tslcd"] });
    expect(await navOf("ward")).toEqual(["overview", "incidents", "comparison", "sla"]);
    await pageOf("ward").screenshot({ path: join(ARTIFACTS_DIR, "roles-overview-ward.png"), fullPage: true });
    expect(await siteNotFound("ward", "tam-hiep")).toContain("Không tìm thấy");

    const ward = pageOf("ward");
    expect(await fetchInPage(ward, "/api/v1/sites/tam-hiep")).toMatchObject({ status: 404 });
    expect((await fetchInPage(ward, "/api/v1/sites/tan-phong/events")).status).toBe(200);
    expect(await fetchInPage(ward, `/api/v1/incidents/${vnptIncident.id}/ack`, { method: "POST", body: { ticket: "WARD-1" } })).toEqual({ status: 403, error: "forbidden" });
    expect(await fetchInPage(ward, "/api/v1/incidents/response-times")).toEqual({ status: 403, error: "forbidden" });
    expect(await fetchInPage(ward, `/api/v1/incidents/${viettelIncident.id}`)).toMatchObject({ status: 404 });

    // Its site's incident is shown, without the actions it may not take.
    await ward.goto(`${collector.url}/#/incidents/${vnptIncident.id}`);
    await ward.locator(`[data-page="incident"] [data-incident-number]`).waitFor();
    expect(await ward.locator("[data-ack-form]").isVisible()).toBe(false);
    expect(await ward.locator("[data-resolve]").isVisible()).toBe(false);
    await ward.goto(`${collector.url}/#/incidents`);
    await ward.locator(`tr[data-incident="${vnptIncident.id}"]`).waitFor();
    expect(await ward.locator("tr[data-incident]").count()).toBe(1);
    expect(await ward.locator("[data-response-times]").isVisible()).toBe(false);
    expect(await ward.locator("[data-error]").count()).toBe(0);
  });

  it("vendor acknowledges its incident through the page with its ticket; the province sees it acknowledged by the vendor", async () => {
    const vendor = pageOf("vendor");
    await vendor.goto(`${collector.url}/#/incidents/${vnptIncident.id}`);
    const form = vendor.locator("[data-ack-form]");
    await form.waitFor();
    expect(await vendor.locator("[data-resolve]").isVisible()).toBe(false);
    await form.locator("[data-ack-ticket]").fill("VNPT-4711");
    await form.locator('button[type="submit"]').click();
    await vendor.locator('[data-page="incident"] dd[data-vendor-ticket="VNPT-4711"]').waitFor();
    expect(await vendor.locator('[data-page="incident"] .incident-head').innerText()).toContain(USERS.vendor.name);
    expect(await form.isVisible()).toBe(false);
    await vendor.screenshot({ path: join(ARTIFACTS_DIR, "roles-incident-vendor-acknowledged.png"), fullPage: true });

    // The province's page, open all along, follows live; and its own incident page names the vendor.
    const province = pageOf("province");
    await province.goto(`${collector.url}/#/incidents`);
    await province.locator(`tr[data-incident="${vnptIncident.id}"] [data-acknowledged="true"] [data-vendor-ticket="VNPT-4711"]`).waitFor();
    await province.goto(`${collector.url}/#/incidents/${vnptIncident.id}`);
    await province.locator('dd[data-vendor-ticket="VNPT-4711"]').waitFor();
    expect(await province.locator(".incident-head").innerText()).toContain(USERS.vendor.name);
    const stored = (await (await fetch(`${collector.url}/api/v1/incidents/${vnptIncident.id}`, { headers: provinceApi })).json()) as Incident;
    expect(stored).toMatchObject({ acknowledgedBy: USERS.vendor.name, vendorTicket: "VNPT-4711" });
    expect(stored.timeline.acknowledgedTs).not.toBeNull();
    // Viettel's incident is untouched.
    const other = (await (await fetch(`${collector.url}/api/v1/incidents/${viettelIncident.id}`, { headers: provinceApi })).json()) as Incident;
    expect(other.acknowledgedBy).toBeNull();
  });
});
