import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slaRouter } from "../../../collector/api/slaRoute.js";
import { SLA_CSV_HEADER } from "../../../collector/sla/slaCsv.js";
import type { SlaReport } from "../../../protocol/sla.js";
import { HOUR_MS, rounds, site, slaSetup, vn } from "../sla/slaHarness.js";

let base = "";
let setup: ReturnType<typeof slaSetup>;
let close: () => Promise<void>;

beforeAll(async () => {
  const from = vn("2026-03-02T00:00");
  const to = vn("2026-03-03T00:00");
  setup = slaSetup({ startMs: from, sites: [site("a"), site("b")] });
  // a/tslcd down 09:00–09:45 and 14:00–14:20 (two outages, 65 min); everything else up.
  const down = (ts: number) => (ts >= vn("2026-03-02T09:00") && ts < vn("2026-03-02T09:45")) || (ts >= vn("2026-03-02T14:00") && ts < vn("2026-03-02T14:20"));
  await setup.write([...rounds("a", from, to, (link, ts) => link !== "tslcd" || !down(ts)), ...rounds("b", from, to, () => true)]);
  await setup.refreshAt(to + HOUR_MS);
  const app = express();
  app.use(
    "/api/v1",
    slaRouter({
      report: (month, scope) => setup.reports.report(month, scope),
      providerIds: ["vnpt", "viettel"],
      siteIds: ["a", "b"],
      calendar: setup.calendar,
      now: () => setup.clock.nowMs,
      // As the roles middleware would: a request carrying this header is the VNPT vendor's.
      allowedScope: (req) => (req.headers["x-test-vendor"] ? { kind: "provider", provider: String(req.headers["x-test-vendor"]) } : { kind: "all" }),
    }),
  );
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  close = async () => {
    await new Promise((resolve) => server.close(resolve));
    await setup.close();
  };
});
afterAll(() => close());

async function problem(query: string, headers: Record<string, string> = {}): Promise<[number, { error: string; message: string }]> {
  const res = await fetch(`${base}/sla?${query}`, { headers });
  return [res.status, (await res.json()) as { error: string; message: string }];
}

describe("GET /api/v1/sla", () => {
  it("answers the month's report as JSON, and a provider's part", async () => {
    const all = (await (await fetch(`${base}/sla?month=2026-03`)).json()) as SlaReport;
    expect(all.circuits).toHaveLength(4);
    expect(all.providers.map((p) => p.provider)).toEqual(["vnpt", "viettel"]);
    const vnpt = (await (await fetch(`${base}/sla?month=2026-03&provider=vnpt`)).json()) as SlaReport;
    expect(vnpt.scope).toEqual({ kind: "provider", provider: "vnpt" });
    expect(vnpt.circuits.map((c) => c.provider)).toEqual(["vnpt", "vnpt"]);
  });

  it("refuses a bad query with 400 naming the parameter", async () => {
    expect(await problem("month=2026-3")).toEqual([400, { error: "bad_month", message: expect.stringContaining("YYYY-MM") }]);
    expect(await problem("month=2026-03&month=2026-04")).toEqual([400, { error: "bad_month", message: expect.stringContaining("once") }]);
    expect(await problem("month=2099-01")).toEqual([400, { error: "bad_month", message: expect.stringContaining("has not begun") }]);
    expect(await problem("month=2026-03&provider=mobifone")).toEqual([400, { error: "bad_provider", message: "unknown provider 'mobifone' (known: vnpt, viettel)" }]);
    expect(await problem("month=2026-03&site=zz")).toEqual([400, { error: "bad_site", message: "unknown site 'zz'" }]);
    expect(await problem("month=2026-03&site=a&provider=vnpt")).toEqual([400, { error: "bad_scope", message: "give provider or site, not both" }]);
    expect(await problem("month=2026-03&format=csv")).toEqual([400, { error: "unknown_param", message: "unknown parameter 'format' (known: month, provider, site)" }]);
  });

  it("gives a vendor its own part only: another provider's, and one that does not exist, are alike 404", async () => {
    const own = (await (await fetch(`${base}/sla?month=2026-03`, { headers: { "x-test-vendor": "vnpt" } })).json()) as SlaReport;
    expect(own.scope).toEqual({ kind: "provider", provider: "vnpt" });
    const hidden = [404, { error: "not_found", message: "no such part of the SLA report for this account" }];
    expect(await problem("month=2026-03&provider=viettel", { "x-test-vendor": "vnpt" })).toEqual(hidden);
    expect(await problem("month=2026-03&provider=nosuch", { "x-test-vendor": "vnpt" })).toEqual(hidden);
    expect(await problem("month=2026-03&site=nosuch", { "x-test-vendor": "vnpt" })).toEqual(hidden);
  });
});

describe("GET /api/v1/sla.csv", () => {
  it("is UTF-8 with a BOM, bilingual headers, '.' decimals, and the outages the timeline holds", async () => {
    const res = await fetch(`${base}/sla.csv?month=2026-03`);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="sla-2026-03.csv"');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).split("\r\n");
    // A header holding a comma is quoted, so the header line has exactly one name per column.
    expect(lines[0]).toBe(SLA_CSV_HEADER.map((h) => (h.includes(",") ? `"${h}"` : h)).join(","));
    expect(lines[0]).toContain(',"Mất kết nối, phút (Down, min)",');
    const column = (name: string) => SLA_CSV_HEADER.findIndex((h) => h.startsWith(name));
    const tslcdA = lines.find((l) => l.startsWith("Kênh") && l.includes(",a,") && l.includes("TSL-a"))!.split(",");
    expect(tslcdA[column("Số lần mất kết nối")]).toBe("2");
    expect(tslcdA[column("Tổng thời gian mất kết nối")]).toBe("65.00");
    expect(tslcdA[column("Mất kết nối, phút")]).toBe("65.00");
    const report = await setup.reports.report("2026-03", { kind: "all" });
    const circuit = report.circuits.find((c) => c.site === "a" && c.link === "tslcd")!;
    expect(circuit.outageList).toEqual([
      { startTs: vn("2026-03-02T09:00"), endTs: vn("2026-03-02T09:45") },
      { startTs: vn("2026-03-02T14:00"), endTs: vn("2026-03-02T14:20") },
    ]);
    expect(tslcdA[column("Khả dụng 24/7")]).toBe(circuit.allHours.availabilityPct!.toFixed(3));
    expect(tslcdA[column("Khả dụng 24/7")]).toMatch(/^\d+\.\d{3}$/);
    const vnptTotal = lines.find((l) => l.startsWith("Tổng nhà mạng") && l.includes("VNPT"))!.split(",");
    expect(vnptTotal[column("Số lần mất kết nối")]).toBe("2");
    expect(vnptTotal[column("Số kênh")]).toBe("2");
  });
});
