/**
 * The real browser of the dashboard's end-to-end tests: Debian's Chromium driven by playwright-core, the built
 * dashboard (dist/dashboard), screenshots into tests/e2e/artifacts/ (git-ignored), and logging in through the page.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium (apt package `chromium`). */
export const CHROMIUM = "/usr/bin/chromium";
/** The built dashboard the collector serves (npm run build). */
export const DASHBOARD_DIR = join(import.meta.dirname, "..", "..", "dist", "dashboard");
/** Where screenshots go, to look at after a run (git-ignored). */
export const ARTIFACTS_DIR = join(import.meta.dirname, "..", "e2e", "artifacts");

/** Why the browser tests cannot run here (no Chromium, dashboard not built), or null when they can. */
export function browserMissing(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed`;
  if (!existsSync(join(DASHBOARD_DIR, "index.html"))) return "the dashboard is not built (npm run build)";
  return null;
}

/** Starts headless Chromium (no network of its own beyond what the pages ask) and makes sure ARTIFACTS_DIR exists. */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * Opens `base` + `hash` in a new page of `context` (a browser profile of its own: its own cookies), logs in as
 * `name` through the login form and resolves once the dashboard shows the user's badge with `role`.
 */
export async function logInThroughPage(context: BrowserContext, base: string, name: string, password: string, role: string, hash = "#/"): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/${hash}`);
  await page.locator('[data-page="login"]').waitFor();
  await page.fill("#login-name", name);
  await page.fill("#login-password", password);
  await page.click('[data-page="login"] button[type="submit"]');
  await page.locator(`[data-user="${name}"][data-role="${role}"]`).waitFor();
  return page;
}

/** The status (and error code, if any) of a same-origin request made by the page itself with its session cookie. */
export interface PageFetchResult {
  status: number;
  error: string | null;
}

/**
 * Makes a request from inside `page` (same origin, its cookies; for a POST the session's CSRF token from the ww_csrf
 * cookie, as the dashboard sends it), so the collector judges it exactly as one the dashboard could make.
 */
export async function fetchInPage(page: Page, path: string, options: { method?: "GET" | "POST"; body?: unknown } = {}): Promise<PageFetchResult> {
  return page.evaluate(
    async ({ path, method, body }) => {
      const csrf = /(?:^|;\s*)ww_csrf=([^;]+)/.exec((globalThis as unknown as { document: { cookie: string } }).document.cookie)?.[1] ?? "";
      const response = await fetch(path, {
        method,
        headers: method === "POST" ? { "Content-Type": "application/json", "X-CSRF-Token": decodeURIComponent(csrf) } : {},
        ...(method === "POST" ? { body: JSON.stringify(body ?? {}) } : {}),
      });
      const text = await response.text();
      let error: string | null = null;
      try {
        const parsed = JSON.parse(text) as { error?: unknown };
        error = typeof parsed.error === "string" ? parsed.error : null;
      } catch {
        // Not JSON (a CSV, say): no error code.
      }
      return { status: response.status, error };
    },
    { path, method: options.method ?? "GET", body: options.body },
  );
}
