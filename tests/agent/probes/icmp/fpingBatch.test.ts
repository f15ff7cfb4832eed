import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FpingBatchRunner, type IcmpRoundProbe, type SpawnProcess } from "../../../../agent/probes/icmp/fpingBatch.js";
import { fpingRunDeadlineMs } from "../../../../agent/probes/icmp/fpingOutput.js";
import { probeIcmp, type IcmpRoundResult, type IcmpRoundSettings } from "../../../../agent/probes/icmp/icmp.js";
import type { ProbeBinding, ProbeContext } from "../../../../agent/probes/probe.js";
import { memoryLogger } from "../../../helpers/memoryLogger.js";
import { startLateEchoResponder } from "../../../helpers/lateEcho.js";
import { canUseNetns, createTestLink, destroyTestLink, execInNamespace, type TestLink } from "../../../helpers/netns.js";

// This file's namespace link: 10.199.150.0/30 (other test files use other indexes).
const SUBNET_INDEX = 150;

const netns = await canUseNetns();
if (!netns.ok) console.warn(`agent/probes/icmp/fpingBatch: skipping the namespace tests, ${netns.reason}`);

const unbound: ProbeBinding = { interface: null, source: null };
const quick: IcmpRoundSettings = { count: 3, packetIntervalMs: 20, timeoutMs: 500 };

function contextFor(bindTo: ProbeBinding = unbound, signal: AbortSignal = new AbortController().signal): ProbeContext {
  return { signal, bindTo };
}

/** The real spawn, remembering every process it started and with which arguments. */
function countingSpawn(): { spawnProcess: SpawnProcess; started: Array<{ command: string; args: readonly string[]; child: ChildProcess }> } {
  const started: Array<{ command: string; args: readonly string[]; child: ChildProcess }> = [];
  return {
    started,
    spawnProcess: (command, args, options) => {
      const child = spawn(command, args, options);
      started.push({ command, args, child });
      return child;
    },
  };
}

/** Runs `script` with sh in place of fping (the arguments are passed on as $1 …). */
function fakeFping(script: string): SpawnProcess {
  return (_command, args, options) => spawn("sh", ["-c", script, "fping", ...args], options);
}

/** A fallback that must not be used. */
const noFallback: IcmpRoundProbe = () => Promise.reject(new Error("the fallback was used"));

function runnerWith(spawnProcess: SpawnProcess, fallback: IcmpRoundProbe = noFallback): FpingBatchRunner {
  return new FpingBatchRunner({ logger: memoryLogger().logger, fallback, spawnProcess });
}

async function timed<T>(work: Promise<T>): Promise<{ result: T; elapsedMs: number }> {
  const started = performance.now();
  const result = await work;
  return { result, elapsedMs: performance.now() - started };
}

function expectNoReply(result: IcmpRoundResult, sent: number, reason: string): void {
  expect(result).toEqual({ ok: false, sent, received: 0, lossPct: 100, rttsMs: [], rttMinMs: null, rttAvgMs: null, rttMaxMs: null, rttStddevMs: null, reason });
}

