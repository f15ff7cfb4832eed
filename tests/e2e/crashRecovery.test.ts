import { afterEach, describe, expect, it } from "vitest";
import { Spool } from "../../agent/spool/spool.js";
import { runWardwatch, type DaemonProcess } from "../helpers/processes.js";
import { writeE2eFiles, type E2eFiles } from "../helpers/e2eSetup.js";

const SITE = "tan-phong";
const LOOPBACK_LINKS = [
  { id: "tslcd", bind: "source: 127.0.0.1", target: "127.0.0.1" },
  { id: "inet", bind: "source: 127.0.0.1", target: "127.0.0.2" },
];

/** The agent's spool as it was left (the agent must be stopped). */
function spoolStats(files: E2eFiles) {
  const spool = Spool.open({ dir: files.spoolDir, maxBytes: 64 * 1024 * 1024, segmentBytes: 1024 * 1024 });
  try {
    return spool.stats();
  } finally {
    spool.close();
  }
}

/** Every seq the agent measured up to `lastSeq` is stored once; nothing acknowledged is missing; nothing is duplicated. */
function expectStoredExactlyOnce(files: E2eFiles): { stored: number; lastSeq: number } {
  const seqs = files.storedSeqs(SITE);
  const { ackedSeq, lastSeq } = spoolStats(files);
  expect(new Set(seqs).size).toBe(seqs.length);
  expect(seqs[0]).toBe(1);
  // Contiguous 1..K: no sample lost in between; K ≥ what the agent saw acknowledged, ≤ what it measured.
  expect(seqs.at(-1)).toBe(seqs.length);
  expect(seqs.length).toBeGreaterThanOrEqual(ackedSeq);
  expect(seqs.length).toBeLessThanOrEqual(lastSeq);
  return { stored: seqs.length, lastSeq };
}

const isPushed = (line: Record<string, unknown>) => line.message === "pushed" && (line.samples as number) > 0;

describe("e2e: crash recovery (real collector and agent processes)", () => {
  const running: DaemonProcess[] = [];
  let files: E2eFiles | null = null;
  afterEach(async () => {
    for (const proc of running.splice(0)) {
      proc.kill("SIGKILL");
      await proc.exited;
    }
    files?.remove();
    files = null;
  });

  const start = (args: string[]): DaemonProcess => {
    const proc = runWardwatch(args);
    running.push(proc);
    return proc;
  };

  it("collector SIGKILLed while the agent pushes, then restarted: every sample stored exactly once", async () => {
    files = await writeE2eFiles({ site: SITE, links: LOOPBACK_LINKS, roundInterval: "1s", pushInterval: "1s", batchSize: 3 });
    let collector = start(["collector", "--config", files.collectorFile]);
    await collector.waitForLog((l) => l.message === "collector listening");
    const agent = start(["agent", "--config", files.agentFile]);
    await agent.waitForLog(isPushed);

    collector.kill("SIGKILL");
    expect(await collector.exited).toBe("SIGKILL");
    // The agent keeps measuring into its spool while the collector is gone.
    await agent.waitForLog((l) => l.message === "push failed" && (l.attempt as number) >= 3);
    const measuredDuringOutage = agent.logs.filter((l) => l.message === "push failed").length;
    expect(measuredDuringOutage).toBeGreaterThanOrEqual(3);

    collector = start(["collector", "--config", files.collectorFile]);
    await collector.waitForLog((l) => l.message === "collector listening");
    await agent.waitForLog((l) => l.message === "collector reachable again");
    const caughtUp = agent.logs.length;
    await agent.waitForLog((l) => isPushed(l) && l.pending === 0 && agent.logs.indexOf(l) >= caughtUp);

    agent.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    const { stored, lastSeq } = expectStoredExactlyOnce(files);
    expect(stored).toBeGreaterThan(6);
    expect(lastSeq - stored).toBeLessThanOrEqual(4); // at most the last round or two not yet pushed at SIGTERM
  });

  it("agent SIGKILLed and restarted: no sample lost, none duplicated, seqs continue", async () => {
    files = await writeE2eFiles({ site: SITE, links: LOOPBACK_LINKS, roundInterval: "1s", pushInterval: "1s", batchSize: 2 });
    const collector = start(["collector", "--config", files.collectorFile]);
    await collector.waitForLog((l) => l.message === "collector listening");
    let agent = start(["agent", "--config", files.agentFile]);
    await agent.waitForLog((l) => isPushed(l) && (l.lastSeq as number) >= 6);
    agent.kill("SIGKILL");
    expect(await agent.exited).toBe("SIGKILL");
    const beforeRestart = spoolStats(files);

    agent = start(["agent", "--config", files.agentFile]);
    await agent.waitForLog((l) => isPushed(l) && (l.lastSeq as number) > beforeRestart.lastSeq + 2);
    agent.kill("SIGTERM");
    expect(await agent.exited).toBe(0);

    const { lastSeq } = expectStoredExactlyOnce(files);
    expect(lastSeq).toBeGreaterThan(beforeRestart.lastSeq + 2);
  });
});
