/**
 * How well the real ICMP probe measures loss and delay on a link whose loss and delay are known: a veth into a
 * namespace that drops 20 % of echo requests (iptables statistic), and one whose echo replies come from a
 * user-space responder 30 ms late (this kernel has no netem; see DESIGN.md, "Running real components in tests").
 * The measured figures are printed so they can be quoted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeIcmp, type IcmpRoundResult, type IcmpRoundSettings } from "../../agent/probes/icmp/icmp.js";
import { icmpSampleStats } from "../../agent/probes/icmp/icmpStats.js";
import type { ProbeContext } from "../../agent/probes/probe.js";
import { startLateEchoResponder, type LateEchoResponder } from "../helpers/lateEcho.js";
import { canUseNetns, createTestLink, destroyTestLink, execInNamespace, type TestLink } from "../helpers/netns.js";

// This file's namespace links: 10.199.61.0/30 (loss) and 10.199.62.0/30 (delay).
const LOSS_SUBNET_INDEX = 61;
const DELAY_SUBNET_INDEX = 62;

const DROP_PROBABILITY = 0.2;
/** 6 rounds × 100 requests: the standard deviation of the measured loss is √(0.2 × 0.8 / 600) ≈ 1.6 points. */
const LOSS_ROUNDS = 6;
// A generous reply timeout: on a loaded 2-core CI machine a late reply must not be mistaken for a lost one.
const LOSS_SETTINGS: IcmpRoundSettings = { count: 100, packetIntervalMs: 10, timeoutMs: 1000 };
const LOSS_TOLERANCE_POINTS = 6;

const DELAY_MS = 30;
const DELAY_SETTINGS: IcmpRoundSettings = { count: 100, packetIntervalMs: 10, timeoutMs: 1000 };
const DELAY_TOLERANCE_MS = 3;

const DROP_RULE = ["INPUT", "-p", "icmp", "--icmp-type", "echo-request", "-m", "statistic", "--mode", "random", "--probability", String(DROP_PROBABILITY), "-j", "DROP"];

const netns = await canUseNetns();
if (!netns.ok) console.warn(`e2e/icmpAccuracy: skipping, ${netns.reason}`);

function boundTo(link: TestLink): ProbeContext {
  // Bound to the veth: these pings can only ever reach the test namespace.
  return { signal: new AbortController().signal, bindTo: { interface: link.hostInterface, source: null } };
}

/** Packets the namespace's DROP rule has dropped so far (its iptables counter). */
async function droppedByRule(link: TestLink): Promise<number> {
  const { stdout } = await execInNamespace(link.namespace, ["iptables", "-w", "-L", "INPUT", "-v", "-n", "-x"]);
  const ruleLine = stdout.split("\n").find((line) => line.includes("statistic mode random"));
  if (ruleLine === undefined) throw new Error(`drop rule not found in:\n${stdout}`);
  return Number(ruleLine.trim().split(/\s+/)[0]);
}

function fixed(value: number | null, digits = 2): string {
  return value === null ? "null" : value.toFixed(digits);
}

describe.skipIf(!netns.ok)("e2e: ICMP probe accuracy on links with known loss and delay", () => {
  let lossLink: TestLink | undefined;
  let delayLink: TestLink | undefined;
  let responder: LateEchoResponder | undefined;

  beforeAll(async () => {
    lossLink = await createTestLink({ name: "icmp-loss", subnetIndex: LOSS_SUBNET_INDEX });
    await execInNamespace(lossLink.namespace, ["iptables", "-w", "-A", ...DROP_RULE]);
    delayLink = await createTestLink({ name: "icmp-delay", subnetIndex: DELAY_SUBNET_INDEX });
    responder = await startLateEchoResponder({ namespace: delayLink.namespace, delayMs: DELAY_MS });
  });

  afterAll(async () => {
    await responder?.stop();
    // The rule lives in the namespace and goes with it.
    if (lossLink) await destroyTestLink(lossLink);
    if (delayLink) await destroyTestLink(delayLink);
  });

  it(`measures ${DROP_PROBABILITY * 100} % random loss within ±${LOSS_TOLERANCE_POINTS} points over ${LOSS_ROUNDS * LOSS_SETTINGS.count} requests`, async () => {
    const link = lossLink!;
    const rounds: IcmpRoundResult[] = [];
    for (let round = 0; round < LOSS_ROUNDS; round++) rounds.push(await probeIcmp(link.peerAddress, LOSS_SETTINGS, boundTo(link)));
    const sent = rounds.reduce((sum, round) => sum + round.sent, 0);
    const received = rounds.reduce((sum, round) => sum + round.received, 0);
    const lossPct = (100 * (sent - received)) / sent;
    const dropped = await droppedByRule(link);
    console.log(
      `icmp accuracy, loss: set ${DROP_PROBABILITY * 100} %, measured ${fixed(lossPct)} % (${sent - received} of ${sent} lost; ` +
        `rule dropped ${dropped}); per round: ${rounds.map((round) => fixed(round.lossPct, 0)).join(", ")} %`,
    );

    expect(rounds.every((round) => round.ok)).toBe(true);
    expect(sent).toBe(LOSS_ROUNDS * LOSS_SETTINGS.count);
    expect(Math.abs(lossPct - DROP_PROBABILITY * 100)).toBeLessThanOrEqual(LOSS_TOLERANCE_POINTS);
    // Every request the probe counts as lost is one the rule dropped: nothing else on the link loses packets.
    expect(sent - received).toBe(dropped);
  });

  it(`measures a ${DELAY_MS} ms late responder within ${DELAY_TOLERANCE_MS} ms (average and median)`, async () => {
    const link = delayLink!;
    const result = await probeIcmp(link.peerAddress, DELAY_SETTINGS, boundTo(link));
    const stats = icmpSampleStats(result);
    console.log(
      `icmp accuracy, delay: set ${DELAY_MS} ms, measured avg ${fixed(result.rttAvgMs, 3)} ms, median ${fixed(stats.rttMedianMs, 3)} ms, ` +
        `p90 ${fixed(stats.rttP90Ms, 3)} ms, min ${fixed(result.rttMinMs, 3)} ms, max ${fixed(result.rttMaxMs, 3)} ms, ` +
        `jitter ${fixed(stats.jitterMs, 3)} ms, loss ${fixed(result.lossPct)} % (${result.received}/${result.sent}); ` +
        `R ${fixed(stats.rFactor)}, MOS ${fixed(stats.mos)}`,
    );

    expect(result).toMatchObject({ ok: true, sent: DELAY_SETTINGS.count, received: DELAY_SETTINGS.count });
    // No reply can come sooner than the delay: had the kernel answered, rtts would be ~0.05 ms.
    expect(result.rttMinMs!).toBeGreaterThanOrEqual(DELAY_MS - 0.1);
    // The average without the slowest 5 % of replies: a scheduling hiccup of the test's own responder on a loaded
    // machine is not the link's latency (the untrimmed average is printed above).
    const sorted = [...result.rttsMs].sort((a, b) => a - b);
    const kept = sorted.slice(0, Math.ceil(sorted.length * 0.95));
    const trimmedAvgMs = kept.reduce((a, b) => a + b, 0) / kept.length;
    expect(Math.abs(trimmedAvgMs - DELAY_MS)).toBeLessThanOrEqual(DELAY_TOLERANCE_MS);
    expect(Math.abs(stats.rttMedianMs! - DELAY_MS)).toBeLessThanOrEqual(DELAY_TOLERANCE_MS);
  });
});
