import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ComparisonResponse } from "../../../protocol/api.js";
import type { SampleRecord } from "../../../collector/store/samples/sampleStore.js";
import { median } from "../../../collector/api/comparison.js";
import { startTestCollector, type TestCollector } from "../../helpers/collectorHarness.js";
import { httpAppRecord } from "../store/samples/sampleFixtures.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("collector/api/comparisonRoute", () => {
  let t: TestCollector;
  // On a whole hour, 10 days ago the samples start; now is 2 days after they end.
  const start = Math.floor(Date.now() / HOUR) * HOUR - 10 * DAY;
  const now = start + 2 * DAY + 3 * HOUR;
  /** Per site and link: [ok total_ms values, failed rounds]. */
  const plan: Record<string, Record<"tslcd" | "inet", { ok: number[]; failed: number }>> = {
    "tan-phong": { tslcd: { ok: [100, 110, 120], failed: 1 }, inet: { ok: [300, 330], failed: 2 } },
    "bien-hoa": { tslcd: { ok: [200, 200], failed: 0 }, inet: { ok: [250], failed: 0 } },
    "long-khanh": { tslcd: { ok: [150], failed: 0 }, inet: { ok: [], failed: 0 } },
  };

  beforeAll(async () => {
    t = await startTestCollector(Object.keys(plan));
    t.clock.nowMs = now;
    const records: SampleRecord[] = [];
    let seq = 1;
    for (const [site, links] of Object.entries(plan)) {
      for (const [link, { ok, failed }] of Object.entries(links)) {
        const values = [...ok, ...Array.from({ length: failed }, () => null)];
        values.forEach((totalMs, i) => records.push(httpAppRecord(site, link, "motcua", start + i * 10 * 60_000, seq++, totalMs)));
      }
    }
    await t.samples.write(records);
    await t.samples.rollUp(now, 10_000);
  });
  afterAll(() => t?.close());

  const get = async (query: string): Promise<{ status: number; body: ComparisonResponse & { error?: string; message?: string } }> => {
    const res = await fetch(`${t.collector.url}/api/v1/comparison${query}`, { headers: t.provinceAuth });
    return { status: res.status, body: (await res.json()) as ComparisonResponse & { error?: string; message?: string } };
  };
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

  it("compares each application over TSLCD and the Internet per site and in total, from raw samples up to 7 days", async () => {
    const { status, body } = await get(`?from=${start}&to=${start + DAY}`);
    expect(status).toBe(200);
    expect(body.resolution).toBe("raw");
    expect(body.apps.map((app) => [app.app, app.kind])).toEqual([["motcua", "http"]]);
    const app = body.apps[0]!;
    // By site name: Phường bien-hoa, Phường long-khanh, Phường tan-phong.
    expect(app.sites.map((s) => s.site)).toEqual(["bien-hoa", "long-khanh", "tan-phong"]);
    const tanPhong = app.sites.find((s) => s.site === "tan-phong")!;
    expect(tanPhong.dedicated).toEqual({ rounds: 4, availabilityPct: 75, latencyMeanMs: 110 });
    expect(tanPhong.internet).toEqual({ rounds: 4, availabilityPct: 50, latencyMeanMs: 315 });
    expect(app.sites.find((s) => s.site === "long-khanh")!.internet).toBeNull();
    const dedicated = app.total.dedicated!;
    expect(dedicated.sites).toBe(3);
    expect(dedicated.rounds).toBe(7);
    expect(dedicated.availabilityPct).toBeCloseTo((6 / 7) * 100, 9);
    expect(dedicated.latencyMeanMs).toBeCloseTo(mean([100, 110, 120, 200, 200, 150]), 9);
    expect(dedicated.siteLatencyP50Ms).toBe(median([110, 200, 150]));
    expect(app.total.internet).toMatchObject({ sites: 2, rounds: 5, availabilityPct: 60, siteLatencyP50Ms: (315 + 250) / 2 });
    expect(app.total.internet!.latencyMeanMs).toBeCloseTo(mean([300, 330, 250]), 9);
  });

  it("reads a period longer than 7 days from the hourly rollups, widened to whole hours, with the same figures", async () => {
    const { status, body } = await get(`?from=${start - 20 * DAY + 1}&to=${now - 1}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ resolution: "1h", from: start - 20 * DAY, to: now });
    const raw = (await get(`?from=${start}&to=${start + DAY}`)).body;
    expect(body.apps[0]!.sites).toEqual(raw.apps[0]!.sites.map((site) => expect.objectContaining({ site: site.site, dedicated: site.dedicated && { ...site.dedicated, latencyMeanMs: expect.closeTo(site.dedicated.latencyMeanMs!, 9) } })));
    expect(body.apps[0]!.total.dedicated!.availabilityPct).toBeCloseTo(raw.apps[0]!.total.dedicated!.availabilityPct!, 9);
  });

  it("narrows to one site; an unknown site is 404", async () => {
    const { body } = await get(`?from=${start}&to=${start + DAY}&site=bien-hoa`);
    expect(body.apps[0]!.sites.map((s) => s.site)).toEqual(["bien-hoa"]);
    expect((await get("?site=nowhere")).status).toBe(404);
  });

  it("defaults to the 7 days before now; a period without application samples has no applications", async () => {
    const { status, body } = await get("");
    expect(status).toBe(200);
    expect(body).toMatchObject({ from: now - 7 * DAY, to: now, resolution: "raw" });
    expect(body.apps[0]!.total.dedicated!.rounds).toBe(7);
    expect((await get(`?from=${now - HOUR}&to=${now}`)).body.apps).toEqual([]);
  });

  it.each([
    [`?from=${start}&to=${start + 400 * DAY}`, "bad_range", /366 days/],
    [`?from=${start + DAY}&to=${start}`, "bad_range", /must be before to/],
    ["?from=yesterday", "bad_range", /^from must be UTC milliseconds/],
    ["?site=a&site=b", "bad_site", /^site must be given once/],
    ["?step=1000", "unknown_param", /^unknown parameter 'step' \(known: to, from, site\)/],
  ])("%s answers 400 %s naming the parameter", async (query, error, message) => {
    const { status, body } = await get(query);
    expect(status).toBe(400);
    expect(body.error).toBe(error);
    expect(body.message).toMatch(message);
  });
});
