import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { once } from "node:events";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from "node:net";
import * as dnsPacket from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProbeBinding } from "../../../agent/probes/probe.js";
import { probeConfigSchema, probeKinds, type ProbeKindName } from "../../../agent/probes/registry.js";
import { RoundProbes, scheduleProbe } from "../../../agent/scheduledProbes.js";
import { sampleSchema } from "../../../protocol/sample.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

const unbound: ProbeBinding = { interface: null, source: null };

/** One round to run: a probe entry as written in YAML and the binding it leaves with. */
interface RoundCase {
  entry: Record<string, unknown>;
  bindTo?: ProbeBinding;
}

/** A round that must fail, and the reason it must give. */
interface FailingRoundCase extends RoundCase {
  reason: string;
}

/** Loopback servers the rounds talk to. */
interface Servers {
  httpBase: string;
  dnsPort: number;
  tcpPort: number;
  /** A loopback port nothing listens on. */
  closedPort: number;
}

/**
 * A success and a failure round per registered kind; typed over the registry, so a kind added without its cases
 * does not compile.
 */
const roundCases: { [Kind in ProbeKindName]: (servers: Servers) => { success: RoundCase; failure: FailingRoundCase } } = {
  icmp: () => ({
    success: { entry: { kind: "icmp", target: "127.0.0.1", count: 2, packet_interval: "20ms", timeout: "500ms" } },
    failure: { entry: { kind: "icmp", target: "127.0.0.1", count: 2, packet_interval: "20ms", timeout: "500ms" }, bindTo: { interface: "ww-absent0", source: null }, reason: "interface not found" },
  }),
  http: ({ httpBase, closedPort }) => ({
    success: { entry: { kind: "http", url: `${httpBase}/ok`, timeout: "2s" } },
    failure: { entry: { kind: "http", url: `http://127.0.0.1:${closedPort}/`, timeout: "2s" }, reason: "connection refused" },
  }),
  dns: ({ dnsPort }) => ({
    success: { entry: { kind: "dns", name: "one-stop.tinh.example", server: "127.0.0.1", port: dnsPort, timeout: "2s" } },
    failure: { entry: { kind: "dns", name: "missing.tinh.example", server: "127.0.0.1", port: dnsPort, timeout: "2s" }, reason: "NXDOMAIN" },
  }),
  tcp: ({ tcpPort, closedPort }) => ({
    success: { entry: { kind: "tcp", target: `127.0.0.1:${tcpPort}`, timeout: "2s" } },
    failure: { entry: { kind: "tcp", target: `127.0.0.1:${closedPort}`, timeout: "2s" }, reason: "connection refused" },
  }),
};

/** Answers A queries for one-stop.tinh.example with 192.0.2.10 and everything else with NXDOMAIN. */
function answerDns(message: Buffer, port: number, address: string, socket: UdpSocket): void {
  const query = dnsPacket.decode(message);
  const known = query.questions?.[0]?.name === "one-stop.tinh.example";
  const response = dnsPacket.encode({
    type: "response",
    id: query.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3),
    questions: query.questions,
    answers: known ? [{ type: "A", name: "one-stop.tinh.example", ttl: 60, data: "192.0.2.10" }] : [],
  });
  socket.send(response, port, address);
}

describe("agent/probes/registry", () => {
  let http: HttpServer;
  let dns: UdpSocket;
  let tcp: TcpServer;
  let servers: Servers;

  beforeAll(async () => {
    http = createHttpServer((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("ok"));
    http.listen(0, "127.0.0.1");
    dns = createSocket("udp4");
    dns.on("message", (message, from) => answerDns(message, from.port, from.address, dns));
    dns.bind(0, "127.0.0.1");
    tcp = createTcpServer((socket) => socket.on("error", () => {}).end());
    tcp.listen(0, "127.0.0.1");
    const closed = createTcpServer().listen(0, "127.0.0.1");
    await Promise.all([once(http, "listening"), once(dns, "listening"), once(tcp, "listening"), once(closed, "listening")]);
    const closedPort = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, "close");
    servers = {
      httpBase: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
      dnsPort: dns.address().port,
      tcpPort: (tcp.address() as AddressInfo).port,
      closedPort,
    };
  });

  afterAll(async () => {
    http.closeAllConnections();
    await Promise.all([new Promise((resolve) => http.close(resolve)), new Promise((resolve) => tcp.close(resolve)), new Promise<void>((resolve) => dns.close(resolve))]);
  });

  it("has a success and a failure case for every registered kind", () => {
    expect(Object.keys(roundCases).sort()).toEqual(Object.keys(probeKinds).sort());
  });

  describe.each(Object.keys(probeKinds) as ProbeKindName[])("%s: a scheduled round's sample validates against the protocol", (kind) => {
    const roundProbes = new RoundProbes({ logger: memoryLogger().logger });

    it.each(["success", "failure"] as const)("for a %s", async (outcome) => {
      const cases = roundCases[kind](servers);
      const roundCase = cases[outcome];
      const config = probeConfigSchema.parse(roundCase.entry);
      const placement = { role: "link" as const, link: "tslcd", probeId: `${kind}:${config.target}`, bindTo: roundCase.bindTo ?? unbound };
      const scheduled = scheduleProbe(config, placement, roundProbes);
      const sample = await scheduled.run({ round: 7, roundSize: 1, ts: 1_700_000_000_000 }, new AbortController().signal);

      const parsed = sampleSchema.safeParse({ ...sample, seq: 1 });
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(sample).toMatchObject({ kind, ok: outcome === "success", round: 7, roundSize: 1, ts: 1_700_000_000_000, link: "tslcd", target: config.target });
      expect(sample.reason).toBe(outcome === "failure" ? cases.failure.reason : undefined);
    });
  });
});
