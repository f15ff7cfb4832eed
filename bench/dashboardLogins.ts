/**
 * The credentials of bench/dashboard.ts: the pages and the API are behind a login (docs/security.md), so the bench
 * writes a province user (for the browser, which logs in through the login page) and a province API token (for the
 * API load) into the collector's store before it starts, as `wardwatch user add` and `api-token add` would.
 */
import type { Page } from "playwright-core";
import { createApiToken } from "../collector/auth/apiTokens.js";
import { generatePassword, hashPassword } from "../collector/auth/passwords.js";
import { SqliteMetadataStore } from "../collector/store/sqlite.js";

/** The bench's province user and API token. */
export interface BenchLogins {
  userName: string;
  password: string;
  /** `Authorization: Bearer …` value of a province API token. */
  apiToken: string;
}

/** Adds the bench's user and API token to the store at `dbFile` (before the collector opens it). */
export async function addBenchLogins(dbFile: string): Promise<BenchLogins> {
  const userName = "bench-province";
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const store = SqliteMetadataStore.open(dbFile);
  try {
    store.auth.addUser({ name: userName, grant: { role: "province" }, passwordHash, disabled: false, createdAt: Date.now() });
    const { token } = createApiToken(store.auth, "bench-api", { role: "province" }, Date.now());
    return { userName, password, apiToken: token };
  } finally {
    store.close();
  }
}

/** Logs `page` in through the dashboard's login page at `baseUrl`; the session cookie then serves every later load. */
export async function logInThroughPage(page: Page, baseUrl: string, logins: BenchLogins): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.fill("#login-name", logins.userName);
  await page.fill("#login-password", logins.password);
  await page.click('[data-page="login"] button[type="submit"]');
  await page.locator(`[data-user="${logins.userName}"]`).waitFor({ timeout: 60_000 });
}
