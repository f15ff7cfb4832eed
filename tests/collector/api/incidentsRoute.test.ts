import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidentsRouter, type IncidentView } from "../../../collector/api/incidentsRoute.js";
import { jsonErrorHandler } from "../../../collector/api/httpErrors.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import { linkIncidentFixture } from "../../helpers/incidentFixtures.js";
import { actAs, scopeFilterOf } from "../../helpers/auth.js";

describe("collector/api/incidentsRoute", () => {
  const store = SqliteMetadataStore.open(":memory:");
  const clock = { nowMs: 50_000 };
  let server: Server;
  let base: string;
  const unexpected: unknown[] = [];

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, json: (await res.json()) as any };
  };
  const post = async (path: string, body: unknown, raw = false) => {
    const res = await fetch(`${base}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: raw ? (body as string) : JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as any };
  };

  beforeAll(async () => {
    // 1: link, vnpt, tan-phong (open); 2: site, bien-hoa (open); 3: link, viettel, tan-phong (closed, merged into 2).
    store.incidents.openIncident(linkIncidentFixture());
    store.incidents.openIncident(linkIncidentFixture({ key: "site:bien-hoa", kind: "site", cause: "agent_silent", severity: "critical", provider: null, providerName: null, link: null, linkKind: null, circuit: null, sites: [{ site: "bien-hoa", siteName: "Phường Biên Hòa", links: [] }], summary: "Mất liên lạc với trạm Phường Biên Hòa" }));
    store.incidents.openIncident(linkIncidentFixture({ key: "link:tan-phong:inet", provider: "viettel", providerName: "Viettel", link: "inet", linkKind: "internet", summary: "Mất kết nối Internet tại Phường Tân Phong" }));
    store.incidents.updateIncident(3, { endTs: 9000, mergedInto: 2 });

    const app = express();
    app.use(actAs());
    app.use(
      "/api/v1",
      incidentsRouter({
        filter: scopeFilterOf(),
        causeStillPresent: () => null,
        audit: () => {},
        incidents: store.incidents,
        now: () => clock.nowMs,
        acknowledge: (id, { by, ticket }) =>
          store.incidents.updateIncident(id, { acknowledgedTs: clock.nowMs, ...(by !== null ? { acknowledgedBy: by } : {}), ...(ticket !== null ? { vendorTicket: ticket } : {}) }),
        resolve: (id) => store.incidents.updateIncident(id, { restoredTs: clock.nowMs, endTs: clock.nowMs }),
      }),
    );
    app.use(jsonErrorHandler((err) => unexpected.push(err)));
    server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    store.close();
    expect(unexpected).toEqual([]);
  });

  describe("GET /incidents", () => {
    it("lists newest first, without the internal key, with mergedInto", async () => {
      const res = await get("/incidents");
      expect(res.status).toBe(200);
      const listed = res.json as IncidentView[];
      expect(listed.map((i) => i.id)).toEqual([3, 2, 1]);
      expect(listed.every((i) => !("key" in i))).toBe(true);
      expect(listed.map((i) => i.mergedInto)).toEqual([2, null, null]);
      expect(listed[2]).toMatchObject({ number: "SC-000001", state: "open", provider: "vnpt", timeline: { startTs: 1000 } });
    });

    it.each([
      ["state=open", [2, 1]],
      ["state=closed", [3]],
      ["site=tan-phong", [3, 1]],
      ["provider=vnpt", [1]],
      ["kind=site", [2]],
      ["state=open&site=tan-phong&provider=vnpt&kind=link", [1]],
      ["limit=2", [3, 2]],
      ["site=nowhere", []],
    ])("filters by %s", async (query, ids) => {
      const res = await get(`/incidents?${query}`);
      expect(res.status).toBe(200);
      expect((res.json as IncidentView[]).map((i) => i.id)).toEqual(ids);
    });

    it.each([
      ["state=oops", "bad_state", /state must be open or closed/],
      ["state=open&state=closed", "bad_state", /once/],
      ["site=Tan%20Phong", "bad_site", /site must be an id/],
      ["provider=..%2Fetc", "bad_provider", /provider must be an id/],
      ["kind=vendor", "bad_kind", /kind must be one of: link, site, provider, collector/],
      ["limit=0", "bad_limit", /limit must be an integer from 1 to 1000/],
      ["limit=abc", "bad_limit", /limit/],
      ["limit=1001", "bad_limit", /limit/],
      ["limit=-5", "bad_limit", /limit/],
      ["sate=open", "unknown_param", /unknown parameter 'sate'/],
    ])("refuses %s with 400 naming the parameter", async (query, error, message) => {
      const res = await get(`/incidents?${query}`);
      expect(res.status).toBe(400);
      expect(res.json.error).toBe(error);
      expect(res.json.message).toMatch(message);
    });
  });

  describe("GET /incidents/:id", () => {
    it("returns the incident by id or by reference", async () => {
      const byId = await get("/incidents/1");
      expect(byId.status).toBe(200);
      expect(byId.json).toMatchObject({ id: 1, number: "SC-000001", summary: "Mất kết nối TSLCD tại Phường Tân Phong", mergedInto: null });
      expect("key" in byId.json).toBe(false);
      expect((await get("/incidents/SC-000001")).json.id).toBe(1);
    });

    it("answers 404 for an unknown incident and 400 for an id that is not one", async () => {
      expect(await get("/incidents/99")).toEqual({ status: 404, json: { error: "not_found", message: "no incident 99" } });
      const bad = await get("/incidents/abc");
      expect(bad.status).toBe(400);
      expect(bad.json.error).toBe("bad_id");
    });
  });

  describe("POST /incidents/:id/ack", () => {
    it("records the time, who and the vendor ticket", async () => {
      clock.nowMs = 60_000;
      const res = await post("/incidents/1/ack", { by: "VNPT NOC - Nguyễn Văn A", ticket: "VNPT-778899" });
      expect(res.status).toBe(200);
      // The named person beside the credential that sent it (a vendor cannot act under another's name alone).
      const by = expect.stringMatching(/^VNPT NOC - Nguyễn Văn A \(via .+\)$/);
      expect(res.json).toMatchObject({ id: 1, acknowledgedBy: by, vendorTicket: "VNPT-778899", timeline: { acknowledgedTs: 60_000 } });
      expect(store.incidents.getIncident(1)).toMatchObject({ acknowledgedBy: by, vendorTicket: "VNPT-778899", timeline: { acknowledgedTs: 60_000 } });
    });

    it("answers a repeat with the same ticket 200 without changing anything, and another ticket 409", async () => {
      clock.nowMs = 70_000;
      const again = await post("/incidents/1/ack", { ticket: "VNPT-778899" });
      expect(again.status).toBe(200);
      expect(again.json.timeline.acknowledgedTs).toBe(60_000);
      const other = await post("/incidents/1/ack", { by: "someone else", ticket: "VNPT-000001" });
      expect(other.status).toBe(409);
      expect(other.json.error).toBe("already_acknowledged");
      expect(other.json.message).toMatch(/SC-000001 was acknowledged at .* by VNPT NOC - Nguyễn Văn A \(via .+\) with ticket VNPT-778899/);
      const withoutTicket = await post("/incidents/1/ack", {});
      expect(withoutTicket.status).toBe(409);
      expect(store.incidents.getIncident(1)).toMatchObject({ acknowledgedBy: "VNPT NOC - Nguyễn Văn A (via test-province)", vendorTicket: "VNPT-778899", timeline: { acknowledgedTs: 60_000 } });
    });

    it("refuses to acknowledge an incident that is already closed (409 already_closed)", async () => {
      const closed = store.incidents.openIncident(linkIncidentFixture({ key: "link:tan-phong:closed-one" }));
      store.incidents.updateIncident(closed.id, { restoredTs: 64_000, endTs: 65_000 });
      const res = await post(`/incidents/${closed.id}/ack`, { ticket: "VNPT-LATE" });
      expect(res.status).toBe(409);
      expect(res.json.error).toBe("already_closed");
      expect(store.incidents.getIncident(closed.id)?.vendorTicket).toBeNull();
    });

    it("accepts an acknowledgement with no body at all, by the user or token that sent it", async () => {
      const res = await fetch(`${base}/incidents/2/ack`, { method: "POST" });
      expect(res.status).toBe(200);
      expect(store.incidents.getIncident(2)).toMatchObject({ acknowledgedBy: "test-province", vendorTicket: null, timeline: { acknowledgedTs: 70_000 } });
      // Both without a ticket: the same acknowledgement, so a retry succeeds.
      expect((await post("/incidents/2/ack", {})).status).toBe(200);
    });

    it("refuses a body that is not JSON rather than acknowledging without its ticket", async () => {
      const res = await fetch(`${base}/incidents/3/ack`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: '{"ticket":"X-1"}' });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { error: string }).error).toBe("unsupported_media_type");
      expect(store.incidents.getIncident(3)!.timeline.acknowledgedTs).toBeNull();
    });

    it("answers 404 for an unknown incident", async () => {
      const res = await post("/incidents/99/ack", { ticket: "X-1" });
      expect(res).toEqual({ status: 404, json: { error: "not_found", message: "no incident 99" } });
    });

    it.each<[string, unknown, number, string, RegExp]>([
      ["malformed JSON", '{"ticket": "VNPT-1"', 400, "malformed_json", /not valid JSON/],
      ["a body that is not an object", "[1, 2]", 400, "invalid_body", /\(body\)/],
      ["a `by` over 100 characters", JSON.stringify({ by: "x".repeat(101) }), 400, "invalid_body", /^by: must be at most 100 characters/],
      ["a ticket over 64 characters", JSON.stringify({ ticket: "T".repeat(65) }), 400, "invalid_body", /^ticket: must be at most 64/],
      ["a ticket with a control character", JSON.stringify({ ticket: "VNPT\u0000-1" }), 400, "invalid_body", /^ticket: must contain only printable/],
      ["a ticket with a bidi override", JSON.stringify({ ticket: "VNPT\u202e-1" }), 400, "invalid_body", /printable/],
      ["an empty ticket", JSON.stringify({ ticket: "  " }), 400, "invalid_body", /^ticket: must not be empty/],
      ["a ticket that is a number", JSON.stringify({ ticket: 12345 }), 400, "invalid_body", /^ticket:/],
      ["an unknown key", JSON.stringify({ ticket: "VNPT-1", note: "hi" }), 400, "invalid_body", /note/],
      ["a body over 16 KiB", JSON.stringify({ by: "x".repeat(17_000) }), 413, "body_too_large", /limit of 16384 bytes/],
    ])("refuses %s and changes nothing", async (_name, body, status, error, message) => {
      const before = store.incidents.getIncident(3);
      const res = await post("/incidents/3/ack", body, true);
      expect(res.status).toBe(status);
      expect(res.json.error).toBe(error);
      expect(res.json.message).toMatch(message);
      expect(store.incidents.getIncident(3)).toEqual(before);
    });
  });

  describe("POST /incidents/:id/resolve", () => {
    it("closes an open incident, then answers 409 when asked again", async () => {
      clock.nowMs = 80_000;
      const res = await post("/incidents/1/resolve", { by: "Sở KH&CN" });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ id: 1, state: "closed", timeline: { endTs: 80_000 } });
      expect(store.incidents.getIncident(1)!.state).toBe("closed");
      const again = await post("/incidents/1/resolve", {});
      expect(again.status).toBe(409);
      expect(again.json).toMatchObject({ error: "already_closed", message: expect.stringMatching(/SC-000001 was closed at 1970-01-01T00:01:20.000Z/) });
    });

    it("answers 404 for an unknown incident and 400 for a bad body", async () => {
      expect((await post("/incidents/99/resolve", {})).status).toBe(404);
      const bad = await post("/incidents/2/resolve", { by: "x", ticket: "nope" });
      expect(bad.status).toBe(400);
      expect(bad.json.error).toBe("invalid_body");
      expect(store.incidents.getIncident(2)!.state).toBe("open");
    });
  });
});
