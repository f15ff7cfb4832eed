/**
 * A link cut at a real site turns the overview red in the browser without a reload (issue 11): the real agent runs in
 * a site network namespace whose two links are veth pairs (siteTopology.ts), pushing to a real collector process
 * on the root side; the province is logged in on the overview in Chromium. Taking the TSLCD link's root end down
 * must make the site's row degraded with its TSLCD chip down, through the live feed alone; bringing it back, up again.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { canUseNetns } from "../helpers/netns.js";
import { createSiteTopology, type SiteTopology } from "../helpers/siteTopology.js";
import { runWardwatch, type DaemonProcess } from "../helpers/processes.js";
import { writeE2eFiles, type E2eFiles } from "../helpers/e2eSetup.js";
import { ARTIFACTS_DIR, browserMissing, launchBrowser, logInThroughPage } from "../helpers/browser.js";
import { SqliteMetadataStore } from "../../collector/store/sqlite.js";
import { hashPassword } from "../../collector/auth/passwords.js";

const SITE = "tan-phong";
/** This file's subnets: 10.199.170 (collector), .171 (tslcd), .172 (inet). */
const SUBNET_BASE = 170;
const PASSWORD = "mật-khẩu-cắt-đường";
/** A cut is judged after 3 failed 1 s rounds and pushed within a second: far inside this. */
const STATE_CHANGE_TIMEOUT_MS = 20_000;

const netns = await canUseNetns();
const missing = !netns.ok ? netns.reason : browserMissing();
if (missing) console.warn(`skipping the link cut browser test: ${missing}`);

/** The agent's YAML: both links bound by interface to the site ends, probing the root ends every second. */
function siteAgentYaml(site: SiteTopology, options: { port: number; tokenFile: string; spoolDir: string }): string {
  const link = (id: "tslcd" | "inet", kind: string, provider: string) => {
    const { siteInterface, rootAddress } = site.links[id];
    return `  - id: ${id}
    kind: ${kind}
    provider: ${provider}
    interface: ${siteInterface}
    gateway: ${rootAddress}
    probes: [ { kind: icmp, target: ${rootAddress}, interval: 1s, count: 3, packet_interval: 50ms, timeout: 300ms } ]`;
  };
  return `site: ${SITE}
collector: { urls: ["http://${site.collectorAddress}:${options.port}"], token_file: ${JSON.stringify(options.tokenFile)}, push_interval: 1s, batch_size: 50, max_backoff: 2s, request_timeout: 1s }
spool_dir: ${JSON.stringify(options.spoolDir)}
log: { level: info }
links:
${link("tslcd", "dedicated", "vnpt")}
${link("inet", "internet", "viettel")}
`;
}

describe.skipIf(missing !== null)("e2e: a link cut in the site namespace turns the overview red live", () => {
  let site: SiteTopology | undefined;
  let files: E2eFiles | undefined;
  let collector: DaemonProcess | undefined;
  let agent: DaemonProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let base: string;

  const row = () => page.locator(`tr[data-site="${SITE}"]`);
  /** Resolves once the site's row shows `siteState` with tslcd `tslcd` and inet up. */
  const rowShows = async (siteState: string, tslcd: string) => {
    // One selector for the whole row: a site whose inet link is not judged yet is already "up" by its tslcd alone.
    const shown = `tr[data-site="${SITE}"][data-site-state="${siteState}"]:has([data-link="tslcd"][data-state="${tslcd}"]):has([data-link="inet"][data-state="up"])`;
    await page.locator(shown).waitFor({ timeout: STATE_CHANGE_TIMEOUT_MS });
  };

  beforeAll(async () => {
    site = await createSiteTopology({ subnetBase: SUBNET_BASE });
    files = await writeE2eFiles({ site: SITE, links: [] });
    // The collector listens on the dummy address in the root namespace; the site reaches it over either link.
    writeFileSync(files.collectorFile, readFileSync(files.collectorFile, "utf8").replace(`listen: 127.0.0.1:${files.port}`, `listen: ${site.collectorAddress}:${files.port}`));
    writeFileSync(files.agentFile, siteAgentYaml(site, { port: files.port, tokenFile: join(files.dir, "agent.token"), spoolDir: files.spoolDir }));
    const store = SqliteMetadataStore.open(files.dbFile);
    try {
      store.auth.addUser({ name: "tinh", grant: { role: "province" }, passwordHash: await hashPassword(PASSWORD), disabled: false, createdAt: Date.now() });
    } finally {
      store.close();
    }
    base = `http://${site.collectorAddress}:${files.port}`;
    collector = runWardwatch(["collector", "--config", files.collectorFile]);
    await collector.waitForLog((l) => l.message === "collector listening", 15_000);
    agent = runWardwatch(["agent", "--config", files.agentFile], {}, { netns: site.ns });
    browser = await launchBrowser();
    page = await logInThroughPage(await browser.newContext({ viewport: { width: 1280, height: 900 } }), base, "tinh", PASSWORD, "province");
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const proc of [agent, collector]) {
      proc?.kill("SIGKILL");
      await proc?.exited;
    }
    // Idempotent: also after a failed or partial setup.
    await site?.destroy();
    files?.remove();
  });

  it("shows the site up over both links", async () => {
    await rowShows("up", "up");
    await page.screenshot({ path: join(ARTIFACTS_DIR, "linkcut-before.png"), fullPage: true });
  });

  it("turns the site degraded with TSLCD down when its link is cut, without a reload", async () => {
    await page.evaluate(() => ((globalThis as unknown as { noReload: boolean }).noReload = true));
    await site!.links.tslcd.down();
    await rowShows("degraded", "down");
    expect(await row().locator('[data-link="tslcd"]').innerText()).toContain("Mất kết nối");
    // The same document all along: a reload would have dropped the mark.
    expect(await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
    expect(await page.locator('[data-count="degraded"]').innerText()).toBe("1");
    await page.screenshot({ path: join(ARTIFACTS_DIR, "linkcut-down.png"), fullPage: true });
  });

  it("turns it back up once the link is restored, still without a reload", async () => {
    await site!.links.tslcd.up();
    await rowShows("up", "up");
    expect(await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
    expect(await page.locator('[data-count="degraded"]').innerText()).toBe("0");
    await page.screenshot({ path: join(ARTIFACTS_DIR, "linkcut-restored.png"), fullPage: true });
  });
});
