import { describe, expect, it } from "vitest";
import { probeConfigSchema, probeKinds } from "../../agent/probes/registry.js";
import { RoundProbes, scheduleProbe } from "../../agent/scheduledProbes.js";
import { sampleSchema } from "../../protocol/sample.js";
import { memoryLogger } from "../helpers/memoryLogger.js";

describe("agent/scheduledProbes", () => {
  describe("RoundProbes", () => {
    it("builds each kind's round probe once and hands the same one to every probe of that kind", () => {
      const roundProbes = new RoundProbes({ logger: memoryLogger().logger });
      expect(roundProbes.of("icmp")).toBe(roundProbes.of("icmp"));
      expect(roundProbes.of("http")).toBe(roundProbes.of("http"));
    });

    it("uses what the kind builds: ICMP's batching runner, the plain probe for the others", () => {
      const roundProbes = new RoundProbes({ logger: memoryLogger().logger });
      expect(roundProbes.of("icmp")).not.toBe(probeKinds.icmp.run);
      expect(roundProbes.of("tcp")).toBe(probeKinds.tcp.run);
      expect(roundProbes.of("dns")).toBe(probeKinds.dns.run);
    });
  });

  describe("scheduleProbe", () => {
    it("takes its interval from the config and puts the round and placement in the sample's envelope", async () => {
      const config = probeConfigSchema.parse({ kind: "tcp", target: "127.0.0.1:9", interval: "45s" });
      const scheduled = scheduleProbe(config, { role: "app", link: "inet", probeId: "one-stop", bindTo: { interface: null, source: null } }, new RoundProbes({ logger: memoryLogger().logger }));
      expect(scheduled.intervalMs).toBe(45_000);
      const stop = new AbortController();
      stop.abort();
      const sample = await scheduled.run({ round: 3, roundSize: 2, ts: 1_700_000_000_000 }, stop.signal);
      expect(sample).toEqual({
        ts: 1_700_000_000_000,
        role: "app",
        link: "inet",
        probe: "one-stop",
        target: "127.0.0.1:9",
        round: 3,
        roundSize: 2,
        ok: false,
        reason: "aborted",
        kind: "tcp",
        connectMs: null,
      });
      expect(sampleSchema.safeParse({ ...sample, seq: 0 }).success).toBe(true);
    });
  });
});
