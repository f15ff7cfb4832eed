import { describe, expect, it } from "vitest";
import { fpingArguments, fpingRunDeadlineMs, fpingSendGapMs, parseFpingOutput, runResults, type FpingExit, type FpingRun } from "../../../../agent/probes/icmp/fpingOutput.js";
import { icmpRoundDeadlineMs, type IcmpRoundResult, type IcmpRoundSettings } from "../../../../agent/probes/icmp/icmp.js";
import type { ProbeBinding } from "../../../../agent/probes/probe.js";

const unbound: ProbeBinding = { interface: null, source: null };

function expectNoReply(result: IcmpRoundResult, sent: number, reason: string): void {
  expect(result).toEqual({ ok: false, sent, received: 0, lossPct: 100, rttsMs: [], rttMinMs: null, rttAvgMs: null, rttMaxMs: null, rttStddevMs: null, reason });
}

describe("agent/probes/icmp/fpingOutput", () => {
  describe("fping's -C output", () => {
    const settings: IcmpRoundSettings = { count: 5, packetIntervalMs: 200, timeoutMs: 1000 };
    const runOf = (targets: string[]): FpingRun => ({ targets, settings, bindTo: unbound, family: 4 });
    const resultsOf = (targets: string[], stderr: string, exit: Partial<FpingExit> = {}): IcmpRoundResult[] =>
      runResults(runOf(targets), parseFpingOutput(stderr, targets), { exitCode: 0, stoppedAtDeadline: false, ...exit });

    it("reads every reply of every target, with the rtt summary as probeIcmp computes it", () => {
      const [a, b] = resultsOf(["127.0.0.1", "gw.example"], "127.0.0.1  : 0.03 0.04 0.05 0.04 0.04\ngw.example : 10.5 11.5 10.5 11.5 11.0\n");
      expect(a).toMatchObject({ ok: true, sent: 5, received: 5, lossPct: 0, rttsMs: [0.03, 0.04, 0.05, 0.04, 0.04], rttMinMs: 0.03, rttMaxMs: 0.05 });
      expect(a!.reason).toBeUndefined();
      expect(b).toMatchObject({ ok: true, sent: 5, received: 5, rttAvgMs: 11, rttStddevMs: expect.closeTo(Math.sqrt(0.2), 9) as number });
    });

    it("counts '-' and a reply slower than the timeout as lost, keeping the others in order", () => {
      const [result] = resultsOf(["127.0.0.1"], "127.0.0.1 : 0.03 - 0.05 1200.5 0.04\n");
      expect(result).toMatchObject({ ok: true, sent: 5, received: 3, lossPct: 40, rttsMs: [0.03, 0.05, 0.04] });
    });

    it("says 'no reply' for a target that lost everything, and 'deadline exceeded' when fping had to be stopped", () => {
      expectNoReply(resultsOf(["10.0.0.1"], "10.0.0.1 : - - - - -\n")[0]!, 5, "no reply");
      expectNoReply(resultsOf(["10.0.0.1"], "10.0.0.1 : - -\n", { exitCode: null, stoppedAtDeadline: true })[0]!, 2, "deadline exceeded");
    });

    it("gives a repeated target's lines to its callers in order, and ignores garbage, ICMP notices and extra lines", () => {
      const stderr = [
        "ICMP Host Unreachable from 10.0.0.254 for ICMP Echo sent to 10.0.0.9",
        "127.0.0.1 : 0.01 0.01 0.01 0.01 0.01",
        "garbage : 12 x",
        "10.0.0.1  : - - - 5.0 -",
        "127.0.0.1 : 0.02 0.02 - 0.02 0.02",
        "10.0.0.1  : 9.0 9.0 9.0 9.0 9.0",
        "",
      ].join("\n");
      const [first, other, second] = resultsOf(["127.0.0.1", "10.0.0.1", "127.0.0.1"], stderr);
      expect(first).toMatchObject({ ok: true, received: 5, rttMaxMs: 0.01 });
      expect(other).toMatchObject({ ok: true, sent: 5, received: 1, lossPct: 80, rttsMs: [5] });
      expect(second).toMatchObject({ ok: true, received: 4, lossPct: 20, rttMaxMs: 0.02 });
    });

    it("counts a target fping said nothing about, or whose line was cut off by a kill, as 'no reply'", () => {
      const [answered, missing, cutOff] = resultsOf(["127.0.0.1", "127.0.0.2", "127.0.0.3"], "127.0.0.1 : 0.03 0.04 0.05 0.04 0.04\n127.0.0.3 : 0.0");
      expect(answered).toMatchObject({ ok: true, received: 5 });
      expectNoReply(missing!, 0, "no reply");
      expectNoReply(cutOff!, 0, "no reply");
    });

    it("never throws on garbage, binary noise or nothing at all", () => {
      for (const stderr of ["", "\n\n", "\u0000\u0001 : : :\n", ":\n : \n", "127.0.0.1 :\n", "x".repeat(10_000) + "\n"]) {
        const [result] = resultsOf(["127.0.0.1"], stderr);
        expect(result!.ok, JSON.stringify(stderr.slice(0, 20))).toBe(false);
        expect(result!.received).toBe(0);
      }
    });

    it("takes a target's own error line, and fping's error when it reported on no target", () => {
      const [unresolved, answered] = resultsOf(["gw.example", "127.0.0.1"], "gw.example: Name or service not known\n127.0.0.1 : 0.03 0.03 0.03 0.03 0.03\n");
      expectNoReply(unresolved!, 0, "gw.example: Name or service not known");
      expect(answered).toMatchObject({ ok: true });
      const [bindFailed] = resultsOf(["127.0.0.1"], "fping: cannot bind source address : Cannot assign requested address\n");
      expectNoReply(bindFailed!, 0, "cannot bind source address : Cannot assign requested address");
      const [noInterface] = resultsOf(["127.0.0.1"], "binding to specific interface (SO_BINTODEVICE): No such device\n");
      expectNoReply(noInterface!, 0, "interface not found");
    });

    it("says 'name not resolved' for a target missing when fping exited 2 (with -q it names no host)", () => {
      const [unresolved, answered] = resultsOf(["gw.example", "127.0.0.1"], "127.0.0.1 : 0.03 0.03 0.03 0.03 0.03\n", { exitCode: 2 });
      expectNoReply(unresolved!, 0, "name not resolved");
      expect(answered).toMatchObject({ ok: true });
      expectNoReply(resultsOf(["gw.example"], "", { exitCode: 2 })[0]!, 0, "name not resolved");
    });
  });

  describe("fpingArguments", () => {
    it("asks for -C, -p, -t and a send gap that fits every target into one packet interval", () => {
      const run: FpingRun = { targets: ["127.0.0.1", "127.0.0.2"], settings: { count: 5, packetIntervalMs: 200, timeoutMs: 1000 }, bindTo: { interface: null, source: "127.0.0.1" }, family: 4 };
      expect(fpingArguments(run)).toEqual(["-C", "5", "-p", "200", "-t", "1000", "-i", "10", "-q", "-4", "-S", "127.0.0.1", "--", "127.0.0.1", "127.0.0.2"]);
      expect(fpingArguments({ ...run, bindTo: { interface: "eth1", source: "10.0.0.2" }, family: 0 })).toEqual(["-C", "5", "-p", "200", "-t", "1000", "-i", "10", "-q", "-I", "eth1", "--", "127.0.0.1", "127.0.0.2"]);
      expect(fpingSendGapMs(25, 200)).toBe(8);
      expect(fpingSendGapMs(32, 10)).toBe(1);
    });

    it("allows as long as probeIcmp for a batch that fits, longer only when a pass over the targets does not", () => {
      const settings: IcmpRoundSettings = { count: 5, packetIntervalMs: 200, timeoutMs: 1000 };
      expect(fpingRunDeadlineMs(1, settings)).toBe(icmpRoundDeadlineMs(settings));
      expect(fpingRunDeadlineMs(25, settings)).toBe(icmpRoundDeadlineMs(settings));
      expect(fpingRunDeadlineMs(32, { count: 5, packetIntervalMs: 10, timeoutMs: 100 })).toBe(5 * 32 + 100 + 1000);
    });
  });
});
