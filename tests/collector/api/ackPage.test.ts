import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AckLinkSigner } from "../../../collector/alerts/ackLink.js";
import { ackRouter } from "../../../collector/api/ackPage.js";
import { jsonErrorHandler } from "../../../collector/api/httpErrors.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import { linkIncidentFixture } from "../../helpers/incidentFixtures.js";

const DAY_MS = 86_400_000;
/** 15/01/2025 08:30 in UTC+7. */
const START_TS = Date.UTC(2025, 0, 15, 1, 30);
/** This file's incidents start at START_TS and are detected three minutes later. */
const INCIDENT_TIMES = { startTs: START_TS, detectedTs: START_TS + 180_000 };

const RECEIVERS: Record<string, { name: string; language: "vi" | "en" }> = {
  "vnpt-noc": { name: "VNPT Đồng Nai - Trung tâm điều hành", language: "vi" },
  "intl-noc": { name: "Global Carrier NOC", language: "en" },
};

describe("collector/api/ackPage", () => {
  const store = SqliteMetadataStore.open(":memory:");
  const clock = { nowMs: START_TS + DAY_MS };
  const signer = new AckLinkSigner({ key: Buffer.alloc(32, 3), publicUrl: "http://127.0.0.1:1", ttlMs: 7 * DAY_MS, now: () => clock.nowMs });
  let server: Server;
  let base: string;
  const unexpected: unknown[] = [];

  /** The path of the link (the signer's publicUrl is not where the test server listens). */
  const pathOf = (incidentId: number, receiverId: string) => new URL(signer.link(incidentId, receiverId)).pathname;
  const page = async (path: string, form?: string) => {
    const res = await fetch(`${base}${path}`, form === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form });
    return { status: res.status, headers: res.headers, html: await res.text() };
  };

  beforeAll(async () => {
    store.incidents.openIncident(linkIncidentFixture(INCIDENT_TIMES));
    store.incidents.openIncident(
      linkIncidentFixture({
        ...INCIDENT_TIMES,
        key: "link:bien-hoa:tslcd",
        sites: [{ site: "bien-hoa", siteName: `Phường "Biên Hòa"><img src=x onerror=alert(1)>`, links: ["tslcd"] }],
        summary: "<script>alert('sự cố')</script> & 'quoted'",
      }),
    );
    store.incidents.openIncident(linkIncidentFixture({ ...INCIDENT_TIMES, key: "link:long-binh:tslcd", sites: [{ site: "long-binh", siteName: "Phường Long Bình", links: ["tslcd"] }], summary: "Mất kết nối TSLCD tại Phường Long Bình" }));

    const app = express();
    app.use(
      ackRouter({
        signer,
        incidents: store.incidents,
        receiverName: (id) => RECEIVERS[id] ?? null,
        acknowledge: (id, { by, ticket }) =>
          store.incidents.updateIncident(id, { acknowledgedTs: clock.nowMs, ...(by !== null ? { acknowledgedBy: by } : {}), ...(ticket !== null ? { vendorTicket: ticket } : {}) }),
      }),
    );
    app.use(jsonErrorHandler((err) => unexpected.push(err)));
    server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    store.close();
    expect(unexpected).toEqual([]);
  });

  function expectSafePage(res: { headers: Headers; html: string }, lang = "vi"): void {
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/);
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.html).toMatch(new RegExp(`^<!doctype html><html lang="${lang}">`));
    // No scripts, no external resources: no such element, no tag with a src or href (escaped text is not a tag).
    expect(res.html).not.toMatch(/<(script|link|img|iframe|object|embed)\b/i);
    expect(res.html).not.toMatch(/<[^>]*\s(src|href)=/i);
  }

  it("shows the incident and the form in Vietnamese", async () => {
    const res = await page(pathOf(1, "vnpt-noc"));
    expect(res.status).toBe(200);
    expectSafePage(res);
    expect(res.html).toContain("<h1>Xác nhận tiếp nhận sự cố SC-000001</h1>");
    expect(res.html).toContain("Kính gửi: VNPT Đồng Nai - Trung tâm điều hành");
    expect(res.html).toContain("<dd>Mất kết nối TSLCD tại Phường Tân Phong</dd>");
    expect(res.html).toContain("<dd>Phường Tân Phong</dd>");
    expect(res.html).toContain("<dd>15/01/2025 08:30 (UTC+7)</dd>");
    expect(res.html).toContain("<dd>Đang xảy ra</dd>");
    expect(res.html).toContain('<form method="post"><label for="ticket">Số phiếu của nhà mạng (không bắt buộc)</label>');
    expect(res.html).toContain('<input id="ticket" name="ticket"');
    expect(res.html).toContain('<button type="submit">Xác nhận tiếp nhận</button>');
  });

  it("records the acknowledgement with the receiver's name, the ticket and the time, then shows it", async () => {
    clock.nowMs = START_TS + 2 * 3_600_000;
    const res = await page(pathOf(1, "vnpt-noc"), "ticket=+VNPT-778899+");
    expect(res.status).toBe(200);
    expectSafePage(res);
    expect(res.html).toContain("Đã ghi nhận xác nhận tiếp nhận sự cố SC-000001 lúc 15/01/2025 10:30 (UTC+7). Xin cảm ơn.");
    expect(store.incidents.getIncident(1)).toMatchObject({ acknowledgedBy: "VNPT Đồng Nai - Trung tâm điều hành", vendorTicket: "VNPT-778899", timeline: { acknowledgedTs: START_TS + 2 * 3_600_000 } });

    const after = await page(pathOf(1, "vnpt-noc"));
    expect(after.html).toContain("Sự cố này đã được xác nhận tiếp nhận.");
    expect(after.html).toContain("<dd>VNPT Đồng Nai - Trung tâm điều hành, lúc 15/01/2025 10:30 (UTC+7)</dd>");
    expect(after.html).toContain("<dt>Số phiếu của nhà mạng</dt><dd>VNPT-778899</dd>");
    expect(after.html).not.toContain("<form");
  });

  it("confirms a repeat of the same acknowledgement and answers another ticket with who acknowledged first (200) without changing anything", async () => {
    clock.nowMs += 3_600_000;
    const again = await page(pathOf(1, "vnpt-noc"), "ticket=VNPT-778899");
    expect(again.status).toBe(200);
    expect(again.html).toContain("lúc 15/01/2025 10:30 (UTC+7). Xin cảm ơn.");
    const other = await page(pathOf(1, "vnpt-noc"), "ticket=VNPT-999");
    expect(other.status).toBe(200);
    expectSafePage(other);
    expect(other.html).toContain("Sự cố này đã được VNPT Đồng Nai - Trung tâm điều hành xác nhận tiếp nhận trước đó lúc 15/01/2025 10:30 (UTC+7)");
    expect(store.incidents.getIncident(1)).toMatchObject({ vendorTicket: "VNPT-778899", timeline: { acknowledgedTs: START_TS + 2 * 3_600_000 } });
  });

  it("answers the vendor's genuine link with who acknowledged first (200), after a user of the dashboard did", async () => {
    const id = store.incidents.openIncident(linkIncidentFixture({ ...INCIDENT_TIMES, key: "link:tam-hiep:tslcd", sites: [{ site: "tam-hiep", siteName: "Phường Tam Hiệp", links: ["tslcd"] }] })).id;
    store.incidents.updateIncident(id, { acknowledgedTs: START_TS + 3_600_000, acknowledgedBy: "nguyen.van.an" });
    const res = await page(pathOf(id, "vnpt-noc"), "ticket=");
    expect(res.status).toBe(200);
    expect(res.html).toContain("Sự cố này đã được nguyen.van.an xác nhận tiếp nhận trước đó lúc 15/01/2025 09:30 (UTC+7)");
    expect(store.incidents.getIncident(id)).toMatchObject({ acknowledgedBy: "nguyen.van.an", vendorTicket: null });
  });

  it("acknowledges without a ticket when the field is left empty", async () => {
    const res = await page(pathOf(3, "vnpt-noc"), "ticket=");
    expect(res.status).toBe(200);
    expect(store.incidents.getIncident(3)).toMatchObject({ acknowledgedBy: "VNPT Đồng Nai - Trung tâm điều hành", vendorTicket: null });
    expect(res.html).toContain("<dt>Số phiếu của nhà mạng</dt><dd>—</dd>");
  });

  it("refuses a tampered link with 403 and records nothing", async () => {
    const [payload, signature] = pathOf(2, "vnpt-noc").slice("/ack/".length).split(".") as [string, string];
    const otherIncident = Buffer.from(JSON.stringify({ i: 2, r: "intl-noc", e: clock.nowMs + DAY_MS })).toString("base64url");
    const flipped = `${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`;
    for (const path of [`/ack/${otherIncident}.${signature}`, `/ack/${payload}.${flipped}`, "/ack/not-a-token", `/ack/${payload}`]) {
      for (const form of [undefined, "ticket=FORGED-1"]) {
        const res = await page(path, form);
        expect(res.status).toBe(403);
        expectSafePage(res);
        expect(res.html).toContain("Liên kết không hợp lệ");
        expect(res.html).toContain("Invalid link");
        expect(res.html).not.toContain("SC-000002");
      }
    }
    expect(store.incidents.getIncident(2)).toMatchObject({ acknowledgedBy: null, vendorTicket: null, timeline: { acknowledgedTs: null } });
  });

  it("refuses an expired link with 410 and records nothing", async () => {
    const path = pathOf(2, "vnpt-noc");
    clock.nowMs += 7 * DAY_MS;
    for (const form of [undefined, "ticket=LATE-1"]) {
      const res = await page(path, form);
      expect(res.status).toBe(410);
      expectSafePage(res);
      expect(res.html).toContain("Liên kết đã hết hạn");
    }
    expect(store.incidents.getIncident(2)!.timeline.acknowledgedTs).toBeNull();
  });

  it("answers 404 for an unknown incident and 403 for a receiver no longer configured", async () => {
    const missing = await page(pathOf(99, "vnpt-noc"));
    expect(missing.status).toBe(404);
    expectSafePage(missing);
    expect(missing.html).toContain("Không tìm thấy sự cố");
    const gone = await page(pathOf(2, "removed-noc"), "ticket=X");
    expect(gone.status).toBe(403);
    expect(store.incidents.getIncident(2)!.timeline.acknowledgedTs).toBeNull();
  });

  it("shows the page in English to an English receiver", async () => {
    const res = await page(pathOf(2, "intl-noc"));
    expect(res.status).toBe(200);
    expectSafePage(res, "en");
    expect(res.html).toContain("<h1>Acknowledge incident SC-000002</h1>");
    expect(res.html).toContain("To: Global Carrier NOC");
    expect(res.html).toContain("<dt>Started at</dt><dd>15/01/2025 08:30 (UTC+7)</dd>");
    expect(res.html).toContain("<dd>Ongoing</dd>");
    expect(res.html).toContain('<label for="ticket">Vendor ticket number (optional)</label>');
    expect(res.html).toContain('<button type="submit">Acknowledge</button>');
  });

  it("escapes a hostile summary and site name", async () => {
    const res = await page(pathOf(2, "vnpt-noc"));
    expect(res.status).toBe(200);
    expectSafePage(res);
    expect(res.html).toContain("<dd>&lt;script&gt;alert(&#39;sự cố&#39;)&lt;/script&gt; &amp; &#39;quoted&#39;</dd>");
    expect(res.html).toContain("<dd>Phường &quot;Biên Hòa&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</dd>");
  });

  it("refuses a bad ticket (400) and an oversized form (413) with a page, recording nothing", async () => {
    const bad = await page(pathOf(2, "vnpt-noc"), `ticket=${encodeURIComponent("VNPT\u0007-1")}`);
    expect(bad.status).toBe(400);
    expectSafePage(bad);
    expect(bad.html).toContain("Số phiếu của nhà mạng không hợp lệ");
    expect(bad.html).toContain("<form");
    const long = await page(pathOf(2, "vnpt-noc"), `ticket=${"T".repeat(65)}`);
    expect(long.status).toBe(400);
    const huge = await page(pathOf(2, "vnpt-noc"), `ticket=${"T".repeat(5000)}`);
    expect(huge.status).toBe(413);
    expectSafePage(huge);
    // A refused link is refused before its body is read.
    expect((await page("/ack/not-a-token", `ticket=${"T".repeat(5000)}`)).status).toBe(403);
    expect(store.incidents.getIncident(2)!.timeline.acknowledgedTs).toBeNull();
  });

  it("shows a closed incident as restored", async () => {
    store.incidents.updateIncident(3, { restoredTs: START_TS + 5 * 3_600_000, endTs: START_TS + 5 * 3_600_000 });
    const res = await page(pathOf(3, "vnpt-noc"));
    expect(res.html).toContain("<dd>Đã khôi phục kết nối</dd>");
    expect(res.html).toContain("<dt>Khôi phục lúc</dt><dd>15/01/2025 13:30 (UTC+7)</dd>");
  });
});
