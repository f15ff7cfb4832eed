import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MultiSeriesResponse, SeriesResponse } from "../../../protocol/api.js";
import type { IcmpSample } from "../../../protocol/sample.js";
import { startTestCollector, type TestCollector } from "../../helpers/collectorHarness.js";
import { icmpSample } from "../../helpers/batches.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * GET /sites/:id/series on the sample store (a real collector, its SQLite sample store): several metrics in one
 * request, the old single-metric form, the store's bounds as 400s, and long ranges read from the rollups.
 */
describe("collector/api/sitesRoute series on the sample store", () => {
  let t: TestCollector;
  /** A whole hour, UTC-aligned, two days before the collector's clock. */
  const hourStart = Math.floor(Date.now() / HOUR) * HOUR - 2 * DAY;

  beforeAll(async () => {
    t = await startTestCollector(["tan-phong"]);
    t.clock.nowMs = hourStart + 2 * DAY;
    // One sample a minute through the hour: rtt 10…69 ms, every tenth lost.
    const samples: IcmpSample[] = Array.from({ length: 60 }, (_, i) =>
      icmpSample(i + 1, { ts: hourStart + i * 60_000, rttAvgMs: 10 + i, lossPct: i % 10 === 0 ? 100 : 0, ok: i % 10 !== 0 }),
    );
    await t.samples.write(samples.map((sample) => ({ site: "tan-phong", provider: "vnpt", ts: sample.ts, agentTs: sample.ts, sample })));
  });
  afterAll(() => t?.close());

  const get = async <T>(query: string): Promise<{ status: number; body: T & { error?: string; message?: string } }> => {
    const res = await fetch(`${t.collector.url}/api/v1/sites/tan-phong/series?link=tslcd&${query}`, { headers: t.provinceAuth });
    return { status: res.status, body: (await res.json()) as T & { error?: string } };
  };

  it("answers several metrics of one link in one request, read from raw samples for a short range", async () => {
    const { status, body } = await get<MultiSeriesResponse>(`metrics=rtt_avg_ms:mean,rtt_avg_ms:max,loss_pct,ok:count&from=${hourStart}&to=${hourStart + HOUR}&step=${HOUR / 2}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ site: "tan-phong", link: "tslcd", kind: "icmp", resolution: "raw", timestamps: [hourStart, hourStart + HOUR / 2] });
    expect(body.metrics).toEqual([
      { field: "rtt_avg_ms", stat: "mean" },
      { field: "rtt_avg_ms", stat: "max" },
      { field: "loss_pct", stat: "mean" },
      { field: "ok", stat: "count" },
    ]);
    expect(body.values).toEqual([
      [24.5, 54.5],
      [39, 69],
      [10, 10],
      [30, 30],
    ]);
  });

  it("keeps the single-metric form: points of the metric's mean", async () => {
    const { status, body } = await get<SeriesResponse>(`metric=loss&from=${hourStart}&to=${hourStart + HOUR}&step=${HOUR}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ metric: "loss", stepMs: HOUR, points: [[hourStart, 10]] });
  });

  it("reads a long range from the rollups once they are computed (nothing before: open or unrolled windows have none)", async () => {
    const query = `metrics=rtt_avg_ms:mean,rtt_avg_ms:min,ok:count&from=${hourStart - DAY}&to=${hourStart + DAY}&step=${HOUR}`;
    const before = await get<MultiSeriesResponse>(query);
    expect(before.body.resolution).toBe("1h");
    expect(before.body.values.flat().every((v) => v === null)).toBe(true);

    await t.samples.rollUp(t.clock.nowMs!);
    const { status, body } = await get<MultiSeriesResponse>(query);
    expect(status).toBe(200);
    expect(body.resolution).toBe("1h");
    const at = body.timestamps.indexOf(hourStart);
    expect(body.values.map((metric) => metric[at])).toEqual([39.5, 10, 60]);
    expect(body.values.map((metric) => metric.filter((v) => v !== null).length)).toEqual([1, 1, 1]);
  });

  it.each([
    ["metrics=rtt_avg_ms&metric=loss", "bad_metric", /either metric .* or metrics/],
    ["metrics=nope", "bad_metric", /'nope' is not a stored field of icmp \(known: ok, loss_pct/],
    ["metrics=rtt_avg_ms:median", "bad_metric", /'median' is not a statistic/],
    ["metrics=a:b:c", "bad_metric", /field:stat pairs/],
    ["metrics=ok&kind=smtp", "bad_kind", /kind must be given once, one of: icmp, http, dns, tcp/],
    ["metrics=connect_ms&kind=icmp", "bad_metric", /not a stored field of icmp/],
    [`metrics=${Array(9).fill("ok").join(",")}`, "bad_series", /9 metrics, 1 to 8 allowed/],
    [`metrics=ok&from=${Date.UTC(2025, 0, 1, 0, 1)}&to=${Date.UTC(2025, 0, 20)}&step=3600000`, "bad_series", /multiples of 5 minutes/],
  ])("series?%s answers 400 %s", async (query, error, message) => {
    const { status, body } = await get(query);
    expect(status).toBe(400);
    expect(body.error).toBe(error);
    expect(body.message).toMatch(message);
  });
});
