import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SiteListCache } from "../../../collector/api/siteListCache.js";
import { OriginPolicy } from "../../../collector/auth/origin.js";
import { ScopeFilter, type Scope } from "../../../collector/auth/scope.js";
import { LiveHub } from "../../../collector/live/liveHub.js";
import type { LiveMessage, SiteStatus } from "../../../protocol/api.js";

const TOPOLOGY = [
  { id: "tan-phong", links: [{ id: "tslcd", provider: "vnpt" }, { id: "inet", provider: "viettel" }] },
  { id: "bien-hoa", links: [{ id: "tslcd", provider: "vnpt" }, { id: "inet", provider: "fpt" }] },
];

function status(id: string, state: SiteStatus["state"], lastSeenTs: number): SiteStatus {
  const links = TOPOLOGY.find((s) => s.id === id)!.links.map((l) => ({ id: l.id, provider: l.provider, state }) as unknown as SiteStatus["links"][number]);
  return { id, name: id, address: null, simulated: false, state, lastSeenTs, clockOffsetMs: 0, clockSkewed: false, spool: null, refusedRecords: 0, lastPushVia: null, links };
}

/** Scopes by the `x-scope` header of the upgrade: `province`, `vendor:ID` or `ward:ID`. */
function scopeOf(header: string | string[] | undefined): Scope {
  const [role, id = ""] = String(header).split(":");
  return role === "vendor" ? { role, actor: "v", provider: id } : role === "ward" ? { role, actor: "w", site: id } : { role: "province", actor: "p" };
}

describe("collector/live/liveHub hello and frames", () => {
  const clock = { nowMs: 100_000 };
  let current = new Map<string, SiteStatus>();
  let server: Server;
  let hub: LiveHub;
  let url: string;

  beforeAll(async () => {
    current = new Map(TOPOLOGY.map((s) => [s.id, status(s.id, "up", 0)]));
    const filter = new ScopeFilter(TOPOLOGY);
    const siteList = new SiteListCache({ build: () => [...current.values()], filter, now: () => clock.nowMs, maxAgeMs: 1000 });
    server = createServer((_req, res) => res.end());
    hub = new LiveHub(server, {
      siteList: (scope) => siteList.forScope(scope),
      identify: (req) => ({ scope: scopeOf(req.headers["x-scope"]), session: null, apiTokenId: null }),
      stillValid: () => true,
      origins: new OriginPolicy("http://127.0.0.1", []),
      filter,
      maxClients: 10,
      onClientCount: () => {},
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/ws`;
  });
  afterAll(async () => {
    await hub.close();
    server.close();
  });

  /** Connects as `scope`; resolves with the messages once `count` arrived (text frames, parsed). */
  async function messagesOf(scope: string, count: number): Promise<{ messages: LiveMessage[]; socket: WebSocket }> {
    const socket = new WebSocket(url, { headers: { "x-scope": scope } });
    const messages: LiveMessage[] = [];
    await new Promise<void>((resolve) => {
      socket.on("message", (data, isBinary) => {
        expect(isBinary).toBe(false);
        messages.push(JSON.parse(data.toString()) as LiveMessage);
        if (messages.length === count) resolve();
      });
    });
    return { messages, socket };
  }

  it("a client whose hello comes from an older list also gets the frames published since, filtered by its scope", async () => {
    // The list is built now (at 100 000) by the first client; a state change is then published at 100 500.
    const first = await messagesOf("province", 1);
    current.set("tan-phong", status("tan-phong", "down", 100_400));
    hub.publishSites([current.get("tan-phong")!], 100_500);
    clock.nowMs = 100_600; // still within the list's second: the next hello is the list from 100 000
    const vendor = await messagesOf("vendor:viettel", 2);
    expect(vendor.messages[0]).toMatchObject({ type: "hello", sites: [{ id: "tan-phong", state: "up" }] });
    const missed = vendor.messages[1] as Extract<LiveMessage, { type: "sites" }>;
    expect(missed.type).toBe("sites");
    expect(missed.sites.map((s) => [s.id, s.state, s.links.map((l) => l.id)])).toEqual([["tan-phong", "down", ["inet"]]]);
    // A ward that sees none of the frame's sites gets its hello only; the next frame it sees comes next.
    const ward = await messagesOf("ward:bien-hoa", 1);
    hub.publishSites([status("bien-hoa", "degraded", 100_700)], 100_700);
    await expect.poll(() => ward.messages.length).toBe(2);
    expect(ward.messages[1]).toMatchObject({ type: "sites", sites: [{ id: "bien-hoa", state: "degraded" }] });
    await expect.poll(() => first.messages.length).toBe(3); // the province saw both frames, one message each
    for (const client of [first, vendor, ward]) client.socket.terminate();
  });

  it("a list built after a frame is not followed by that frame again", async () => {
    clock.nowMs = 200_000; // a new build: it already has every change published before it
    const client = await messagesOf("province", 1);
    hub.publishSites([status("bien-hoa", "up", 200_100)], 200_100);
    await expect.poll(() => client.messages.length).toBe(2);
    expect(client.messages.map((m) => m.type)).toEqual(["hello", "sites"]);
    client.socket.terminate();
  });
});
