import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SiteStatus } from "../../../protocol/api.js";
import type { IncidentView } from "../../../collector/api/incidentsRoute.js";
import { apiTokenIn, bearer } from "../../helpers/auth.js";
import { batchOf, icmpSample, postIngest } from "../../helpers/batches.js";
import { startTestCollector, type TestCollector } from "../../helpers/collectorHarness.js";
import { linkIncidentFixture } from "../../helpers/incidentFixtures.js";

describe("collector/auth/scope: what each role sees and may do, on the server", () => {
  let t: TestCollector;
  let vendor: { Authorization: string };
  let ward: { Authorization: string };
  beforeAll(async () => {
    process.env.WW_TEST_SCRAPE = "scrape-secret-123";
    t = await startTestCollector(["tan-phong", "bien-hoa"], "metrics: { scrape_token: { env: WW_TEST_SCRAPE } }");
    vendor = bearer(apiTokenIn(t.store.auth, { role: "vendor", provider: "viettel" }));
    ward = bearer(apiTokenIn(t.store.auth, { role: "ward", site: "bien-hoa" }));
    t.store.incidents.openIncident(linkIncidentFixture());
    t.store.incidents.openIncident(linkIncidentFixture({ key: "link:bien-hoa:inet", provider: "viettel", providerName: "Viettel", link: "inet", sites: [{ site: "bien-hoa", siteName: "Phường bien-hoa", links: ["inet"] }] }));
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    delete process.env.WW_TEST_SCRAPE;
  });

  const get = async <T>(path: string, auth: { Authorization: string }) => {
    const res = await fetch(`${t.collector.url}/api/v1${path}`, { headers: auth });
    return { status: res.status, body: (await res.json()) as T };
  };

  it("a vendor sees only its own links, at every site, and only its incidents", async () => {
    const sites = await get<SiteStatus[]>("/sites", vendor);
    expect(sites.body.map((s) => [s.id, s.links.map((l) => l.id)])).toEqual([["tan-phong", ["inet"]], ["bien-hoa", ["inet"]]]);
    expect((await get<SiteStatus>("/sites/tan-phong", vendor)).body.links.map((l) => l.id)).toEqual(["inet"]);
    expect((await get<{ error: string }>("/sites/tan-phong/series?link=tslcd", vendor)).status).toBe(400);
    expect((await get<IncidentView[]>("/incidents", vendor)).body.map((i) => i.provider)).toEqual(["viettel"]);
    expect((await get<IncidentView[]>("/incidents?provider=vnpt", vendor)).body).toEqual([]);
    expect((await get<unknown>("/incidents/1", vendor)).status).toBe(404);
    const ack = await fetch(`${t.collector.url}/api/v1/incidents/1/ack`, { method: "POST", headers: vendor });
    expect(ack.status).toBe(404);
    expect(t.store.incidents.getIncident(1)?.timeline.acknowledgedTs).toBeNull();
  });

  it("a ward sees only its own site and the incidents there", async () => {
    expect((await get<SiteStatus[]>("/sites", ward)).body.map((s) => s.id)).toEqual(["bien-hoa"]);
    expect((await get<unknown>("/sites/tan-phong", ward)).status).toBe(404);
    expect((await get<IncidentView[]>("/incidents", ward)).body.map((i) => i.id)).toEqual([2]);
    expect((await get<IncidentView[]>("/incidents?site=tan-phong", ward)).body).toEqual([]);
    expect((await fetch(`${t.collector.url}/api/v1/incidents/2/ack`, { method: "POST", headers: ward })).status).toBe(403);
  });

  it("/metrics: loopback, or the scrape token; a revoked API token and a revoked site token are refused", async () => {
    // From loopback (the tests' address) it is served; a wrong bearer does not stop loopback either.
    expect((await fetch(`${t.collector.url}/metrics`)).status).toBe(200);
    const token = apiTokenIn(t.store.auth, { role: "province" }, "to-revoke");
    const [entry] = t.store.auth.listApiTokens().filter((e) => e.name === "to-revoke");
    expect((await fetch(`${t.collector.url}/api/v1/sites`, { headers: bearer(token) })).status).toBe(200);
    t.store.auth.revokeApiToken(entry!.id, Date.now());
    expect((await fetch(`${t.collector.url}/api/v1/sites`, { headers: bearer(token) })).status).toBe(401);

    const site = t.tokenFor("tan-phong");
    expect((await postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(1)]), bearer(site))).status).toBe(200);
    expect(t.store.auth.revokeSiteTokens("tan-phong", Date.now())).toBe(1);
    expect((await postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(2)]), bearer(site))).status).toBe(401);
    expect(t.store.auth.listSiteTokens().map((e) => [e.site, e.revokedAt !== null])).toEqual([["tan-phong", true]]);
  });
});

describe("collector/incidents: hand resolution and acknowledgement cannot be abused", () => {
  let t: TestCollector;
  let seq = 0;
  beforeAll(async () => {
    t = await startTestCollector(["tan-phong"]);
  });
  afterAll(() => t?.close());

  const pushRound = async (token: string, tslcdOk: boolean) => {
    const round = ++seq;
    const samples = [
      icmpSample(seq * 2 - 1, { round, ts: Date.now(), ok: tslcdOk }),
      icmpSample(seq * 2, { round, ts: Date.now(), link: "inet", target: "198.51.100.1", probe: "icmp:198.51.100.1" }),
    ];
    expect((await postIngest(t.collector.url, batchOf("tan-phong", samples), bearer(token))).status).toBe(200);
  };

  it("refuses (409 cause_present) to resolve an incident whose link is still down, so it is not re-opened and re-reported", async () => {
    const token = t.tokenFor("tan-phong");
    for (let i = 0; i < 4; i++) await pushRound(token, false);
    const [open] = t.store.incidents.listIncidents({ state: "open" });
    expect(open).toMatchObject({ key: "link:tan-phong:tslcd" });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${t.collector.url}/api/v1/incidents/${open!.id}/resolve`, { method: "POST", headers: t.provinceAuth });
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ error: "cause_present", message: expect.stringContaining("link tan-phong/tslcd is still down") });
    }
    expect(t.store.incidents.listIncidents({}).map((i) => [i.id, i.state])).toEqual([[open!.id, "open"]]);
    expect(t.store.auth.listAudit(0, 1)[0]).toMatchObject({ action: "incident.resolve", outcome: "cause_present" });
  });
});
