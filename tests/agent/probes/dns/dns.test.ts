import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as dnsPacket from "dns-packet";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { dnsProbeSchema, evaluateDnsResponse, probeDns, type DnsRoundResult, type DnsRoundSettings } from "../../../../agent/probes/dns/dns.js";
import type { ProbeBinding, ProbeContext } from "../../../../agent/probes/probe.js";
import { probeConfigSchema, probeKinds } from "../../../../agent/probes/registry.js";
import { startDnsmasq, type Dnsmasq } from "../../../helpers/dnsmasq.js";

const unbound: ProbeBinding = { interface: null, source: null };

function contextFor(bindTo: ProbeBinding = unbound, signal: AbortSignal = new AbortController().signal): ProbeContext {
  return { signal, bindTo };
}

async function timed(round: Promise<DnsRoundResult>): Promise<{ result: DnsRoundResult; elapsedMs: number }> {
  const started = performance.now();
  const result = await round;
  return { result, elapsedMs: performance.now() - started };
}

/** A UDP "server" on 127.0.0.1 whose behaviour the test writes: `onQuery` gets each datagram and may reply. */
async function startFakeServer(onQuery: (message: Buffer, from: RemoteInfo, socket: Socket) => void): Promise<{ port: number; socket: Socket }> {
  const socket = createSocket("udp4");
  socket.on("message", (message, from) => onQuery(message, from, socket));
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  return { port: socket.address().port, socket };
}

function reply(socket: Socket, to: RemoteInfo, message: Buffer): void {
  socket.send(message, to.port, to.address);
}

function responseTo(query: Buffer, fields: Partial<dnsPacket.Packet> & { rcode?: number }): Buffer {
  const decoded = dnsPacket.decode(query);
  return dnsPacket.encode({
    type: "response",
    id: decoded.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (fields.rcode ?? 0) | (fields.flags ?? 0),
    questions: decoded.questions,
    answers: fields.answers ?? [],
  });
}

