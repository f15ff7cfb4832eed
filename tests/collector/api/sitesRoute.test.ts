import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCollector, type TestCollector } from "../../helpers/collectorHarness.js";
import { memoryLogger, type MemoryLogger } from "../../helpers/memoryLogger.js";

const DAY = 86_400_000;

describe("collector/api/sitesRoute", () => {
  let t: TestCollector;
  let log: MemoryLogger;
  const now = Date.UTC(2025, 5, 30, 1, 0);

  beforeAll(async () => {
    log = memoryLogger("collector");
    t = await startTestCollector(["tan-phong"], "", { logger: log.logger });
    t.clock.nowMs = now;
  });
  afterAll(() => t?.close());

  const get = async (path: string): Promise<{ status: number; body: { error?: string; message?: string; [key: string]: unknown } }> => {
    const res = await fetch(`${t.collector.url}/api/v1${path}`, { headers: t.provinceAuth });
    return { status: res.status, body: (await res.json()) as { error?: string; message?: string } };
  };
  const series = (query: string) => get(`/sites/tan-phong/series?link=tslcd&${query}`);

  it.each([
    ["from=9007199254740000&to=9999999999999999", "bad_range", /^to /], // 500 and a logged error before
    ["from=1234567890123456", "bad_range", /^from /],
    ["to=1234567890123456", "bad_range", /^to /],
    ["from=9999999999999&to=99999999999999", "bad_range", /^to /],
    ["from=-5", "bad_range", /^from /],
    ["from=1&from=2", "bad_range", /^from must be given once/],
    ["from=2025-06-01T00:00:00", "bad_range", /^from /],
    [`from=${now - 400 * DAY}&to=${now}&step=86400000`, "bad_range", /366 days/],
    [`from=${now}&to=${now - 1}`, "bad_range", /^from .* must be before to/],
    ["step=999", "bad_step", /^step /],
    ["step=99999999999999999", "bad_step", /^step /],
    ["step=1000&step=2000", "bad_step", /^step /],
    ["step=1e4", "bad_step", /^step /],
    [`from=${now - 30 * DAY}&to=${now}&step=1000`, "too_many_points", /step/],
    ["to[]=1748736000000", "bad_range", /^to must be given once, as text \(not to\[\]=\)/],
    ["to[a]=1", "bad_range", /^to must be given once/],
    ["foo=1", "unknown_param", /^unknown parameter 'foo' \(known: to, from, step, link, metric, metrics, kind\)/],
    ["metric=loss&metric=jitter", "bad_metric", /^metric must be given once, one of: rtt_avg/],
    ["metric=bogus", "bad_metric", /^metric must be given once, one of: rtt_avg/],
    ["link=tslcd", "bad_link", /^link must be given once/], // with the link=tslcd every request here carries
    ["from=2025-06-01T07:00:00+07:00", "bad_range", /^from must be .*write \+ as %2B in a URL \(2025-06-01T07:00:00%2B07:00\)/],
  ])("series?%s answers 400 %s naming the parameter", async (query, error, message) => {
    const res = await series(query);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(error);
    expect(res.body.message).toMatch(message);
  });

  it("answers a series over a valid window, ISO times included", async () => {
    const res = await series(`from=2025-06-29T00:00:00Z&to=${now}&step=3600000`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: Date.UTC(2025, 5, 29), to: now, stepMs: 3_600_000 });
  });

  it.each([
    ["from=2025-06-29t00:00:00z&step=3600000", Date.UTC(2025, 5, 29), now, 3_600_000], // RFC 3339 allows lower case
    ["from=2025-06-29T07:00:00%2B07:00&step=3600000", Date.UTC(2025, 5, 29), now, 3_600_000],
    ["from=2025-06-29T07:00:00.123456789%2B07:00&step=3600000", Date.UTC(2025, 5, 29) + 123, now, 3_600_000],
    [`from=0&to=${366 * DAY}&step=86400000`, 0, 366 * DAY, 86_400_000], // exactly 366 days, the longest step
    ["to=2100-01-01T00:00:00Z", Date.UTC(2100, 0, 1) - 3_600_000, Date.UTC(2100, 0, 1), 12_000], // default step
    [`from=${now - DAY}&to=${now}&metric=loss`, now - DAY, now, 288_000],
  ])("series?%s is answered", async (query, from, to, stepMs) => {
    const res = await series(query);
    expect(res.body.error).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from, to, stepMs });
  });

  it("answers the sites list and applications at their boundaries, and refuses unknown parameters", async () => {
    // Summaries read raw samples: at most 7 days (the sample store's bound, a 400 naming it beyond).
    expect((await get(`/apps?from=0&to=${7 * DAY}`)).status).toBe(200);
    expect((await get(`/apps?from=0&to=${7 * DAY + 1}`)).body).toMatchObject({ error: "bad_range", message: expect.stringMatching(/at most .*7 days/) });
    expect((await get("/apps?to=2100-01-01T00:00:00Z&site=tan-phong")).body).toMatchObject({ from: Date.UTC(2099, 11, 31), to: Date.UTC(2100, 0, 1) });
    expect((await get("/sites/tan-phong/events?from=0")).status).toBe(200);
    expect((await get("/sites")).status).toBe(200);
    for (const path of ["/sites?foo=1", "/sites/tan-phong?foo=1", "/apps?sites=tan-phong", "/sites/tan-phong/events?to=1"]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.error, path).toBe("unknown_param");
    }
  });

  it.each([
    ["/apps?from=1234567890123456", "bad_range"],
    [`/apps?from=${now - 400 * DAY}`, "bad_range"],
    ["/apps?site=tan-phong&site=x", "bad_site"],
    ["/sites/tan-phong/events?from=1234567890123456", "bad_range"],
    ["/sites/tan-phong/events?from=a&from=b", "bad_range"],
  ])("%s answers 400 %s", async (path, error) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(error);
  });

  it("logged no error for any of these requests", () => {
    expect(log.lines.filter((line) => line.level === "error")).toEqual([]);
  });
});