describe("agent/probes/icmp/fpingBatch", () => {
  describe("FpingBatchRunner with the real fping on loopback", () => {
    it("coalesces a round's three targets into one fping and gives each its own result", async () => {
      const { spawnProcess, started } = countingSpawn();
      const runner = runnerWith(spawnProcess);
      const results = await Promise.all(["127.0.0.1", "127.0.0.2", "127.0.0.3"].map((target) => runner.probe(target, quick, contextFor())));
      expect(started).toHaveLength(1);
      expect(started[0]!.command).toBe("fping");
      expect(started[0]!.args.slice(-4)).toEqual(["--", "127.0.0.1", "127.0.0.2", "127.0.0.3"]);
      for (const result of results) {
        expect(result).toMatchObject({ ok: true, sent: 3, received: 3, lossPct: 0 });
        expect(result.rttsMs).toHaveLength(3);
        expect(result.rttMaxMs!).toBeLessThan(quick.timeoutMs);
      }
    });

    it("runs one fping per binding and settings, and another for calls of a later turn", async () => {
      const { spawnProcess, started } = countingSpawn();
      const runner = runnerWith(spawnProcess);
      const results = await Promise.all([
        runner.probe("127.0.0.1", quick, contextFor()),
        runner.probe("127.0.0.2", quick, contextFor()),
        runner.probe("127.0.0.1", { ...quick, count: 2 }, contextFor()),
        runner.probe("127.0.0.1", quick, contextFor({ interface: "lo", source: null })),
        runner.probe("127.0.0.1", quick, contextFor({ interface: null, source: "127.0.0.1" })),
        runner.probe("::1", quick, contextFor()),
      ]);
      expect(started).toHaveLength(5);
      expect(results.map((result) => result.received)).toEqual([3, 3, 2, 3, 3, 3]);
      await runner.probe("127.0.0.1", quick, contextFor());
      expect(started).toHaveLength(6);
    });

    it("gives two probes of the same target one result each", async () => {
      const { spawnProcess, started } = countingSpawn();
      const runner = runnerWith(spawnProcess);
      const results = await Promise.all([runner.probe("127.0.0.1", quick, contextFor()), runner.probe("127.0.0.1", quick, contextFor())]);
      expect(started).toHaveLength(1);
      expect(results).toMatchObject([{ ok: true, received: 3 }, { ok: true, received: 3 }]);
    });

    it("reports an interface that does not exist for every target of the batch", async () => {
      const runner = runnerWith(spawn);
      const noSuch = contextFor({ interface: "wwnosuch0", source: null });
      const results = await Promise.all([runner.probe("127.0.0.1", quick, noSuch), runner.probe("127.0.0.2", quick, noSuch)]);
      for (const result of results) expectNoReply(result, 0, "interface not found");
    });

    it("answers every caller 'aborted' promptly and kills fping when the agent stops", async () => {
      const { spawnProcess, started } = countingSpawn();
      const runner = runnerWith(spawnProcess);
      const stop = new AbortController();
      const long: IcmpRoundSettings = { count: 100, packetIntervalMs: 100, timeoutMs: 1000 };
      const round = timed(Promise.all(["127.0.0.1", "127.0.0.2", "127.0.0.3"].map((target) => runner.probe(target, long, contextFor(unbound, stop.signal)))));
      setTimeout(() => stop.abort(), 300);
      const { result: results, elapsedMs } = await round;
      for (const result of results) expectNoReply(result, 0, "aborted");
      expect(elapsedMs).toBeLessThan(300 + 200);
      const child = started[0]!.child;
      if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
      expect(child.signalCode).toBe("SIGKILL");
    });

    it("keeps fping running for the callers that did not abort", async () => {
      const { spawnProcess, started } = countingSpawn();
      const runner = runnerWith(spawnProcess);
      const leaving = new AbortController();
      const settings: IcmpRoundSettings = { count: 5, packetIntervalMs: 100, timeoutMs: 500 };
      const gone = runner.probe("127.0.0.1", settings, contextFor(unbound, leaving.signal));
      const staying = runner.probe("127.0.0.2", settings, contextFor());
      setTimeout(() => leaving.abort(), 150);
      expect(await gone).toMatchObject({ ok: false, reason: "aborted" });
      expect(await staying).toMatchObject({ ok: true, sent: 5, received: 5 });
      expect(started).toHaveLength(1);
      expect(started[0]!.child.exitCode).toBe(0);
    });

    it("starts nothing for a caller whose signal has already aborted", async () => {
      const { spawnProcess, started } = countingSpawn();
      const stopped = new AbortController();
      stopped.abort();
      const result = await runnerWith(spawnProcess).probe("127.0.0.1", quick, contextFor(unbound, stopped.signal));
      expectNoReply(result, 0, "aborted");
      await new Promise((resolve) => setImmediate(resolve));
      expect(started).toHaveLength(0);
    });
  });

  describe("FpingBatchRunner when fping misbehaves", () => {
    it("stops a hung fping at the deadline and keeps what it printed; the targets it said nothing about get 'deadline exceeded'", async () => {
      // Prints one target's line in pieces (as fping does) and hangs, ignoring SIGINT.
      const runner = runnerWith(fakeFping("trap '' INT; printf '127.0.0.1 :' >&2; printf ' 0.05 -\\n' >&2; exec sleep 30"));
      const settings: IcmpRoundSettings = { count: 2, packetIntervalMs: 100, timeoutMs: 200 };
      const deadlineMs = fpingRunDeadlineMs(2, settings);
      const { result, elapsedMs } = await timed(Promise.all([runner.probe("127.0.0.1", settings, contextFor()), runner.probe("127.0.0.2", settings, contextFor())]));
      console.info(`fpingBatch: hung fping stopped after ${elapsedMs.toFixed(0)} ms (deadline ${deadlineMs} ms)`);
      expect(elapsedMs).toBeGreaterThanOrEqual(deadlineMs - 300);
      expect(elapsedMs).toBeLessThan(deadlineMs + 100);
      expect(result[0]).toMatchObject({ ok: true, sent: 2, received: 1, lossPct: 50, rttsMs: [0.05] });
      expectNoReply(result[1]!, 0, "deadline exceeded");
    });

    it("takes a non-zero exit and garbage on stderr as data, not as an error", async () => {
      const runner = runnerWith(fakeFping("printf 'warming up\\n127.0.0.2 : - -\\n127.0.0.1 : 0.04 0.05\\n' >&2; exit 1"));
      const [a, b] = await Promise.all([runner.probe("127.0.0.1", quick, contextFor()), runner.probe("127.0.0.2", quick, contextFor())]);
      expect(a).toMatchObject({ ok: true, sent: 2, received: 2 });
      expectNoReply(b!, 2, "no reply");
    });

    it("says 'name not resolved' for a host name fping could not resolve (exit 2, no line for it)", async () => {
      const runner = runnerWith(fakeFping("printf '127.0.0.1 : 0.04 0.05 0.04\\n' >&2; exit 2"));
      const [unresolved, answered] = await Promise.all([runner.probe("gw.example", quick, contextFor()), runner.probe("127.0.0.1", quick, contextFor())]);
      expectNoReply(unresolved!, 0, "name not resolved");
      expect(answered).toMatchObject({ ok: true, sent: 3, received: 3 });
    });

    it("falls back to the fallback probe for each target when fping is not installed, and logs that once", async () => {
      const { logger, lines } = memoryLogger();
      const fallbackCalls: string[] = [];
      const fallback: IcmpRoundProbe = async (target) => {
        fallbackCalls.push(target);
        return { ok: true, sent: 1, received: 1, lossPct: 0, rttsMs: [0.1], rttMinMs: 0.1, rttAvgMs: 0.1, rttMaxMs: 0.1, rttStddevMs: 0 };
      };
      const { spawnProcess, started } = countingSpawn();
      const missing: SpawnProcess = (_command, args, options) => spawnProcess("wardwatch-no-such-fping", args, options);
      const runner = new FpingBatchRunner({ logger, fallback, spawnProcess: missing });
      const first = await Promise.all([runner.probe("127.0.0.1", quick, contextFor()), runner.probe("127.0.0.2", quick, contextFor())]);
      expect(first).toMatchObject([{ ok: true, rttsMs: [0.1] }, { ok: true, rttsMs: [0.1] }]);
      expect(await runner.probe("127.0.0.3", quick, contextFor())).toMatchObject({ ok: true });
      expect(fallbackCalls).toEqual(["127.0.0.1", "127.0.0.2", "127.0.0.3"]);
      expect(started).toHaveLength(1);
      expect(lines.filter((line) => String(line.message).includes("fping not installed"))).toHaveLength(1);
    });

    describe("with only iputils ping in PATH", () => {
      let pingOnly: string;
      const realPath = process.env.PATH;
      beforeAll(async () => {
        pingOnly = await mkdtemp(join(tmpdir(), "wardwatch-fping-"));
        await symlink("/usr/bin/ping", join(pingOnly, "ping"));
      });
      afterEach(() => {
        process.env.PATH = realPath;
      });
      afterAll(async () => {
        await rm(pingOnly, { recursive: true, force: true });
      });

      it("probes each target with ping", async () => {
        process.env.PATH = pingOnly;
        const runner = new FpingBatchRunner({ logger: memoryLogger().logger, fallback: probeIcmp });
        const results = await Promise.all(["127.0.0.1", "127.0.0.2"].map((target) => runner.probe(target, quick, contextFor())));
        expect(results).toMatchObject([
          { ok: true, sent: 3, received: 3 },
          { ok: true, sent: 3, received: 3 },
        ]);
      });
    });
  });

  describe.skipIf(!netns.ok)("FpingBatchRunner through a namespace link", () => {
    let link: TestLink;
    beforeAll(async () => {
      link = await createTestLink({ name: "fping", subnetIndex: SUBNET_INDEX });
    });
    afterAll(async () => {
      if (link) await destroyTestLink(link);
    });

    it("leaves only through the link it is bound to: -I the link's interface reaches the peer, -I lo does not", async () => {
      const { spawnProcess, started } = countingSpawn();
      const runner = runnerWith(spawnProcess);
      const [viaLink, viaLo] = await Promise.all([
        runner.probe(link.peerAddress, quick, contextFor({ interface: link.hostInterface, source: null })),
        runner.probe(link.peerAddress, { ...quick, timeoutMs: 300 }, contextFor({ interface: "lo", source: null })),
      ]);
      expect(started.map((run) => run.args.slice(run.args.indexOf("-I"), run.args.indexOf("-I") + 2))).toEqual([
        ["-I", link.hostInterface],
        ["-I", "lo"],
      ]);
      expect(viaLink).toMatchObject({ ok: true, sent: 3, received: 3, lossPct: 0 });
      expectNoReply(viaLo, 3, "no reply");
    });

    it("reports 100 % loss for the peer of a downed link while another target of the same fping answers", async () => {
      const { spawnProcess, started } = countingSpawn();
      const runner = runnerWith(spawnProcess);
      // Bound to the link's own address: 127.0.0.1 still answers (loopback), the peer only over the veth.
      const fromLink = contextFor({ interface: null, source: link.hostAddress });
      const settings: IcmpRoundSettings = { count: 5, packetIntervalMs: 200, timeoutMs: 1000 };
      await link.down();
      try {
        // The kernel keeps using the downed veth's route, so nothing can leave by another way.
        const route = await promisify(execFile)("ip", ["route", "get", link.peerAddress, "from", link.hostAddress], { encoding: "utf8" });
        expect(route.stdout).toContain(`dev ${link.hostInterface}`);
        const { result, elapsedMs } = await timed(Promise.all([runner.probe(link.peerAddress, settings, fromLink), runner.probe("127.0.0.1", settings, fromLink)]));
        console.info(`fpingBatch: batch with a downed link's peer took ${elapsedMs.toFixed(0)} ms (deadline ${fpingRunDeadlineMs(2, settings)} ms)`);
        expect(started).toHaveLength(1);
        expectNoReply(result[0]!, 5, "no reply");
        expect(result[1]).toMatchObject({ ok: true, sent: 5, received: 5, lossPct: 0 });
        expect(elapsedMs).toBeLessThan(fpingRunDeadlineMs(2, settings));
      } finally {
        await link.up();
      }
      const [restored] = await Promise.all([runner.probe(link.peerAddress, quick, fromLink)]);
      expect(restored).toMatchObject({ ok: true, sent: 3, received: 3 });
    });

    // Last in this block: the responder switches the namespace's own echo replies off.
    it("counts a reply slower than the packet interval but within the timeout, and not one slower than the timeout", async () => {
      const responder = await startLateEchoResponder({ namespace: link.namespace, delayMs: 500 });
      try {
        const runner = runnerWith(spawn);
        const overLink = contextFor({ interface: link.hostInterface, source: null });
        const late = await runner.probe(link.peerAddress, { count: 5, packetIntervalMs: 200, timeoutMs: 1000 }, overLink);
        expect(late).toMatchObject({ ok: true, sent: 5, received: 5, lossPct: 0 });
        expect(late.rttMinMs!).toBeGreaterThanOrEqual(500);
        expectNoReply(await runner.probe(link.peerAddress, { count: 3, packetIntervalMs: 200, timeoutMs: 400 }, overLink), 3, "no reply");
      } finally {
        await responder.stop();
        await execInNamespace(link.namespace, ["sysctl", "-q", "-w", "net.ipv4.icmp_echo_ignore_all=0"]);
      }
    });
  });
});
