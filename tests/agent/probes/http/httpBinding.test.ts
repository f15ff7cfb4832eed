import { createServer as createHttpServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeHttp } from "../../../../agent/probes/http/http.js";
import { closeServer, contextFor, listen, route, settings } from "./httpTestServers.js";

describe("agent/probes/http/http (link binding)", () => {
  describe("probeHttp bound to a link", () => {
    let server: Server;
    let server6: Server;
    let base: string;
    let base6: string;
    beforeAll(async () => {
      server = createHttpServer(route);
      base = await listen(server);
      server6 = createHttpServer(route);
      base6 = await listen(server6, "::1");
    });
    afterAll(async () => {
      await closeServer(server);
      await closeServer(server6);
    });

    it("leaves from the link's source address, or its interface's address", async () => {
      // 127.0.0.2 is on lo too (127.0.0.0/8), so the server seeing it proves the socket was bound to the source.
      for (const source of ["127.0.0.1", "127.0.0.2"]) {
        const fromSource = await probeHttp(`${base}/whoami`, settings({ expectBody: source }), contextFor({ interface: null, source }));
        expect(fromSource, source).toMatchObject({ ok: true, statusCode: 200 });
      }
      const viaInterface = await probeHttp(`${base}/ok`, settings(), contextFor({ interface: "lo", source: null }));
      expect(viaInterface).toMatchObject({ ok: true, statusCode: 200 });
      expect(await probeHttp(`${base6}/ok`, settings(), contextFor({ interface: null, source: "::1" }))).toMatchObject({ ok: true });
    });

    it("fails with the egress reason when the link cannot carry the round", async () => {
      const noInterface = await probeHttp(`${base}/ok`, settings(), contextFor({ interface: "wwnosuch0", source: null }));
      expect(noInterface).toMatchObject({ ok: false, statusCode: null, connectMs: null, reason: "not via link: interface wwnosuch0 is down or has no IPv4 address" });
      const wrongFamily = await probeHttp(`${base6}/ok`, settings(), contextFor({ interface: null, source: "127.0.0.1" }));
      expect(wrongFamily.reason).toBe("not via link: source 127.0.0.1 cannot reach an IPv6 target");
    });

    it("decides the egress again for every redirect hop", async () => {
      const elsewhere = `${base6}/ok`;
      const result = await probeHttp(`${base}/to?url=${encodeURIComponent(elsewhere)}`, settings(), contextFor({ interface: null, source: "127.0.0.1" }));
      expect(result).toMatchObject({ ok: false, redirects: 1, statusCode: null, reason: "not via link: source 127.0.0.1 cannot reach an IPv6 target" });
      expect(await probeHttp(`${base}/to?url=${encodeURIComponent(elsewhere)}`, settings(), contextFor())).toMatchObject({ ok: true, redirects: 1 });
    });
  });
});
