import { execFile, execFileSync } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ProbeBinding, ProbeContext } from "../../../../agent/probes/probe.js";
import { probeConfigSchema, probeKinds } from "../../../../agent/probes/registry.js";
import { connectFailureReason, parseTcpTarget, probeTcp, tcpProbeSchema, type TcpRoundResult, type TcpRoundSettings } from "../../../../agent/probes/tcp/tcp.js";

const run = promisify(execFile);
const unbound: ProbeBinding = { interface: null, source: null };

function contextFor(bindTo: ProbeBinding = unbound, signal: AbortSignal = new AbortController().signal): ProbeContext {
  return { signal, bindTo };
}

async function timed(round: Promise<TcpRoundResult>): Promise<{ result: TcpRoundResult; elapsedMs: number }> {
  const started = performance.now();
  const result = await round;
  return { result, elapsedMs: performance.now() - started };
}

/** A TCP server on `host` that records each connection's peer address. */
async function listen(host: string): Promise<{ server: Server; port: number; peers: string[] }> {
  const peers: string[] = [];
  const server = createServer((socket: Socket) => {
    peers.push(socket.remoteAddress ?? "");
    socket.on("error", () => {});
    socket.end();
  });
  server.listen(0, host);
  await once(server, "listening");
  return { server, port: (server.address() as { port: number }).port, peers };
}

/** A loopback port nothing listens on at the time of asking. */
async function closedPort(): Promise<number> {
  const { server, port } = await listen("127.0.0.1");
  server.close();
  await once(server, "close");
  return port;
}

/**
 * A loopback port whose SYNs are dropped (iptables), so a connect hangs; or why that cannot be done here (not root,
 * no iptables). The rule is removed by the returned function and, failing that, at exit.
 */
async function blackholedPort(): Promise<{ port: number; remove: () => void } | { skip: string }> {
  if (process.getuid?.() !== 0) return { skip: "not root" };
  const port = await closedPort();
  const rule = ["-p", "tcp", "-d", "127.0.0.1", "--dport", String(port), "-m", "comment", "--comment", `wardwatch-tcp-test-${process.pid}`, "-j", "DROP"];
  try {
    await run("iptables", ["-w", "-I", "INPUT", ...rule]);
  } catch (err) {
    return { skip: `iptables failed: ${((err as { stderr?: string }).stderr || (err as Error).message).trim().split("\n")[0]}` };
  }
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    execFileSync("iptables", ["-w", "-D", "INPUT", ...rule]);
  };
  process.once("exit", remove);
  return { port, remove };
}

