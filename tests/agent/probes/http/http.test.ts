import { readFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { httpProbeSchema, probeHttp, type HttpRoundResult } from "../../../../agent/probes/http/http.js";
import { certificateDaysLeft, judgeAnswer, phaseTimes } from "../../../../agent/probes/http/httpVerdict.js";
import { probeConfigSchema, probeKinds } from "../../../../agent/probes/registry.js";
import { closeServer, contextFor, listen, PAGE, rawServer, route, seenPaths, settings, timed, unbound } from "./httpTestServers.js";

describe("agent/probes/http/http", () => {
  describe("httpProbeSchema", () => {
    it("applies the defaults and turns the entry into the domain config (ms, bytes, camelCase, url → target)", () => {
      expect(httpProbeSchema.parse({ kind: "http", url: "https://dichvucong.gov.vn/" })).toEqual({
        kind: "http",
        target: "https://dichvucong.gov.vn/",
        intervalMs: 30_000,
        timeoutMs: 10_000,
        method: "GET",
        expectStatus: [{ min: 200, max: 399 }],
        expectBody: null,
        maxBodyBytes: 256 * 1024,
        maxRedirects: 5,
        tlsInsecure: false,
        certWarnDays: 14,
      });
    });

    it("parses every key, and merges status codes and classes into sorted ranges", () => {
      const config = httpProbeSchema.parse({
        kind: "http",
        url: "http://[::1]:8080/health?x=1",
        interval: "1m",
        timeout: "1500ms",
        method: "HEAD",
        expect_status: [404, "3xx", 200, "2xx", 401],
        max_body_bytes: "1mb",
        max_redirects: 0,
        tls_insecure: true,
        cert_warn_days: 0,
      });
      expect(config).toMatchObject({ intervalMs: 60_000, timeoutMs: 1500, method: "HEAD", maxBodyBytes: 1024 * 1024, maxRedirects: 0 });
      expect(config.expectStatus).toEqual([
        { min: 200, max: 399 },
        { min: 401, max: 401 },
        { min: 404, max: 404 },
      ]);
    });

    it("rejects an unknown key (including `target`: the key is `url`)", () => {
      const parsed = httpProbeSchema.safeParse({ kind: "http", url: "http://127.0.0.1/", headers: {} });
      expect(parsed.error?.issues).toMatchObject([{ code: "unrecognized_keys", keys: ["headers"] }]);
      expect(httpProbeSchema.safeParse({ kind: "http", target: "http://127.0.0.1/" }).success).toBe(false);
    });

    it("rejects a URL that is not http(s), or that carries credentials", () => {
      for (const url of ["", "not a url", "127.0.0.1", "ftp://127.0.0.1/", "file:///etc/passwd", "http://", `http://h/${"x".repeat(2048)}`]) {
        const parsed = httpProbeSchema.safeParse({ kind: "http", url });
        expect(parsed.error?.issues[0]?.path, url).toEqual(["url"]);
      }
      const withPassword = httpProbeSchema.safeParse({ kind: "http", url: "http://admin:secret@127.0.0.1/" });
      expect(withPassword.error?.issues).toMatchObject([{ path: ["url"], message: expect.stringContaining("user name or password") }]);
    });

    it("rejects values out of range, naming the key", () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ method: "POST" }, "method"],
        [{ expect_status: [] }, "expect_status"],
        [{ expect_status: ["6xx"] }, "expect_status"],
        [{ expect_status: [99] }, "expect_status"],
        [{ expect_status: [200.5] }, "expect_status"],
        [{ timeout: "50ms" }, "timeout"],
        [{ timeout: "10 s" }, "timeout"],
        [{ max_body_bytes: 0 }, "max_body_bytes"],
        [{ max_body_bytes: "1tb" }, "max_body_bytes"],
        [{ max_redirects: -1 }, "max_redirects"],
        [{ max_redirects: 21 }, "max_redirects"],
        [{ cert_warn_days: 400 }, "cert_warn_days"],
        [{ tls_insecure: "yes" }, "tls_insecure"],
        [{ expect_body: "" }, "expect_body"],
        [{ interval: "5s", timeout: "10s" }, "timeout"],
        [{ method: "HEAD", expect_body: "ok" }, "expect_body"],
        [{ max_body_bytes: 2, expect_body: "xyz" }, "expect_body"],
      ];
      for (const [entry, key] of cases) {
        const parsed = httpProbeSchema.safeParse({ kind: "http", url: "http://127.0.0.1/", ...entry });
        expect(parsed.error?.issues[0]?.path[0], JSON.stringify(entry)).toEqual(key);
      }
    });

    it("accepts the documented example entries", async () => {
      const examplePath = fileURLToPath(new URL("../../../../agent/probes/http/http.example.yaml", import.meta.url));
      const example = parse(await readFile(examplePath, "utf8")) as { links: Array<{ probes: unknown[] }> };
      const [first, second] = example.links[0]!.probes.map((probe) => httpProbeSchema.parse(probe));
      expect(first).toMatchObject({ kind: "http", intervalMs: 30_000, timeoutMs: 10_000, expectBody: "Cổng Dịch vụ công", certWarnDays: 14 });
      expect(second!.expectStatus).toEqual([
        { min: 200, max: 200 },
        { min: 401, max: 401 },
      ]);
    });

    it("is registered: the probe union parses an http entry", () => {
      expect(probeKinds.http.schema).toBe(httpProbeSchema);
      expect(probeKinds.http.run).toBe(probeHttp);
      expect(probeConfigSchema.parse({ kind: "http", url: "http://127.0.0.1:8080/" })).toMatchObject({ kind: "http", target: "http://127.0.0.1:8080/" });
    });
  });

  describe("verdict helpers", () => {
    it("counts whole days left, rounding down: 0 on the last day, −1 once expired", () => {
      const now = Date.parse("2025-06-01T00:00:00Z");
      expect(certificateDaysLeft(now + 5 * 86_400_000 - 1000, now)).toBe(4);
      expect(certificateDaysLeft(now + 3_600_000, now)).toBe(0);
      expect(certificateDaysLeft(now - 3_600_000, now)).toBe(-1);
    });

    it("turns per-phase durations into times from the start of the hop", () => {
      expect(phaseTimes({ dnsMs: 2, connectMs: 3, tlsMs: 5, waitMs: 7 })).toEqual({ dnsMs: 2, connectMs: 5, tlsMs: 10, firstByteMs: 17 });
      expect(phaseTimes({ dnsMs: null, connectMs: 3, tlsMs: null, waitMs: 7 })).toEqual({ dnsMs: null, connectMs: 3, tlsMs: null, firstByteMs: 10 });
      expect(phaseTimes({ dnsMs: 2, connectMs: null, tlsMs: null, waitMs: null })).toEqual({ dnsMs: 2, connectMs: null, tlsMs: null, firstByteMs: null });
    });

    it("judges status first, then the body, then the certificate's expiry", () => {
      const answer = { durations: { dnsMs: null, connectMs: 1, tlsMs: 1, waitMs: 1 }, statusCode: 503, location: null, certNotAfterMs: 0, body: Buffer.from("ok"), failure: null, routeCheckMs: 0 };
      const strict = settings({ expectBody: "missing" });
      expect(judgeAnswer(answer, 3, strict)).toBe("status 503 not expected (expected 200–399)");
      expect(judgeAnswer({ ...answer, statusCode: 200 }, 3, strict)).toBe("body does not contain 'missing'");
      expect(judgeAnswer({ ...answer, statusCode: 200 }, 1, settings())).toBe("certificate expires in 1 day");
      expect(judgeAnswer({ ...answer, statusCode: 200 }, -2, settings({ certWarnDays: 0 }))).toBe("certificate expired 2 days ago");
      expect(judgeAnswer({ ...answer, statusCode: 200 }, 0, settings({ certWarnDays: 0 }))).toBeNull();
    });
  });

  describe("probeHttp against local servers", () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      server = createHttpServer(route);
      base = await listen(server);
    });
    afterAll(async () => {
      await closeServer(server);
    });

    it("succeeds on a 200 whose body contains the text, with ordered phase times and no DNS for an IP literal", async () => {
      const result = await probeHttp(`${base}/ok`, settings({ expectBody: "xã Tân Phong" }), contextFor());
      console.info(`http: local round ${JSON.stringify(result, (_key, value: unknown) => (typeof value === "number" ? Number(value.toFixed(3)) : value))}`);
      expect(result).toMatchObject({ ok: true, statusCode: 200, dnsMs: null, tlsMs: null, certDaysLeft: null, redirects: 0 });
      expect(result.reason).toBeUndefined();
      expect(result.bodyBytes).toBe(Buffer.byteLength(`<html><body>${PAGE}</body></html>`));
      const { connectMs, firstByteMs, totalMs } = result;
      expect(connectMs).toBeGreaterThanOrEqual(0);
      expect(firstByteMs!).toBeGreaterThanOrEqual(connectMs!);
      expect(totalMs!).toBeGreaterThanOrEqual(firstByteMs!);
      expect(totalMs!).toBeLessThan(1000);
    });

    it("measures warm local rounds (figures for the report)", async () => {
      const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      const rounds: HttpRoundResult[] = [];
      for (let i = 0; i < 20; i++) rounds.push(await probeHttp(`${base}/ok`, settings(), contextFor({ interface: "lo", source: null })));
      expect(rounds.every((round) => round.ok)).toBe(true);
      const figures = (["connectMs", "firstByteMs", "totalMs"] as const).map((key) => `${key} ${median(rounds.map((round) => round[key]!)).toFixed(2)}`);
      console.info(`http: 20 warm rounds to 127.0.0.1 bound to lo (route check included in totalMs), medians: ${figures.join(", ")}`);
    });

    it("times DNS for a host name from /etc/hosts", async () => {
      const port = new URL(base).port;
      const result = await probeHttp(`http://localhost:${port}/ok`, settings(), contextFor());
      expect(result).toMatchObject({ ok: true, statusCode: 200 });
      expect(result.dnsMs).toBeGreaterThanOrEqual(0);
      expect(result.connectMs!).toBeGreaterThanOrEqual(result.dnsMs!);
    });

    it("sends HEAD and reads no body", async () => {
      const result = await probeHttp(`${base}/ok`, settings({ method: "HEAD" }), contextFor());
      expect(result).toMatchObject({ ok: true, statusCode: 200, bodyBytes: 0 });
    });

    it("fails on a status that is not expected (500, 503, 404), and accepts 404 when listed", async () => {
      const failed = await probeHttp(`${base}/status/500`, settings(), contextFor());
      expect(failed).toMatchObject({ ok: false, statusCode: 500, reason: "status 500 not expected (expected 200–399)" });
      expect(failed.totalMs).not.toBeNull();
      expect(await probeHttp(`${base}/status/503`, settings(), contextFor())).toMatchObject({ ok: false, statusCode: 503 });
      expect(await probeHttp(`${base}/nothing-here`, settings(), contextFor())).toMatchObject({ ok: false, statusCode: 404 });
      const listed = settings({ expectStatus: [{ min: 200, max: 299 }, { min: 404, max: 404 }] });
      expect(await probeHttp(`${base}/nothing-here`, listed, contextFor())).toMatchObject({ ok: true, statusCode: 404 });
      expect(await probeHttp(`${base}/status/500`, listed, contextFor())).toMatchObject({ reason: "status 500 not expected (expected 200–299, 404)" });
    });

    it("fails when the body does not contain the text, searching only the first max_body_bytes", async () => {
      expect(await probeHttp(`${base}/ok`, settings({ expectBody: "Phường Hà Đông" }), contextFor())).toMatchObject({
        ok: false,
        statusCode: 200,
        reason: "body does not contain 'Phường Hà Đông'",
      });
      const big = await probeHttp(`${base}/big`, settings({ expectBody: "NEEDLE" }), contextFor());
      expect(big).toMatchObject({ ok: false, bodyBytes: 256 * 1024, reason: "body does not contain 'NEEDLE' (in the first 262144 bytes)" });
      const whole = await probeHttp(`${base}/big`, settings({ expectBody: "NEEDLE", maxBodyBytes: 2 * 1024 * 1024 }), contextFor());
      expect(whole).toMatchObject({ ok: true, bodyBytes: 1024 * 1024 + 6 });
    });

    it("follows a redirect chain and counts it; without following, judges the 302 itself", async () => {
      const followed = await probeHttp(`${base}/chain/3`, settings(), contextFor());
      expect(followed).toMatchObject({ ok: true, statusCode: 200, redirects: 3, bodyBytes: "end of the chain".length });
      const notFollowed = await probeHttp(`${base}/chain/3`, settings({ maxRedirects: 0 }), contextFor());
      expect(notFollowed).toMatchObject({ ok: true, statusCode: 302, redirects: 0 });
      const only2xx = await probeHttp(`${base}/chain/3`, settings({ maxRedirects: 0, expectStatus: [{ min: 200, max: 299 }] }), contextFor());
      expect(only2xx).toMatchObject({ ok: false, reason: "status 302 not expected (expected 200–299)" });
    });

    it("stops a redirect loop at max_redirects", async () => {
      seenPaths.length = 0;
      const result = await probeHttp(`${base}/loop`, settings(), contextFor());
      expect(result).toMatchObject({ ok: false, statusCode: 302, redirects: 5, reason: "too many redirects (5)" });
      expect(seenPaths).toEqual(Array(6).fill("/loop"));
      expect(await probeHttp(`${base}/chain/3`, settings({ maxRedirects: 2 }), contextFor())).toMatchObject({ ok: false, redirects: 2, reason: "too many redirects (2)" });
    });

    it("refuses to follow a redirect to another scheme", async () => {
      const result = await probeHttp(`${base}/to?url=${encodeURIComponent("ftp://127.0.0.1/")}`, settings(), contextFor());
      expect(result).toMatchObject({ ok: false, statusCode: 301, redirects: 0, reason: "redirect to an unsupported location 'ftp://127.0.0.1/'" });
    });

    it("reports a refused connection (a closed port)", async () => {
      const closed = createNetServer();
      const url = await listen(closed);
      await new Promise((resolve) => closed.close(resolve));
      const { result, elapsedMs } = await timed(probeHttp(`${url}/`, settings(), contextFor()));
      expect(result).toMatchObject({ ok: false, reason: "connection refused", statusCode: null, connectMs: null, totalMs: null, bodyBytes: null });
      expect(elapsedMs).toBeLessThan(500);
    });

    it("times out, within the timeout, on a server that accepts and never answers", async () => {
      const silent = await rawServer(() => {});
      try {
        const { result, elapsedMs } = await timed(probeHttp(`${silent.url}/`, settings({ timeoutMs: 300 }), contextFor()));
        console.info(`http: silent server, timeout 300 ms, round returned after ${elapsedMs.toFixed(0)} ms`);
        expect(result).toMatchObject({ ok: false, reason: "timeout after 300 ms (in first byte)", statusCode: null, firstByteMs: null, totalMs: null });
        expect(result.connectMs).not.toBeNull();
        expect(elapsedMs).toBeGreaterThanOrEqual(290);
        expect(elapsedMs).toBeLessThan(300 + 150);
      } finally {
        await silent.close();
      }
    });

    it("times out in the body when the server stalls mid-body", async () => {
      const result = await probeHttp(`${base}/stall-body`, settings({ timeoutMs: 300 }), contextFor());
      expect(result).toMatchObject({ ok: false, statusCode: 200, reason: "timeout after 300 ms (in body)", bodyBytes: 29, totalMs: null });
      expect(result.firstByteMs).not.toBeNull();
    });

    it("reports a body cut off by the server (partial answer)", async () => {
      const cutting = await rawServer((socket) =>
        socket.once("data", () => {
          socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789");
          setTimeout(() => socket.destroy(), 20);
        }),
      );
      try {
        const result = await probeHttp(`${cutting.url}/`, settings(), contextFor());
        expect(result).toMatchObject({ ok: false, statusCode: 200, bodyBytes: 10, totalMs: null });
        expect(result.reason).toMatch(/^body cut off after 10 bytes/);
      } finally {
        await cutting.close();
      }
    });

    it("reports a malformed answer and a connection closed before any answer", async () => {
      const garbage = await rawServer((socket) => socket.once("data", () => socket.end("SSH-2.0-OpenSSH_9.2\r\n\r\n")));
      const hangUp = await rawServer((socket) => socket.once("data", () => socket.destroy()));
      const oddStatus = await rawServer((socket) => socket.once("data", () => socket.end("HTTP/1.1 999 Odd\r\ncontent-length: 0\r\n\r\n")));
      try {
        expect(await probeHttp(`${oddStatus.url}/`, settings(), contextFor())).toMatchObject({ ok: false, statusCode: null, reason: "malformed response: status code 999" });
        const malformed = await probeHttp(`${garbage.url}/`, settings(), contextFor());
        expect(malformed).toMatchObject({ ok: false, statusCode: null });
        expect(malformed.reason).toMatch(/^malformed response: /);
        expect(await probeHttp(`${hangUp.url}/`, settings(), contextFor())).toMatchObject({ ok: false, reason: "connection closed before a response" });
      } finally {
        await garbage.close();
        await hangUp.close();
        await oddStatus.close();
      }
    });

    it("returns promptly with reason 'aborted' when the signal aborts mid-round, and does not start when already aborted", async () => {
      const silent = await rawServer(() => {});
      try {
        const controller = new AbortController();
        const round = timed(probeHttp(`${silent.url}/`, settings({ timeoutMs: 5000 }), contextFor(unbound, controller.signal)));
        setTimeout(() => controller.abort(), 200);
        const { result, elapsedMs } = await round;
        console.info(`http: aborted at 200 ms, round returned after ${elapsedMs.toFixed(0)} ms`);
        expect(result).toMatchObject({ ok: false, reason: "aborted", totalMs: null });
        expect(elapsedMs).toBeLessThan(200 + 100);
      } finally {
        await silent.close();
      }
      const aborted = new AbortController();
      aborted.abort();
      const { result, elapsedMs } = await timed(probeHttp(`${base}/ok`, settings(), contextFor(unbound, aborted.signal)));
      expect(result).toMatchObject({ ok: false, reason: "aborted", statusCode: null });
      expect(elapsedMs).toBeLessThan(50);
    });

    it("returns a failure, not an exception, for a target that is not an http(s) URL", async () => {
      expect(await probeHttp("ftp://127.0.0.1/", settings(), contextFor())).toMatchObject({ ok: false, reason: "'ftp://127.0.0.1/' is not an http:// or https:// URL" });
    });
  });
});
