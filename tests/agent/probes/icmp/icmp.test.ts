import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { makeAgentFileSchema } from "../../../../config/agentSchema.js";
import {
  icmpProbeSchema,
  icmpRoundDeadlineMs,
  parsePingOutput,
  probeIcmp,
  type IcmpRoundResult,
  type IcmpRoundSettings,
} from "../../../../agent/probes/icmp/icmp.js";
import type { ProbeBinding, ProbeContext } from "../../../../agent/probes/probe.js";
import { probeConfigSchema, probeKinds } from "../../../../agent/probes/registry.js";
import { canUseNetns, createTestLink, destroyTestLink, execInNamespace, type TestLink } from "../../../helpers/netns.js";

// This file's namespace link: 10.199.41.0/30 (other test files use other indexes).
const SUBNET_INDEX = 41;

const netns = await canUseNetns();
if (!netns.ok) console.warn(`agent/probes/icmp/icmp: skipping the namespace tests, ${netns.reason}`);

const unbound: ProbeBinding = { interface: null, source: null };
const quick: IcmpRoundSettings = { count: 3, packetIntervalMs: 50, timeoutMs: 500 };

function contextFor(bindTo: ProbeBinding = unbound, signal: AbortSignal = new AbortController().signal): ProbeContext {
  return { signal, bindTo };
}

async function timed(round: Promise<IcmpRoundResult>): Promise<{ result: IcmpRoundResult; elapsedMs: number }> {
  const started = performance.now();
  const result = await round;
  return { result, elapsedMs: performance.now() - started };
}

function expectNoReply(result: IcmpRoundResult, sent: number): void {
  expect(result).toMatchObject({ ok: false, sent, received: 0, lossPct: 100, rttsMs: [], rttMinMs: null, rttAvgMs: null, rttMaxMs: null, rttStddevMs: null });
}

