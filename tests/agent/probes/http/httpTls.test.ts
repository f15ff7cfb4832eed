import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeHttp } from "../../../../agent/probes/http/http.js";
import { closeServer, contextFor, listen, PAGE, route, seenPaths, settings } from "./httpTestServers.js";

const run = promisify(execFile);

describe("agent/probes/http/http (TLS)", () => {
  describe("probeHttp over TLS", () => {
    let certDir: string;
    const servers: Record<string, { server: Server; base: string }> = {};

    /** A self-signed certificate for 127.0.0.1 valid for `days` from now, made with the openssl CLI. */
    async function selfSigned(name: string, days: number): Promise<{ key: Buffer; cert: Buffer }> {
      const [key, cert] = [join(certDir, `${name}.key`), join(certDir, `${name}.crt`)];
      await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", String(days), "-subj", "/CN=localhost",
        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert]);
      return { key: await readFile(key), cert: await readFile(cert) };
    }

    /** A self-signed certificate that expired on 2020-01-11 (openssl req cannot back-date, openssl ca can). */
    async function expired(): Promise<{ key: Buffer; cert: Buffer }> {
      const dir = join(certDir, "ca");
      await mkdir(dir);
      await writeFile(join(dir, "ca.cnf"), "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n");
      await writeFile(join(dir, "index.txt"), "");
      await writeFile(join(dir, "serial"), "01\n");
      await run("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "k.pem", "-out", "r.csr"], { cwd: dir });
      await run("openssl", ["ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "k.pem", "-in", "r.csr",
        "-startdate", "20200101000000Z", "-enddate", "20200111000000Z", "-out", "c.pem"], { cwd: dir });
      return { key: await readFile(join(dir, "k.pem")), cert: await readFile(join(dir, "c.pem")) };
    }

    beforeAll(async () => {
      certDir = await mkdtemp(join(tmpdir(), "wardwatch-http-"));
      const credentials = { days5: await selfSigned("days5", 5), days365: await selfSigned("days365", 365), expired: await expired() };
      for (const [name, tls] of Object.entries(credentials)) {
        const server = createHttpsServer(tls, route);
        servers[name] = { server, base: (await listen(server)).replace(/^http:/, "https:") };
      }
    });
    afterAll(async () => {
      for (const { server } of Object.values(servers)) await closeServer(server);
      await rm(certDir, { recursive: true, force: true });
    });

    it("reports the days left and fails inside cert_warn_days (tls_insecure)", async () => {
      const result = await probeHttp(`${servers.days5!.base}/ok`, settings({ tlsInsecure: true }), contextFor());
      expect(result).toMatchObject({ ok: false, statusCode: 200, certDaysLeft: 4, reason: "certificate expires in 4 days" });
      expect(result.totalMs).not.toBeNull();
      expect(await probeHttp(`${servers.days5!.base}/ok`, settings({ tlsInsecure: true, certWarnDays: 4 }), contextFor())).toMatchObject({ ok: true, certDaysLeft: 4 });
    });

    it("succeeds with a certificate good for a year, with ordered phase times", async () => {
      const result = await probeHttp(`${servers.days365!.base}/ok`, settings({ tlsInsecure: true, expectBody: PAGE }), contextFor());
      console.info(`http: local TLS round ${JSON.stringify(result, (_key, value: unknown) => (typeof value === "number" ? Number(value.toFixed(3)) : value))}`);
      expect(result).toMatchObject({ ok: true, statusCode: 200, certDaysLeft: 364, dnsMs: null });
      const { connectMs, tlsMs, firstByteMs, totalMs } = result;
      expect(tlsMs!).toBeGreaterThan(connectMs!);
      expect(firstByteMs!).toBeGreaterThanOrEqual(tlsMs!);
      expect(totalMs!).toBeGreaterThanOrEqual(firstByteMs!);
    });

    it("fails on an untrusted certificate without sending the request, still reporting its days left", async () => {
      seenPaths.length = 0;
      const result = await probeHttp(`${servers.days365!.base}/ok`, settings(), contextFor());
      expect(result).toMatchObject({ ok: false, statusCode: null, certDaysLeft: 364, totalMs: null, reason: "certificate error: DEPTH_ZERO_SELF_SIGNED_CERT" });
      expect(result.tlsMs).not.toBeNull();
      expect(seenPaths).toEqual([]);
    });

    it("reports an expired certificate: negative days left, and a verification error unless tls_insecure", async () => {
      const insecure = await probeHttp(`${servers.expired!.base}/ok`, settings({ tlsInsecure: true }), contextFor());
      const daysAgo = Math.ceil((Date.now() - Date.parse("2020-01-11T00:00:00Z")) / 86_400_000);
      expect(insecure).toMatchObject({ ok: false, statusCode: 200, certDaysLeft: -daysAgo, reason: `certificate expired ${daysAgo} days ago` });
      const verified = await probeHttp(`${servers.expired!.base}/ok`, settings(), contextFor());
      expect(verified).toMatchObject({ ok: false, certDaysLeft: -daysAgo });
      console.info(`http: expired self-signed certificate, verified: ${verified.reason}`);
      expect(verified.reason).toBe("certificate error: CERT_HAS_EXPIRED");
    });

    it("reports the last hop's certificate after a redirect from http to https", async () => {
      const plain = createHttpServer(route);
      const plainBase = await listen(plain);
      try {
        const result = await probeHttp(`${plainBase}/to?url=${encodeURIComponent(`${servers.days365!.base}/ok`)}`, settings({ tlsInsecure: true }), contextFor());
        expect(result).toMatchObject({ ok: true, redirects: 1, certDaysLeft: 364 });
        expect(result.tlsMs).not.toBeNull();
      } finally {
        await closeServer(plain);
      }
    });

    it("reports a TLS error when the server does not speak TLS", async () => {
      const plain = createHttpServer(route);
      const plainBase = await listen(plain);
      try {
        const result = await probeHttp(`${plainBase.replace(/^http:/, "https:")}/ok`, settings({ tlsInsecure: true }), contextFor());
        expect(result).toMatchObject({ ok: false, certDaysLeft: null, tlsMs: null });
        expect(result.reason).toMatch(/^tls error: /);
      } finally {
        await closeServer(plain);
      }
    });
  });
});
