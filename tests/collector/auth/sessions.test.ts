import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../../collector/auth/passwords.js";
import { startTestCollector, type TestCollector } from "../../helpers/collectorHarness.js";
import { linkIncidentFixture } from "../../helpers/incidentFixtures.js";

const PASSWORD = "mật-khẩu-đủ-dài-1";

/** The cookies a response sets, name → value. */
function setCookies(res: Response): Map<string, string> {
  return new Map(res.headers.getSetCookie().map((line) => line.split(";")[0]!.split("=") as [string, string]));
}

describe("collector/auth: login, sessions, CSRF and foreign pages", () => {
  let t: TestCollector;
  beforeAll(async () => {
    t = await startTestCollector(["tan-phong"]);
    const passwordHash = await hashPassword(PASSWORD);
    t.store.auth.addUser({ name: "an", grant: { role: "province" }, passwordHash, disabled: false, createdAt: 0 });
    t.store.auth.addUser({ name: "binh", grant: { role: "vendor", provider: "vnpt" }, passwordHash, disabled: false, createdAt: 0 });
    t.store.incidents.openIncident(linkIncidentFixture());
  });
  afterAll(() => t?.close());

  const login = (name: string, password: string, headers: Record<string, string> = {}) =>
    fetch(`${t.collector.url}/api/v1/login`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify({ name, password }) });

  it("logs in with HttpOnly SameSite=Strict cookies, and the session reads the API", async () => {
    const res = await login("an", PASSWORD);
    expect(res.status).toBe(200);
    const lines = res.headers.getSetCookie();
    expect(lines.find((l) => l.startsWith("ww_session="))).toMatch(/; Path=\/; SameSite=Strict; Max-Age=604800; HttpOnly$/);
    expect(lines.find((l) => l.startsWith("ww_csrf="))).not.toContain("HttpOnly");
    const cookies = setCookies(res);
    const cookie = `ww_session=${cookies.get("ww_session")}; ww_csrf=${cookies.get("ww_csrf")}`;
    const me = await fetch(`${t.collector.url}/api/v1/me`, { headers: { cookie } });
    expect(await me.json()).toEqual({ name: "an", role: "province", provider: null, site: null, via: "session" });
    // The session id is stored hashed only.
    expect(JSON.stringify(t.store.auth.listAudit(0, 100))).not.toContain(cookies.get("ww_session"));
  });

  it("refuses a state change made with the session but without the CSRF header, or from a foreign page", async () => {
    const cookies = setCookies(await login("an", PASSWORD));
    const cookie = `ww_session=${cookies.get("ww_session")}; ww_csrf=${cookies.get("ww_csrf")}`;
    const ack = (headers: Record<string, string>) =>
      fetch(`${t.collector.url}/api/v1/incidents/1/ack`, { method: "POST", headers: { "Content-Type": "application/json", cookie, ...headers }, body: "{}" });
    expect(await (await ack({})).json()).toMatchObject({ error: "csrf_mismatch" });
    expect(await (await ack({ "X-CSRF-Token": "guessed" })).json()).toMatchObject({ error: "csrf_mismatch" });
    const foreign = await ack({ "X-CSRF-Token": cookies.get("ww_csrf")!, Origin: "http://evil.example" });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: "foreign_origin" });
    expect((await ack({ "X-CSRF-Token": cookies.get("ww_csrf")!, "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
    expect(t.store.incidents.getIncident(1)?.timeline.acknowledgedTs).toBeNull();

    const own = await ack({ "X-CSRF-Token": cookies.get("ww_csrf")!, Origin: t.collector.url });
    expect(own.status).toBe(200);
    expect(t.store.incidents.getIncident(1)).toMatchObject({ acknowledgedBy: "an" });
    expect(t.store.auth.listAudit(0, 10)[0]).toMatchObject({ actor: "an", action: "incident.ack", target: "SC-000001", outcome: "ok" });
  });

  it("answers a wrong password and an unknown user alike, then locks the name out with 429 and Retry-After", async () => {
    const wrong = await login("binh", "wrong password!");
    const unknown = await login("nobody", "wrong password!");
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.json()).toEqual(await unknown.json());
    for (let i = 0; i < 4; i++) await login("binh", "wrong password!");
    const locked = await login("binh", PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(t.store.auth.listAudit(0, 3).map((e) => [e.actor, e.action, e.outcome])).toEqual([
      ["binh", "login", "locked"],
      ["binh", "login", "bad_password"],
      ["binh", "login", "bad_password"],
    ]);
  });

  it("ends the session at logout, and a disabled user's sessions at once", async () => {
    const cookies = setCookies(await login("an", PASSWORD));
    const cookie = `ww_session=${cookies.get("ww_session")}; ww_csrf=${cookies.get("ww_csrf")}`;
    const out = await fetch(`${t.collector.url}/api/v1/logout`, { method: "POST", headers: { cookie, "X-CSRF-Token": cookies.get("ww_csrf")! } });
    expect(out.status).toBe(204);
    expect((await fetch(`${t.collector.url}/api/v1/sites`, { headers: { cookie } })).status).toBe(401);

    const again = setCookies(await login("an", PASSWORD));
    t.store.auth.disableUser("an");
    expect((await fetch(`${t.collector.url}/api/v1/sites`, { headers: { cookie: `ww_session=${again.get("ww_session")}` } })).status).toBe(401);
    expect((await login("an", PASSWORD)).status).toBe(401);
  });

  it("refuses a login posted by a foreign page (login CSRF)", async () => {
    const res = await login("an", PASSWORD, { Origin: "null" });
    expect(res.status).toBe(403);
  });
});