describe("agent/probes/dns/dns", () => {
  describe("dnsProbeSchema", () => {
    it("applies the defaults and turns the entry into the domain config (target name@server, ms, camelCase)", () => {
      expect(dnsProbeSchema.parse({ kind: "dns", name: "one-stop.tinh.example", server: "192.0.2.53" })).toEqual({
        kind: "dns",
        target: "one-stop.tinh.example@192.0.2.53",
        name: "one-stop.tinh.example",
        server: "192.0.2.53",
        port: 53,
        type: "A",
        expect: [],
        protocol: "udp",
        intervalMs: 30_000,
        timeoutMs: 3000,
      });
    });

    it("puts expected values in the form answers are reported in", () => {
      const aaaa = dnsProbeSchema.parse({ kind: "dns", name: "a.example", server: "::1", type: "AAAA", expect: ["2001:DB8:0:0:0:0:0:1"] });
      expect(aaaa).toMatchObject({ target: "a.example@::1", expect: ["2001:db8::1"] });
      const mx = dnsProbeSchema.parse({ kind: "dns", name: "tinh.example", server: "10.0.0.1", type: "MX", expect: ["Mail.Tinh.Example.", "20 mx2.tinh.example"] });
      expect(mx.expect).toEqual(["mail.tinh.example", "20 mx2.tinh.example"]);
    });

    it("rejects what it cannot use, naming the key", () => {
      const cases: Array<[Record<string, unknown>, Array<string | number>]> = [
        [{ server: "dns.tinh.example" }, ["server"]],
        [{ name: "one stop.example" }, ["name"]],
        [{ name: "-x.example" }, ["name"]],
        [{ port: 0 }, ["port"]],
        [{ port: 65536 }, ["port"]],
        [{ type: "SRV" }, ["type"]],
        [{ protocol: "dot" }, ["protocol"]],
        [{ expect: [] }, ["expect"]],
        [{ expect: ["192.0.2.10", "2001:db8::1"] }, ["expect", 1]],
        [{ type: "AAAA", expect: ["192.0.2.10"] }, ["expect", 0]],
        [{ type: "CNAME", expect: ["not a name"] }, ["expect", 0]],
        [{ timeout: "10s", interval: "5s" }, ["timeout"]],
        [{ timeout: "3 seconds" }, ["timeout"]],
        [{ retries: 2 }, []],
      ];
      for (const [entry, path] of cases) {
        const parsed = dnsProbeSchema.safeParse({ kind: "dns", name: "one-stop.tinh.example", server: "192.0.2.53", ...entry });
        expect(parsed.error?.issues[0]?.path, JSON.stringify(entry)).toEqual(path);
      }
    });

    it("accepts names with underscores and a final dot", () => {
      for (const name of ["_dmarc.tinh.example", "tinh.example.", "localhost"]) {
        expect(dnsProbeSchema.safeParse({ kind: "dns", name, server: "10.0.0.1" }).success, name).toBe(true);
      }
    });

    it("accepts every entry of the documented example", async () => {
      const examplePath = fileURLToPath(new URL("../../../../agent/probes/dns/dns.example.yaml", import.meta.url));
      const example = parse(await readFile(examplePath, "utf8")) as { links: Array<{ probes: unknown[] }>; apps: Array<{ probe: unknown }> };
      const entries = [...example.links.flatMap((link) => link.probes), ...example.apps.map((app) => app.probe)];
      const parsed = entries.map((entry) => dnsProbeSchema.parse(entry));
      expect(parsed.map((probe) => probe.target)).toEqual(["one-stop.tinh.example@192.0.2.53", "dichvucong.tinh.example@203.0.113.53", "tinh.example@2001:db8::53"]);
      expect(parsed[0]).toMatchObject({ type: "A", expect: ["192.0.2.20"], protocol: "udp", intervalMs: 30_000, timeoutMs: 3000 });
    });

    it("is what the registry's probe union parses a dns entry with", () => {
      expect(probeKinds.dns.schema).toBe(dnsProbeSchema);
      expect(probeConfigSchema.parse({ kind: "dns", name: "a.example", server: "::1", type: "TXT" })).toMatchObject({ kind: "dns", type: "TXT", timeoutMs: 3000 });
    });
  });

  describe("evaluateDnsResponse", () => {
    const decodedResponse = (fields: Partial<dnsPacket.Packet> & { rcode?: number }): dnsPacket.DecodedPacket => {
      const query = dnsPacket.encode({ type: "query", id: 7, questions: [{ type: "A", name: "x.example" }] });
      return dnsPacket.decode(responseTo(query, fields));
    };

    it("matches an MX expectation with or without the preference, and AAAA in any spelling", () => {
      const mx = decodedResponse({ answers: [{ type: "MX", name: "x.example", data: { preference: 10, exchange: "Mail.X.Example" } }] });
      expect(evaluateDnsResponse(mx, { type: "MX", expect: ["mail.x.example", "10 mail.x.example"], protocol: "udp" }, 1.5, 0)).toMatchObject({ ok: true, answers: ["10 mail.x.example"] });
      expect(evaluateDnsResponse(mx, { type: "MX", expect: ["20 mail.x.example"], protocol: "udp" }, 1.5, 0).reason).toBe("answer does not contain 20 mail.x.example (got 10 mail.x.example)");
      const aaaa = decodedResponse({ answers: [{ type: "AAAA", name: "x.example", data: "2001:db8:0:0:0:0:0:1" }] });
      expect(evaluateDnsResponse(aaaa, { type: "AAAA", expect: ["2001:db8::1"], protocol: "udp" }, 1, 0)).toMatchObject({ ok: true, answers: ["2001:db8::1"] });
    });

    it("counts only records of the asked type as answers", () => {
      const cnameOnly = decodedResponse({ answers: [{ type: "CNAME", name: "x.example", data: "y.example" }] });
      expect(evaluateDnsResponse(cnameOnly, { type: "A", expect: [], protocol: "udp" }, 1, 0)).toMatchObject({ ok: false, rcode: "NOERROR", answers: [], reason: "no answer" });
    });
  });

  describe("probeDns against dnsmasq", () => {
    let dnsmasq: Dnsmasq;
    const settings = (overrides: Partial<DnsRoundSettings> = {}): DnsRoundSettings => ({
      name: "one-stop.tinh.example",
      server: "127.0.0.1",
      port: dnsmasq.port,
      type: "A",
      expect: [],
      protocol: "udp",
      timeoutMs: 2000,
      ...overrides,
    });

    beforeAll(async () => {
      dnsmasq = await startDnsmasq({
        addresses: { "one-stop.tinh.example": "192.0.2.10" },
        localDomains: ["tinh.example"],
        cnames: { "www.tinh.example": "one-stop.tinh.example" },
        txtRecords: { "_verify.tinh.example": "wardwatch=tan-phong" },
        mxHosts: { "tinh.example": "10 mail.tinh.example" },
      });
    });
    afterAll(async () => dnsmasq?.stop());

    it("resolves an A record, with the answer time", async () => {
      const result = await probeDns("one-stop.tinh.example@127.0.0.1", settings(), contextFor());
      expect(result).toMatchObject({ ok: true, rcode: "NOERROR", answers: ["192.0.2.10"], ignoredPackets: 0 });
      expect(result.reason).toBeUndefined();
      expect(result.answerMs!).toBeGreaterThan(0);
      expect(result.answerMs!).toBeLessThan(2000);
      const times: number[] = [];
      for (let i = 0; i < 20; i++) times.push((await probeDns("", settings(), contextFor())).answerMs!);
      times.sort((a, b) => a - b);
      console.info(`dns: dnsmasq on loopback answered 20 A queries in ${times[0]!.toFixed(3)}–${times[19]!.toFixed(3)} ms (median ${times[10]!.toFixed(3)} ms)`);
    });

    it("checks the expected answers", async () => {
      expect(await probeDns("", settings({ expect: ["192.0.2.10"] }), contextFor())).toMatchObject({ ok: true });
      const mismatch = await probeDns("", settings({ expect: ["192.0.2.99"] }), contextFor());
      expect(mismatch).toMatchObject({ ok: false, rcode: "NOERROR", answers: ["192.0.2.10"], reason: "answer does not contain 192.0.2.99 (got 192.0.2.10)" });
      expect(mismatch.answerMs).not.toBeNull();
    });

    it("reports NXDOMAIN for an unknown name under a local domain, and REFUSED for a name it does not serve", async () => {
      // dnsmasq with --no-resolv answers REFUSED for any name it has no records for, unless the name is under a
      // --local domain, for which it answers NXDOMAIN.
      const nxdomain = await probeDns("", settings({ name: "nosuch.tinh.example" }), contextFor());
      expect(nxdomain).toMatchObject({ ok: false, rcode: "NXDOMAIN", answers: [], reason: "NXDOMAIN" });
      expect(nxdomain.answerMs).not.toBeNull();
      expect(await probeDns("", settings({ name: "nosuch.example" }), contextFor())).toMatchObject({ ok: false, rcode: "REFUSED", reason: "REFUSED" });
    });

    it("reads CNAME, MX and TXT answers, and says 'no answer' when the name has no record of the type", async () => {
      expect(await probeDns("", settings({ name: "www.tinh.example", type: "CNAME", expect: ["one-stop.tinh.example"] }), contextFor())).toMatchObject({
        ok: true,
        answers: ["one-stop.tinh.example"],
      });
      expect(await probeDns("", settings({ name: "tinh.example", type: "MX", expect: ["mail.tinh.example"] }), contextFor())).toMatchObject({
        ok: true,
        answers: ["10 mail.tinh.example"],
      });
      expect(await probeDns("", settings({ name: "_verify.tinh.example", type: "TXT", expect: ["wardwatch=tan-phong"] }), contextFor())).toMatchObject({
        ok: true,
        answers: ["wardwatch=tan-phong"],
      });
      // dnsmasq answers an A query for the alias with the CNAME alone (it does not chase --address targets).
      expect(await probeDns("", settings({ name: "www.tinh.example" }), contextFor())).toMatchObject({ ok: false, rcode: "NOERROR", answers: [], reason: "no answer" });
    });

    it("asks over TCP when told to", async () => {
      const result = await probeDns("", settings({ protocol: "tcp", expect: ["192.0.2.10"] }), contextFor());
      expect(result).toMatchObject({ ok: true, rcode: "NOERROR", answers: ["192.0.2.10"] });
      expect(result.answerMs!).toBeGreaterThan(0);
    });

    it("binds to the link's source address or interface", async () => {
      expect(await probeDns("", settings(), contextFor({ interface: null, source: "127.0.0.1" }))).toMatchObject({ ok: true });
      expect(await probeDns("", settings(), contextFor({ interface: "lo", source: null }))).toMatchObject({ ok: true });
      expect(await probeDns("", settings({ protocol: "tcp" }), contextFor({ interface: null, source: "127.0.0.1" }))).toMatchObject({ ok: true });
    });

    it("fails with the egress reason when bound to an interface that does not exist", async () => {
      const result = await probeDns("", settings(), contextFor({ interface: "wwnosuch0", source: null }));
      expect(result).toEqual({ ok: false, answerMs: null, rcode: null, answers: [], ignoredPackets: 0, reason: "not via link: interface wwnosuch0 is down or has no IPv4 address" });
    });
  });

  describe("probeDns against misbehaving servers", () => {
    const sockets: Socket[] = [];
    afterEach(() => {
      for (const socket of sockets.splice(0)) socket.close();
    });
    const fakeServer = async (onQuery: (message: Buffer, from: RemoteInfo, socket: Socket) => void): Promise<number> => {
      const server = await startFakeServer(onQuery);
      sockets.push(server.socket);
      return server.port;
    };
    const settings = (port: number, overrides: Partial<DnsRoundSettings> = {}): DnsRoundSettings => ({
      name: "one-stop.tinh.example",
      server: "127.0.0.1",
      port,
      type: "A",
      expect: [],
      protocol: "udp",
      timeoutMs: 300,
      ...overrides,
    });

    it("times out against a server that never answers", async () => {
      let queries = 0;
      const port = await fakeServer(() => queries++);
      const { result, elapsedMs } = await timed(probeDns("", settings(port), contextFor()));
      expect(result).toEqual({ ok: false, answerMs: null, rcode: null, answers: [], ignoredPackets: 0, reason: "timeout after 300 ms" });
      expect(queries).toBe(1);
      expect(elapsedMs).toBeGreaterThanOrEqual(295);
      expect(elapsedMs).toBeLessThan(1000);
    });

    it("reports a closed UDP port as port unreachable, without waiting for the timeout", async () => {
      const closed = await startFakeServer(() => {});
      closed.socket.close();
      const { result, elapsedMs } = await timed(probeDns("", settings(closed.port, { timeoutMs: 2000 }), contextFor()));
      expect(result).toMatchObject({ ok: false, answerMs: null, rcode: null, reason: "port unreachable" });
      expect(elapsedMs).toBeLessThan(1000);
    });

    it("ignores garbage and a response with another id, and times out instead of crashing", async () => {
      const port = await fakeServer((message, from, socket) => {
        const id = message.readUInt16BE(0);
        reply(socket, from, Buffer.from("junk"));
        // A readable header with another query's id and the rest garbage.
        reply(socket, from, Buffer.concat([Buffer.from([(id + 1) >> 8 & 0xff, (id + 1) & 0xff, 0x81, 0x80]), Buffer.alloc(20, 0xff)]));
        // A well-formed response to another query.
        const other = dnsPacket.decode(responseTo(message, { answers: [{ type: "A", name: "one-stop.tinh.example", data: "192.0.2.66" }] }));
        reply(socket, from, dnsPacket.encode({ ...other, id: id ^ 0x8000 }));
        // The query itself echoed back (QR bit clear).
        reply(socket, from, message);
      });
      const result = await probeDns("", settings(port), contextFor());
      expect(result).toEqual({
        ok: false,
        answerMs: null,
        rcode: null,
        answers: [],
        ignoredPackets: 4,
        reason: "timeout after 300 ms (ignored 1 malformed, 2 with another id, 1 not a response)",
      });
    });

    it("never hears a response sent from another address or port (the socket is connected to the server)", async () => {
      const impostor = await startFakeServer(() => {});
      sockets.push(impostor.socket);
      const port = await fakeServer((message, from) =>
        impostor.socket.send(responseTo(message, { answers: [{ type: "A", name: "one-stop.tinh.example", data: "192.0.2.66" }] }), from.port, from.address),
      );
      expect(await probeDns("", settings(port), contextFor())).toMatchObject({ ok: false, reason: "timeout after 300 ms", ignoredPackets: 0 });
    });

    it("reports a response with this query's id that cannot be decoded as malformed", async () => {
      const port = await fakeServer((message, from, socket) => reply(socket, from, Buffer.concat([message.subarray(0, 2), Buffer.from([0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 0xff, 0xff])])));
      expect(await probeDns("", settings(port), contextFor())).toMatchObject({ ok: false, answerMs: null, rcode: null, reason: "malformed response" });
    });

    it("reports SERVFAIL, and a truncated response without answers", async () => {
      const servfail = await fakeServer((message, from, socket) => reply(socket, from, responseTo(message, { rcode: 2 })));
      const result = await probeDns("", settings(servfail), contextFor());
      expect(result).toMatchObject({ ok: false, rcode: "SERVFAIL", answers: [], reason: "SERVFAIL" });
      expect(result.answerMs).not.toBeNull();
      const truncated = await fakeServer((message, from, socket) => reply(socket, from, responseTo(message, { flags: dnsPacket.TRUNCATED_RESPONSE })));
      expect(await probeDns("", settings(truncated), contextFor())).toMatchObject({ ok: false, rcode: "NOERROR", reason: "truncated response (use protocol: tcp)" });
    });

    it("returns promptly with reason 'aborted' when the signal aborts, or was aborted before the round", async () => {
      const port = await fakeServer(() => {});
      const controller = new AbortController();
      const round = timed(probeDns("", settings(port, { timeoutMs: 5000 }), contextFor(unbound, controller.signal)));
      setTimeout(() => controller.abort(), 100);
      const { result, elapsedMs } = await round;
      expect(result).toMatchObject({ ok: false, answerMs: null, reason: "aborted" });
      expect(elapsedMs).toBeLessThan(1000);
      expect(await probeDns("", settings(port), contextFor(unbound, AbortSignal.abort()))).toMatchObject({ ok: false, reason: "aborted" });
    });
  });
});
