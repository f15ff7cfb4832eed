import { connect } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startStatusServer, type RunningStatusServer } from "../../../agent/status/statusServer.js";
import type { AgentStatus } from "../../../agent/status/statusModel.js";
import { memoryLogger, type MemoryLogger } from "../../helpers/memoryLogger.js";
import { at, healthySite, LOST_ROUND, tslcd, viettel } from "./statusFixtures.js";

/** Sends `bytes` on a raw TCP connection and resolves with everything the server wrote back before closing. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let reply = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (reply += chunk));
    socket.on("end", () => resolve(reply));
    socket.on("close", () => resolve(reply));
    socket.on("error", reject);
    socket.on("connect", () => socket.write(bytes, "latin1"));
  });
}

describe("agent/status/statusServer", () => {
  let server: RunningStatusServer;
  let log: MemoryLogger;
  let status: AgentStatus;
  let sourceFails = false;

  beforeEach(async () => {
    log = memoryLogger("agent");
    status = healthySite({ links: [tslcd({ state: "down", sinceTs: at("09:12"), last: LOST_ROUND }), viettel()] });
    sourceFails = false;
    server = await startStatusServer({
      host: "127.0.0.1",
      port: 0,
      logger: log.logger,
      source: () => {
        if (sourceFails) throw new Error("monitor gone");
        return status;
      },
    });
  });
  afterEach(async () => {
    await server.close();
  });

  it("listens on the port it reports", () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it("serves the page on / in Vietnamese, and in English with ?lang=en, never cached", async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const page = await res.text();
    expect(page).toContain("Mất kết nối mạng TSLCD từ 09:12; Internet Viettel vẫn bình thường → báo VNPT, mã kênh DNI-TSL-000123");
    const english = await (await fetch(`${server.url}?lang=en`)).text();
    expect(english).toContain("TSLCD network down since 09:12");
  });

  it("serves /status.json as the status with its diagnosis", async () => {
    const res = await fetch(`${server.url}status.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as AgentStatus & { diagnosis: { severity: string; vi: string[] } };
    expect(body.site).toBe("dn-phuong-tran-bien");
    expect(body.links.map((l) => l.state)).toEqual(["down", "up"]);
    expect(body.diagnosis.severity).toBe("critical");
    expect(body.diagnosis.vi[0]).toBe("Mất kết nối mạng TSLCD từ 09:12; Internet Viettel vẫn bình thường → báo VNPT, mã kênh DNI-TSL-000123");
  });

  it("answers HEAD with headers only", async () => {
    const res = await fetch(server.url, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get("content-length"))).toBeGreaterThan(1000);
    expect(await res.text()).toBe("");
  });

  it("answers 404 for any other path", async () => {
    for (const path of ["favicon.ico", "status", "status.json/x", "../etc/passwd", "index.html"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("answers 405 with Allow for methods other than GET and HEAD", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const res = await fetch(server.url, { method, body: method === "POST" || method === "PUT" ? "x" : undefined });
      expect(res.status, method).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
    }
  });

  it("keeps answering after malformed requests on raw sockets", async () => {
    const garbage = await rawExchange(server.port, "\x00\xff\x13garbage\r\n\r\n");
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    const badHeader = await rawExchange(server.port, "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n");
    expect(badHeader).toMatch(/^HTTP\/1\.1 400/);
    const badTarget = await rawExchange(server.port, "GET http://[::1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(badTarget).toMatch(/^HTTP\/1\.1 (400|404)/);
    // Half a request, then hang up.
    await new Promise<void>((resolve) => {
      const socket = connect(server.port, "127.0.0.1", () => socket.end("GET /sta"));
      socket.on("close", () => resolve());
      socket.resume();
    });
    const res = await fetch(`${server.url}status.json`);
    expect(res.status).toBe(200);
  });

  it("answers 500 when the status cannot be read, logs it, and recovers", async () => {
    sourceFails = true;
    const res = await fetch(server.url);
    expect(res.status).toBe(500);
    expect(await log.waitForLine((line) => line.message === "status page request failed")).toMatchObject({ level: "error" });
    sourceFails = false;
    expect((await fetch(server.url)).status).toBe(200);
  });
});
