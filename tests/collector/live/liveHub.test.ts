import { LIVE_CLIENTS_PER_ACTOR } from "../../../collector/live/liveHub.js";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { LiveMessage, SiteStatus } from "../../../protocol/api.js";
import { apiTokenIn, bearer } from "../../helpers/auth.js";
import { batchOf, icmpSample, postIngest } from "../../helpers/batches.js";
import { startTestCollector, type TestCollector } from "../../helpers/collectorHarness.js";

/** The HTTP status an upgrade was refused with, or 101 when it was accepted (then closed). */
async function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  const socket = new WebSocket(url, { headers });
  const status = await new Promise<number>((resolve) => {
    socket.once("open", () => resolve(101));
    socket.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    socket.once("error", () => resolve(0));
  });
  socket.terminate();
  return status;
}

/** The site statuses of the frames (`sites` messages) among `messages`, in order. */
function framed(messages: LiveMessage[]): SiteStatus[] {
  return messages.flatMap((m) => (m.type === "sites" ? m.sites : []));
}

/** A connected client and the messages it got, the first (hello) awaited. */
async function connect(url: string, headers: Record<string, string>): Promise<{ socket: WebSocket; messages: LiveMessage[] }> {
  const socket = new WebSocket(url, { headers });
  const messages: LiveMessage[] = [];
  socket.on("message", (data) => messages.push(JSON.parse(data.toString()) as LiveMessage));
  await once(socket, "message");
  return { socket, messages };
}

describe("collector/live/liveHub", () => {
  let t: TestCollector;
  let wsUrl: string;
  beforeAll(async () => {
    t = await startTestCollector(["tan-phong", "bien-hoa"], "http: { max_live_clients: 3, allowed_origins: [\"https://giamsat.tinh.example\"] }");
    wsUrl = `${t.collector.url.replace(/^http/, "ws")}/api/v1/ws`;
  });
  afterAll(() => t?.close());

  it("refuses a foreign Origin (403) and a connection without a credential (401) before sending anything", async () => {
    expect(await upgradeStatus(wsUrl, { ...t.provinceAuth, Origin: "http://evil.example" })).toBe(403);
    expect(await upgradeStatus(wsUrl, {})).toBe(401);
    expect(await upgradeStatus(wsUrl, { Authorization: "Bearer ww_not-a-token" })).toBe(401);
    expect(await upgradeStatus(wsUrl, { ...t.provinceAuth, Origin: "https://giamsat.tinh.example" })).toBe(101);
    expect(await upgradeStatus(wsUrl, { ...t.provinceAuth, Origin: t.collector.url })).toBe(101);
  });

  it("sends each client only what its scope sees, and refuses clients past the limit with 503", async () => {
    const ward = await connect(wsUrl, bearer(apiTokenIn(t.store.auth, { role: "ward", site: "bien-hoa" })));
    const vendor = await connect(wsUrl, bearer(apiTokenIn(t.store.auth, { role: "vendor", provider: "vnpt" })));
    const province = await connect(wsUrl, t.provinceAuth);
    try {
      expect(ward.messages[0]).toMatchObject({ type: "hello", sites: [{ id: "bien-hoa" }] });
      const hello = vendor.messages[0] as Extract<LiveMessage, { type: "hello" }>;
      expect(hello.sites.map((s) => [s.id, s.links.map((l) => l.id)])).toEqual([["tan-phong", ["tslcd"]], ["bien-hoa", ["tslcd"]]]);
      expect(await upgradeStatus(wsUrl, t.provinceAuth)).toBe(503);

      const token = t.tokenFor("tan-phong");
      expect((await postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(1, { round: 1, ts: Date.now() })]), bearer(token))).status).toBe(200);
      await expect.poll(() => framed(province.messages).some((site) => site.id === "tan-phong")).toBe(true);
      await expect.poll(() => framed(vendor.messages).length).toBeGreaterThan(0);
      expect(framed(vendor.messages).map((site) => site.links.map((l) => l.id))).toEqual([["tslcd"]]);
      // Then a push the ward does see: messages on one socket keep their order, so one about tan-phong would be first.
      const own = t.tokenFor("bien-hoa");
      expect((await postIngest(t.collector.url, batchOf("bien-hoa", [icmpSample(1, { round: 1, ts: Date.now() })]), bearer(own))).status).toBe(200);
      await expect.poll(() => framed(ward.messages).length).toBeGreaterThan(0);
      expect(framed(ward.messages).map((site) => site.id)).toEqual(["bien-hoa"]);
      // Every site message is a frame (`sites`), never one message per site.
      expect(province.messages.filter((m) => m.type !== "hello" && m.type !== "sites" && m.type !== "incident")).toEqual([]);
    } finally {
      for (const client of [ward, vendor, province]) client.socket.terminate();
    }
  });
});

describe("collector/live/liveHub: one login cannot take the whole feed", () => {
  let t: TestCollector;
  let wsUrl: string;
  beforeAll(async () => {
    t = await startTestCollector(["tan-phong"], "http: { max_live_clients: 50 }");
    wsUrl = `${t.collector.url.replace(/^http/, "ws")}/api/v1/ws`;
  });
  afterAll(() => t?.close());

  it(`refuses a user's or token's client past ${LIVE_CLIENTS_PER_ACTOR} with 429, and still takes another's`, async () => {
    const ward = bearer(apiTokenIn(t.store.auth, { role: "ward", site: "tan-phong" }));
    const clients = await Promise.all(Array.from({ length: LIVE_CLIENTS_PER_ACTOR }, () => connect(wsUrl, ward)));
    try {
      expect(await upgradeStatus(wsUrl, ward)).toBe(429);
      expect(await upgradeStatus(wsUrl, t.provinceAuth)).toBe(101);
    } finally {
      for (const client of clients) client.socket.terminate();
    }
  });

  it("closes a live feed soon after its token is revoked (1008), without a push or a message", async () => {
    const token = apiTokenIn(t.store.auth, { role: "province" }, "soon-revoked");
    const client = await connect(wsUrl, bearer(token));
    const closed = new Promise<number>((resolve) => client.socket.once("close", (code) => resolve(code)));
    const entry = t.store.auth.listApiTokens().find((candidate) => candidate.name === "soon-revoked")!;
    t.store.auth.revokeApiToken(entry.id, Date.now());
    expect(await closed).toBe(1008);
  });
});
