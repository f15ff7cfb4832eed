import { describe, expect, it } from "vitest";
import { diagnose } from "../../../agent/status/diagnosis.js";
import { renderStatusPage } from "../../../agent/status/statusPage.js";
import { at, camera, healthySite, LOST_ROUND, motCua, tslcd, viettel } from "./statusFixtures.js";

const HOSTILE = `<script>alert("x")</script>`;

describe("agent/status/statusPage", () => {
  it("escapes every value that comes from config or probes", () => {
    const status = healthySite({
      siteName: HOSTILE,
      site: `a"b'c&d`,
      links: [tslcd({ provider: HOSTILE, circuit: "<b>", boundTo: "<i>", state: "down", last: { ...LOST_ROUND, reason: "<img src=x onerror=alert(1)>" } }), viettel()],
      apps: [{ ...motCua(), name: HOSTILE, target: `"><svg onload=alert(1)>` }],
      lan: [camera({ name: HOSTILE, target: "<u>" })],
      uplink: { lastPushOkTs: null, lastError: "</td><script>", consecutiveFailures: 5, collectorUrl: "<x>", viaLink: "<y>" },
    });
    const page = renderStatusPage(status, diagnose(status), "vi");
    expect(page).not.toContain("<script");
    expect(page).not.toMatch(/<(img|svg onload|b>|i>|u>|x>)/);
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(page).toContain("a&quot;b&#39;c&amp;d");
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("shows how many records the collector refused and the newest ones with their reason, escaped", () => {
    const refused = { seq: 812, refusedAt: at("09:30"), error: "unknown_link", message: `samples[0].link: ${HOSTILE}`, what: "icmp:192.0.2.1 via <fpt>" };
    const status = healthySite({ spool: { pendingRecords: 0, droppedRecords: 0, bytes: 4096, refusedRecords: 1234, recentRefused: [refused] } });
    const vi = renderStatusPage(status, diagnose(status), "vi");
    expect(vi).toContain("Bản ghi bị máy chủ giám sát từ chối (đã để riêng tại trạm)");
    expect(vi).toContain('<span class="bad">1.234</span>');
    expect(vi).toMatch(/09:30<\/span> · bản ghi 812 \(<span class="mono">icmp:192\.0\.2\.1 via &lt;fpt&gt;<\/span>\): <span class="reason">unknown_link: samples\[0\]\.link: &lt;script&gt;/);
    expect(vi).not.toContain("<script");
    expect(renderStatusPage(status, diagnose(status), "en")).toContain("Records refused by the collector (set aside on site)");
  });

  it("shows the diagnosis on top, the glossary's state words, vi-VN dates and numbers, and refreshes every 10 s", () => {
    const status = healthySite({
      links: [
        tslcd({ state: "down", sinceTs: at("09:12"), last: LOST_ROUND }),
        viettel({ state: "degraded", last: { ts: at("09:59"), ok: true, latencyMs: 1340, lossPct: 12.5, reason: null } }),
      ],
      spool: { pendingRecords: 12345, droppedRecords: 0, bytes: 1_572_864, refusedRecords: 0, recentRefused: [] },
    });
    const page = renderStatusPage(status, diagnose(status), "vi");
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<meta http-equiv="refresh" content="10">');
    expect(page).toContain("<h1>UBND phường Trấn Biên</h1>");
    expect(page.indexOf("Mất kết nối mạng TSLCD từ 09:12")).toBeLessThan(page.indexOf("<table"));
    expect(page).toContain('class="diagnosis sev-critical"');
    for (const word of ["Mất kết nối", "Suy giảm", "Bình thường"]) expect(page).toContain(`>${word}</span>`);
    expect(page).toContain("14/11/2025 09:12");
    expect(page).toContain("1.340");
    expect(page).toContain("12,5");
    expect(page).toContain("12.345");
    expect(page).toContain("1,5 MB");
    expect(page).toContain("DNI-TSL-000123");
    expect(page).toContain('href="?lang=en"');
    expect(page).toMatch(/<svg class="spark"[^>]*>.*<path d="M/s);
    // Nothing may be fetched: the page must work with both WAN links down.
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it("speaks English with ?lang=en wording and links back to Vietnamese", () => {
    const status = healthySite({ links: [tslcd({ state: "unknown", sinceTs: null, last: null, history: [] }), viettel()] });
    const page = renderStatusPage(status, diagnose(status), "en");
    expect(page).toContain('<html lang="en">');
    expect(page).toContain(">Unknown</span>");
    expect(page).toContain("TSLCD network state unknown: no measurements yet");
    expect(page).toContain("No data yet");
    expect(page).toContain('href="?lang=vi"');
  });

  it("draws a gap in the latency line where nothing answered and red loss bars", () => {
    const history = Array.from({ length: 6 }, (_, i) => ({ ts: at("09:50") + i * 60_000, latencyMs: i === 2 || i === 3 ? null : 20, lossPct: i === 2 || i === 3 ? 100 : 0 }));
    const status = healthySite({ links: [tslcd({ history })], apps: [], lan: [] });
    const page = renderStatusPage(status, diagnose(status), "vi");
    const line = /<path d="([^"]+)" fill="none"/.exec(page)?.[1] ?? "";
    expect(line.match(/M/g)).toHaveLength(2);
    expect(page).toContain('fill="#dc2626"');
    expect(page).toContain("tỷ lệ mất gói cao nhất 100%");
  });
});