describe("agent/probes/icmp/icmp", () => {
  describe("icmpProbeSchema", () => {
    it("applies the defaults and turns the entry into the domain config (ms, camelCase)", () => {
      expect(icmpProbeSchema.parse({ kind: "icmp", target: "10.0.0.1" })).toEqual({
        kind: "icmp",
        target: "10.0.0.1",
        intervalMs: 10_000,
        count: 5,
        packetIntervalMs: 200,
        timeoutMs: 1000,
      });
    });

    it("accepts IPv6 addresses and host names", () => {
      for (const target of ["::1", "fd00::1", "gw.vnpt.vn", "core-1.example"]) {
        expect(icmpProbeSchema.safeParse({ kind: "icmp", target }).success, target).toBe(true);
      }
    });

    it("rejects an unknown key", () => {
      const parsed = icmpProbeSchema.safeParse({ kind: "icmp", target: "10.0.0.1", size: 56 });
      expect(parsed.error?.issues).toMatchObject([{ code: "unrecognized_keys", keys: ["size"] }]);
    });

    it("rejects a malformed duration, naming the key", () => {
      const parsed = icmpProbeSchema.safeParse({ kind: "icmp", target: "10.0.0.1", interval: "10 seconds" });
      expect(parsed.error?.issues).toMatchObject([{ path: ["interval"], message: expect.stringContaining("is not a duration") }]);
    });

    it("rejects values out of range", () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ count: 0 }, "count"],
        [{ count: 101 }, "count"],
        [{ count: 2.5 }, "count"],
        [{ packet_interval: "5ms" }, "packet_interval"],
        [{ timeout: "2m" }, "timeout"],
        [{ interval: "500ms" }, "interval"],
      ];
      for (const [entry, key] of cases) {
        const parsed = icmpProbeSchema.safeParse({ kind: "icmp", target: "10.0.0.1", ...entry });
        expect(parsed.error?.issues[0]?.path, JSON.stringify(entry)).toEqual([key]);
      }
    });

    it("rejects a target that is neither an address nor a host name (nothing ping could take for an option)", () => {
      for (const target of ["", "-f", "10.0.0.1 -f", "gw_1.example", "a..b"]) {
        expect(icmpProbeSchema.safeParse({ kind: "icmp", target }).success, target).toBe(false);
      }
    });

    it("rejects a round that cannot fit in the interval", () => {
      const parsed = icmpProbeSchema.safeParse({ kind: "icmp", target: "10.0.0.1", interval: "5s", count: 20, packet_interval: "1s" });
      expect(parsed.error?.issues).toMatchObject([{ path: ["interval"], message: expect.stringContaining("= 20000 ms") }]);
    });

    it("accepts the documented example entry", async () => {
      const examplePath = fileURLToPath(new URL("../../../../agent/probes/icmp/icmp.example.yaml", import.meta.url));
      const example = parse(await readFile(examplePath, "utf8")) as { links: Array<{ probes: unknown[] }> };
      expect(icmpProbeSchema.parse(example.links[0]!.probes[0])).toMatchObject({ kind: "icmp", intervalMs: 10_000, count: 5 });
    });

    it("is what the registry's probe union and the agent file schema parse an icmp entry with", () => {
      expect(probeKinds.icmp.schema).toBe(icmpProbeSchema);
      expect(probeConfigSchema.parse({ kind: "icmp", target: "::1", count: 2 })).toMatchObject({ kind: "icmp", count: 2, timeoutMs: 1000 });
      expect(probeConfigSchema.safeParse({ kind: "carrier-pigeon", target: "::1" }).success).toBe(false);
      const agentFile = makeAgentFileSchema(probeConfigSchema).parse({
        site: "tan-phong",
        collector: { urls: ["http://127.0.0.1:8080"], token_file: "./token" },
        state: {},
        links: [{ id: "tslcd", interface: "eth1", probes: [{ kind: "icmp", target: "10.0.0.1" }] }],
      });
      expect(agentFile.links[0]!.probes[0]).toMatchObject({ kind: "icmp", intervalMs: 10_000, packetIntervalMs: 200 });
    });
  });

  describe("parsePingOutput", () => {
    it("counts each icmp_seq once (DUP! ignored), reads the summary, and ignores error and unknown lines", () => {
      const output = parsePingOutput(
        [
          "PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.",
          "64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=1.50 ms",
          "64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=9.99 ms (DUP!)",
          "From 10.0.0.2 icmp_seq=2 Destination Host Unreachable",
          "64 bytes from 10.0.0.1: icmp_seq=3 ttl=64 time=120 ms",
          "garbage line time=7 ms",
          "",
          "--- 10.0.0.1 ping statistics ---",
          "4 packets transmitted, 2 received, +1 duplicates, +1 errors, 50% packet loss, time 3004ms",
          "rtt min/avg/max/mdev = 1.500/60.750/120.000/59.250 ms",
        ].join("\n"),
      );
      expect([...output.rttsBySeq]).toEqual([
        [1, 1.5],
        [3, 120],
      ]);
      expect(output.highestSeq).toBe(3);
      expect(output.transmitted).toBe(4);
    });

    it("copes with output cut off mid-line by a kill (no summary)", () => {
      const output = parsePingOutput("PING ::1(::1) 56 data bytes\n64 bytes from ::1: icmp_seq=1 ttl=64 time=0.04 ms\n64 bytes from ::1: icmp_s");
      expect([...output.rttsBySeq]).toEqual([[1, 0.04]]);
      expect(output.transmitted).toBeNull();
    });
  });

  describe("probeIcmp on loopback", () => {
    it("gets every reply from 127.0.0.1, with the rtt fields set", async () => {
      const result = await probeIcmp("127.0.0.1", { count: 5, packetIntervalMs: 20, timeoutMs: 1000 }, contextFor());
      expect(result).toMatchObject({ ok: true, sent: 5, received: 5, lossPct: 0 });
      expect(result.reason).toBeUndefined();
      expect(result.rttsMs).toHaveLength(5);
      const { rttMinMs, rttAvgMs, rttMaxMs, rttStddevMs } = result;
      expect(rttMinMs).toBe(Math.min(...result.rttsMs));
      expect(rttMaxMs).toBe(Math.max(...result.rttsMs));
      expect(rttAvgMs!).toBeGreaterThanOrEqual(rttMinMs!);
      expect(rttAvgMs!).toBeLessThanOrEqual(rttMaxMs!);
      expect(rttStddevMs!).toBeGreaterThanOrEqual(0);
      expect(rttMaxMs!).toBeLessThan(1000);
    });

    it("computes the population standard deviation, as iputils' mdev", async () => {
      const result = await probeIcmp("127.0.0.1", { count: 4, packetIntervalMs: 20, timeoutMs: 1000 }, contextFor());
      const mean = result.rttsMs.reduce((a, b) => a + b, 0) / result.rttsMs.length;
      const population = Math.sqrt(result.rttsMs.reduce((sum, rtt) => sum + (rtt - mean) ** 2, 0) / result.rttsMs.length);
      expect(result.rttStddevMs).toBeCloseTo(population, 9);
    });

    it("pings ::1 and a host name from /etc/hosts", async () => {
      expect(await probeIcmp("::1", quick, contextFor())).toMatchObject({ ok: true, received: 3, lossPct: 0 });
      expect(await probeIcmp("localhost", quick, contextFor())).toMatchObject({ ok: true, received: 3 });
    });

    it("binds to an interface or a source address", async () => {
      expect(await probeIcmp("127.0.0.1", quick, contextFor({ interface: "lo", source: null }))).toMatchObject({ ok: true, received: 3 });
      expect(await probeIcmp("127.0.0.1", quick, contextFor({ interface: null, source: "127.0.0.1" }))).toMatchObject({ ok: true, received: 3 });
    });

    it("reports an interface that does not exist", async () => {
      const result = await probeIcmp("127.0.0.1", quick, contextFor({ interface: "wwnosuch0", source: null }));
      expectNoReply(result, 0);
      expect(result.reason).toBe("interface not found");
    });

    it("reports ping's error for a source address this host does not have", async () => {
      // bind() fails before anything is sent.
      const result = await probeIcmp("127.0.0.1", quick, contextFor({ interface: null, source: `10.199.${SUBNET_INDEX}.3` }));
      expectNoReply(result, 0);
      expect(result.reason).toBe("bind: Cannot assign requested address");
    });

    it("returns promptly with reason 'aborted' when the signal aborts mid-round", async () => {
      const controller = new AbortController();
      const round = timed(probeIcmp("127.0.0.1", { count: 100, packetIntervalMs: 100, timeoutMs: 1000 }, contextFor(unbound, controller.signal)));
      setTimeout(() => controller.abort(), 300);
      const { result, elapsedMs } = await round;
      console.info(`icmp: aborted at 300 ms, round returned after ${elapsedMs.toFixed(0)} ms (round deadline 12000 ms)`);
      expect(result).toMatchObject({ ok: false, reason: "aborted" });
      expect(elapsedMs).toBeLessThan(300 + 200);
    });

    it("returns a failure, not an exception, for a target Node cannot pass to ping", async () => {
      const result = await probeIcmp("127.0.0.1\0", quick, contextFor());
      expectNoReply(result, 0);
      expect(result.reason).toMatch(/^ping could not be started/);
    });

    it("does not start when the signal is already aborted", async () => {
      const controller = new AbortController();
      controller.abort();
      const { result, elapsedMs } = await timed(probeIcmp("127.0.0.1", quick, contextFor(unbound, controller.signal)));
      expectNoReply(result, 0);
      expect(result.reason).toBe("aborted");
      expect(elapsedMs).toBeLessThan(50);
    });
  });

  describe("probeIcmp when ping misbehaves", () => {
    // A directory put first in PATH for one test, holding a stand-in `ping` (or none at all).
    let fakeBin: string;
    const realPath = process.env.PATH;
    beforeAll(async () => {
      fakeBin = await mkdtemp(join(tmpdir(), "wardwatch-icmp-"));
    });
    afterEach(() => {
      process.env.PATH = realPath;
    });
    afterAll(async () => {
      await rm(fakeBin, { recursive: true, force: true });
    });

    it("reports 'ping not installed' when there is no ping", async () => {
      process.env.PATH = fakeBin;
      const result = await probeIcmp("127.0.0.1", quick, contextFor());
      expectNoReply(result, 0);
      expect(result.reason).toBe("ping not installed");
    });

    it("kills a ping that hangs (ignoring SIGINT) at the round deadline and keeps the replies it printed", async () => {
      const script = ["#!/bin/sh", "trap '' INT", "echo '64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.5 ms'", "exec sleep 30", ""].join("\n");
      await writeFile(join(fakeBin, "ping"), script);
      await chmod(join(fakeBin, "ping"), 0o755);
      process.env.PATH = `${fakeBin}:${realPath}`;
      const settings: IcmpRoundSettings = { count: 2, packetIntervalMs: 100, timeoutMs: 200 };
      const deadlineMs = icmpRoundDeadlineMs(settings);
      const { result, elapsedMs } = await timed(probeIcmp("127.0.0.1", settings, contextFor()));
      console.info(`icmp: hung ping stopped after ${elapsedMs.toFixed(0)} ms (deadline ${deadlineMs} ms)`);
      expect(deadlineMs).toBe(1400);
      expect(elapsedMs).toBeGreaterThanOrEqual(deadlineMs - 300);
      expect(elapsedMs).toBeLessThan(deadlineMs + 100); // the probe aims at deadline − 50 ms; the rest is timer slack
      expect(result).toMatchObject({ ok: true, sent: 1, received: 1, rttsMs: [0.5] });
    });

    it("counts a reply slower than the timeout as lost", async () => {
      const lines = [
        "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.5 ms",
        "64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=1500 ms",
        "",
        "2 packets transmitted, 2 received, 0% packet loss, time 1001ms",
      ];
      await writeFile(join(fakeBin, "ping"), `#!/bin/sh\nprintf '%s\\n' ${lines.map((line) => `'${line}'`).join(" ")}\n`);
      await chmod(join(fakeBin, "ping"), 0o755);
      process.env.PATH = `${fakeBin}:${realPath}`;
      const result = await probeIcmp("127.0.0.1", { count: 2, packetIntervalMs: 100, timeoutMs: 1000 }, contextFor());
      expect(result).toMatchObject({ ok: true, sent: 2, received: 1, lossPct: 50, rttsMs: [0.5], rttMaxMs: 0.5 });
    });

    it("says 'deadline exceeded' when a hung ping printed nothing", async () => {
      await writeFile(join(fakeBin, "ping"), "#!/bin/sh\nexec sleep 30\n");
      await chmod(join(fakeBin, "ping"), 0o755);
      process.env.PATH = `${fakeBin}:${realPath}`;
      const settings: IcmpRoundSettings = { count: 1, packetIntervalMs: 100, timeoutMs: 100 };
      const { result, elapsedMs } = await timed(probeIcmp("127.0.0.1", settings, contextFor()));
      expectNoReply(result, 0);
      expect(result.reason).toBe("deadline exceeded");
      expect(elapsedMs).toBeLessThan(icmpRoundDeadlineMs(settings) + 200);
    });
  });

  describe.skipIf(!netns.ok)("probeIcmp through a namespace link", () => {
    let link: TestLink;
    const settings: IcmpRoundSettings = { count: 5, packetIntervalMs: 200, timeoutMs: 1000 };
    beforeAll(async () => {
      link = await createTestLink({ name: "icmp", subnetIndex: SUBNET_INDEX });
    });
    afterAll(async () => {
      if (link) await destroyTestLink(link);
    });
    const overLink = (): ProbeContext => contextFor({ interface: link.hostInterface, source: null });

    it("gets every reply over the link while it is up (bound to its interface, to its source address, or routed)", async () => {
      const quickSettings: IcmpRoundSettings = { count: 3, packetIntervalMs: 20, timeoutMs: 1000 };
      for (const bindTo of [{ interface: link.hostInterface, source: null }, { interface: null, source: link.hostAddress }, unbound]) {
        const result = await probeIcmp(link.peerAddress, quickSettings, contextFor(bindTo));
        expect(result, JSON.stringify(bindTo)).toMatchObject({ ok: true, sent: 3, received: 3, lossPct: 0 });
      }
    });

    it("leaves only through its own link: bound to another interface or address, the peer is unreachable", async () => {
      const quickSettings: IcmpRoundSettings = { count: 2, packetIntervalMs: 20, timeoutMs: 300 };
      const viaLo = await probeIcmp(link.peerAddress, quickSettings, contextFor({ interface: "lo", source: null }));
      expectNoReply(viaLo, 2);
      expect(viaLo.reason).toBe("no reply");
      const fromLoopback = await probeIcmp(link.peerAddress, quickSettings, contextFor({ interface: null, source: "127.0.0.1" }));
      expectNoReply(fromLoopback, 2);
    });

    it("measures partial loss (every other echo request dropped in the namespace)", async () => {
      const dropEveryOther = ["INPUT", "-p", "icmp", "--icmp-type", "echo-request", "-m", "statistic", "--mode", "nth", "--every", "2", "--packet", "0", "-j", "DROP"];
      await execInNamespace(link.namespace, ["iptables", "-A", ...dropEveryOther]);
      try {
        const result = await probeIcmp(link.peerAddress, { count: 10, packetIntervalMs: 20, timeoutMs: 300 }, overLink());
        expect(result).toMatchObject({ ok: true, sent: 10, received: 5, lossPct: 50 });
        expect(result.rttsMs).toHaveLength(5);
      } finally {
        await execInNamespace(link.namespace, ["iptables", "-D", ...dropEveryOther]);
      }
    });

    it("fails with 100% loss within the deadline when the link is down, and recovers when it is up", async () => {
      await link.down();
      try {
        const deadlineMs = icmpRoundDeadlineMs(settings);
        const { result, elapsedMs } = await timed(probeIcmp(link.peerAddress, settings, overLink()));
        console.info(`icmp: round to a downed link (count 5, 200 ms apart, timeout 1 s) took ${elapsedMs.toFixed(0)} ms (deadline ${deadlineMs} ms)`);
        expectNoReply(result, 5);
        expect(result.reason).toBe("no reply");
        expect(elapsedMs).toBeLessThan(deadlineMs);
      } finally {
        await link.up();
      }
      const { result, elapsedMs } = await timed(probeIcmp(link.peerAddress, settings, overLink()));
      console.info(`icmp: round over the restored link took ${elapsedMs.toFixed(0)} ms`);
      expect(result).toMatchObject({ ok: true, sent: 5, received: 5, lossPct: 0 });
    });
  });
});
