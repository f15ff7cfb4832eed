import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SitePathsResponse } from "../../../protocol/api.js";
import { startTestCollector, type TestCollector } from "../../helpers/collectorHarness.js";
import { httpAppRecord, tcpLanRecord } from "../store/samples/sampleFixtures.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("collector/api/sitePathsRoute", () => {
  let t: TestCollector;
  const start = Math.floor(Date.now() / HOUR) * HOUR - 2 * DAY;
  const now = start + 3 * HOUR;

  beforeAll(async () => {
    t = await startTestCollector(["tan-phong", "bien-hoa"]);
    t.clock.nowMs = now;
    await t.samples.write([
      httpAppRecord("tan-phong", "tslcd", "motcua", start, 1, 100),
      httpAppRecord("tan-phong", "tslcd", "motcua", start + 60_000, 2, 120),
      httpAppRecord("tan-phong", "inet", "motcua", start, 3, null),
      tcpLanRecord("tan-phong", start, 4, 1.5),
      tcpLanRecord("tan-phong", start + 60_000, 5, null),
      // Another site's samples are not this site's.
      httpAppRecord("bien-hoa", "tslcd", "motcua", start, 6, 999),
    ]);
    await t.samples.rollUp(now, 10_000);
  });
  afterAll(() => t?.close());

  const get = async (path: string) => {
    const res = await fetch(`${t.collector.url}/api/v1${path}`, { headers: t.provinceAuth });
    return { status: res.status, body: (await res.json()) as SitePathsResponse & { error?: string; message?: string } };
  };

  it("lists the site's applications per link and its LAN devices with rounds, % ok and mean latency", async () => {
    const { status, body } = await get(`/sites/tan-phong/paths?from=${start}&to=${start + HOUR}`);
    expect(status).toBe(200);
    expect(body.resolution).toBe("raw");
    expect(body.apps).toEqual([
      { probe: "motcua", link: "inet", kind: "http", rounds: 1, okPct: 0, latencyAvgMs: null },
      { probe: "motcua", link: "tslcd", kind: "http", rounds: 2, okPct: 100, latencyAvgMs: 110 },
    ]);
    expect(body.lan).toEqual([{ probe: "camera", link: null, kind: "tcp", rounds: 2, okPct: 50, latencyAvgMs: 1.5 }]);
  });

  it("reads a month from the hourly rollups, on whole hours", async () => {
    const { body } = await get(`/sites/tan-phong/paths?from=${now - 30 * DAY + 5}&to=${now}`);
    expect(body).toMatchObject({ resolution: "1h", from: now - 30 * DAY, to: now });
    expect(body.apps.find((p) => p.link === "tslcd")).toMatchObject({ rounds: 2, okPct: 100, latencyAvgMs: 110 });
  });

  it("answers 404 for an unknown site and 400 naming a bad parameter", async () => {
    expect((await get("/sites/nowhere/paths")).status).toBe(404);
    const bad = await get("/sites/tan-phong/paths?link=tslcd");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: "unknown_param", message: expect.stringMatching(/^unknown parameter 'link' \(known: to, from\)/) });
    expect((await get(`/sites/tan-phong/paths?from=${now}&to=${now - 1}`)).body.error).toBe("bad_range");
  });
});