describe("agent/probes/tcp/tcp", () => {
  describe("tcpProbeSchema", () => {
    it("applies the defaults and splits the target into host and port", () => {
      expect(tcpProbeSchema.parse({ kind: "tcp", target: "192.168.1.20:554" })).toEqual({
        kind: "tcp",
        target: "192.168.1.20:554",
        host: "192.168.1.20",
        port: 554,
        intervalMs: 30_000,
        timeoutMs: 5000,
      });
    });

    it("accepts a bracketed IPv6 address and a host name", () => {
      expect(tcpProbeSchema.parse({ kind: "tcp", target: "[fd00::1]:9100", timeout: "2s" })).toMatchObject({ host: "fd00::1", port: 9100, timeoutMs: 2000 });
      expect(tcpProbeSchema.parse({ kind: "tcp", target: "one-stop.tinh.example:8443" })).toMatchObject({ host: "one-stop.tinh.example", port: 8443 });
    });

    it("rejects a target it cannot connect to, saying why", () => {
      const cases: Array<[string, string]> = [
        ["192.168.1.20", "must be host:port"],
        ["fd00::1:554", "in brackets"],
        ["[fd00::1]", "in brackets"],
        ["[192.168.1.20]:554", "is not an IPv6 address"],
        ["192.168.1.20:0", "out of range"],
        ["192.168.1.20:65536", "out of range"],
        ["cam_1.example:554", "neither an IPv4 address nor a host name"],
        ["-x:554", "neither an IPv4 address nor a host name"],
        [":554", "must be host:port"],
      ];
      for (const [target, message] of cases) {
        const parsed = tcpProbeSchema.safeParse({ kind: "tcp", target });
        expect(parsed.error?.issues, target).toMatchObject([{ path: ["target"], message: expect.stringContaining(message) }]);
      }
    });

    it("rejects an unknown key, a malformed duration and a timeout longer than the interval", () => {
      expect(tcpProbeSchema.safeParse({ kind: "tcp", target: "10.0.0.1:80", port: 80 }).error?.issues).toMatchObject([{ code: "unrecognized_keys", keys: ["port"] }]);
      expect(tcpProbeSchema.safeParse({ kind: "tcp", target: "10.0.0.1:80", interval: "often" }).error?.issues[0]?.path).toEqual(["interval"]);
      expect(tcpProbeSchema.safeParse({ kind: "tcp", target: "10.0.0.1:80", timeout: "2m" }).error?.issues[0]?.path).toEqual(["timeout"]);
      expect(tcpProbeSchema.safeParse({ kind: "tcp", target: "10.0.0.1:80", interval: "2s", timeout: "3s" }).error?.issues).toMatchObject([
        { path: ["timeout"], message: "timeout (3000 ms) must not exceed interval (2000 ms)" },
      ]);
    });

    it("accepts every entry of the documented example", async () => {
      const examplePath = fileURLToPath(new URL("../../../../agent/probes/tcp/tcp.example.yaml", import.meta.url));
      const example = parse(await readFile(examplePath, "utf8")) as { links: Array<{ probes: unknown[] }>; apps: Array<{ probe: unknown }>; lan: Array<{ probe: unknown }> };
      const entries = [...example.links.flatMap((link) => link.probes), ...example.apps.map((app) => app.probe), ...example.lan.map((device) => device.probe)];
      expect(entries.map((entry) => tcpProbeSchema.parse(entry))).toMatchObject([
        { host: "192.0.2.20", port: 443, intervalMs: 30_000, timeoutMs: 5000 },
        { host: "one-stop.tinh.example", port: 8443 },
        { host: "192.0.2.201", port: 554, intervalMs: 60_000 },
        { host: "192.0.2.202", port: 9100, timeoutMs: 2000 },
      ]);
    });

    it("is what the registry's probe union parses a tcp entry with", () => {
      expect(probeKinds.tcp.schema).toBe(tcpProbeSchema);
      expect(probeConfigSchema.parse({ kind: "tcp", target: "[::1]:22" })).toMatchObject({ kind: "tcp", host: "::1", port: 22 });
    });
  });

  it("parseTcpTarget and connectFailureReason give the operator's words", () => {
    expect(parseTcpTarget("[::1]:22")).toEqual({ host: "::1", port: 22 });
    expect(connectFailureReason(Object.assign(new Error("connect EHOSTUNREACH 10.0.0.9:554"), { code: "EHOSTUNREACH" }))).toBe("host unreachable");
    expect(connectFailureReason(Object.assign(new Error("connect ENETUNREACH 10.0.0.9:554"), { code: "ENETUNREACH" }))).toBe("network unreachable");
    expect(connectFailureReason(Object.assign(new Error("connect EACCES 10.0.0.9:554"), { code: "EACCES" }))).toBe("connect EACCES 10.0.0.9:554");
  });

  describe("probeTcp on loopback", () => {
    let listener: Awaited<ReturnType<typeof listen>>;
    const settings = (port: number, timeoutMs = 2000): TcpRoundSettings => ({ host: "127.0.0.1", port, timeoutMs });

    beforeAll(async () => {
      listener = await listen("127.0.0.1");
    });
    afterAll(() => listener?.server.close());

    it("connects to a listening port, with the connect time", async () => {
      const result = await probeTcp(`127.0.0.1:${listener.port}`, settings(listener.port), contextFor());
      expect(result).toEqual({ ok: true, connectMs: expect.any(Number) });
      expect(result.connectMs!).toBeGreaterThan(0);
      expect(result.connectMs!).toBeLessThan(2000);
      const times: number[] = [];
      for (let i = 0; i < 20; i++) times.push((await probeTcp("", settings(listener.port), contextFor())).connectMs!);
      times.sort((a, b) => a - b);
      console.info(`tcp: 20 connects on loopback took ${times[0]!.toFixed(3)}–${times[19]!.toFixed(3)} ms (median ${times[10]!.toFixed(3)} ms)`);
    });

    it("connects to an IPv6 address", async () => {
      const listener6 = await listen("::1");
      try {
        expect(await probeTcp(`[::1]:${listener6.port}`, { host: "::1", port: listener6.port, timeoutMs: 2000 }, contextFor())).toMatchObject({ ok: true });
      } finally {
        listener6.server.close();
      }
    });

    it("reports a closed port as connection refused", async () => {
      const port = await closedPort();
      expect(await probeTcp("", settings(port), contextFor())).toEqual({ ok: false, connectMs: null, reason: "connection refused" });
    });

    it("connects from the link's source address or interface", async () => {
      const before = listener.peers.length;
      expect(await probeTcp("", settings(listener.port), contextFor({ interface: null, source: "127.0.0.1" }))).toMatchObject({ ok: true });
      expect(await probeTcp("", settings(listener.port), contextFor({ interface: "lo", source: null }))).toMatchObject({ ok: true });
      await expect.poll(() => listener.peers.slice(before)).toEqual(["127.0.0.1", "127.0.0.1"]);
    });

    it("fails with the egress reason when bound to an interface that does not exist, connecting nothing", async () => {
      const before = listener.peers.length;
      const result = await probeTcp("", settings(listener.port), contextFor({ interface: "wwnosuch0", source: null }));
      expect(result).toEqual({ ok: false, connectMs: null, reason: "not via link: interface wwnosuch0 is down or has no IPv4 address" });
      expect(listener.peers.length).toBe(before);
    });

    it("returns 'aborted' at once when the signal was aborted before the round", async () => {
      expect(await probeTcp("", settings(listener.port), contextFor(unbound, AbortSignal.abort()))).toEqual({ ok: false, connectMs: null, reason: "aborted" });
    });
  });

  describe("probeTcp against a port whose SYNs are dropped", async () => {
    const blackhole = await blackholedPort();
    if ("skip" in blackhole) console.warn(`agent/probes/tcp/tcp: skipping the timeout and abort tests, ${blackhole.skip}`);
    const hanging = "port" in blackhole ? blackhole : null;
    afterAll(() => hanging?.remove());

    it.skipIf(hanging === null)("times out after the configured timeout", async () => {
      const { result, elapsedMs } = await timed(probeTcp("", { host: "127.0.0.1", port: hanging!.port, timeoutMs: 300 }, contextFor()));
      expect(result).toEqual({ ok: false, connectMs: null, reason: "timeout after 300 ms" });
      expect(elapsedMs).toBeGreaterThanOrEqual(295);
      expect(elapsedMs).toBeLessThan(1000);
    });

    it.skipIf(hanging === null)("returns promptly with reason 'aborted' when the signal aborts mid-connect", async () => {
      const controller = new AbortController();
      const round = timed(probeTcp("", { host: "127.0.0.1", port: hanging!.port, timeoutMs: 5000 }, contextFor(unbound, controller.signal)));
      setTimeout(() => controller.abort(), 100);
      const { result, elapsedMs } = await round;
      expect(result).toEqual({ ok: false, connectMs: null, reason: "aborted" });
      expect(elapsedMs).toBeLessThan(1000);
    });
  });
});
