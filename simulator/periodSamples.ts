/**
 * The samples one round period of a simulated site produces, with realistic values: ICMP rounds per link (5 echo
 * requests; rtt statistics computed the way the agent computes them), each application over each link (http), each
 * LAN device (tcp). A link told to fail (siteModel.ts) gives failed rounds: no ICMP reply, apps over it time out.
 */
import type { HttpSample, IcmpSample, Sample, TcpSample } from "../protocol/sample.js";
import { rttStatistics } from "../agent/probes/icmp/icmp.js";
import { estimateCallQuality, rttDistribution } from "../agent/probes/icmp/icmpStats.js";
import { periodSeed, seededRandom } from "./seededRandom.js";
import { linkFailsAt, type SimulatedLink, type SiteModel } from "./siteModel.js";

/** Echo requests per ICMP round, as the agent's default probe sends. */
const ECHO_REQUESTS = 5;
/** The http probe's time-out, ms (its reason names it when a link fails). */
const HTTP_TIMEOUT_MS = 10_000;

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * The samples of period `period` (0-based; every monitor's round number is `period + 1`) of `site`, its rounds
 * starting at `ts` (UTC ms), numbered `firstSeq`, `firstSeq + 1`, … in the order links (ICMP), apps (each over
 * each link), LAN devices. Always exactly `site.samplesPerPeriod` samples; the values depend only on the site's
 * seed and `period`.
 */
export function periodSamples(site: SiteModel, period: number, ts: number, firstSeq: number): Sample[] {
  const random = seededRandom(periodSeed(site.seed, period));
  const round = period + 1;
  const samples: Sample[] = [];
  let seq = firstSeq;
  for (const link of site.links) {
    const failing = linkFailsAt(site, link.id, ts);
    for (const target of link.icmpTargets) samples.push(icmpSample(seq++, ts, link, target, round, failing, random));
  }
  for (const app of site.apps) {
    for (const link of site.links) samples.push(httpSample(seq++, ts, link, app, round, linkFailsAt(site, link.id, ts), random));
  }
  for (const device of site.lan) samples.push(tcpSample(seq++, ts, device.id, device.target, round, random));
  return samples;
}

/**
 * One ICMP round of one target: about 1 in 300 loses a packet, 1 in 2000 gets no reply; a failing link none. Built
 * as one object literal (no spreads): a backlog generates millions of these, and spreads cost several times more.
 */
function icmpSample(seq: number, ts: number, link: SimulatedLink, target: string, round: number, failing: boolean, random: () => number): IcmpSample {
  const roll = random();
  const received = failing || roll < 1 / 2000 ? 0 : roll < 1 / 300 ? ECHO_REQUESTS - 1 : ECHO_REQUESTS;
  const rttsMs: number[] = [];
  for (let i = 0; i < received; i++) rttsMs.push(round3(link.rttBaseMs + random() * link.rttJitterMs));
  const lossPct = ((ECHO_REQUESTS - received) / ECHO_REQUESTS) * 100;
  const stats = rttStatistics(rttsMs);
  const distribution = rttDistribution(rttsMs);
  const quality = distribution && stats.rttAvgMs !== null ? estimateCallQuality({ latencyMs: stats.rttAvgMs, jitterMs: distribution.jitterMs, lossPct }) : null;
  const sample: IcmpSample = {
    seq,
    ts,
    kind: "icmp",
    role: "link",
    link: link.id,
    probe: `icmp:${target}`,
    target,
    round,
    roundSize: link.icmpTargets.length,
    ok: received > 0,
    sent: ECHO_REQUESTS,
    received,
    lossPct,
    rttMinMs: stats.rttMinMs,
    rttAvgMs: stats.rttAvgMs,
    rttMaxMs: stats.rttMaxMs,
    rttStddevMs: stats.rttStddevMs,
    rttMedianMs: distribution?.medianMs ?? null,
    rttP90Ms: distribution?.p90Ms ?? null,
    jitterMs: distribution?.jitterMs ?? null,
    rFactor: quality?.rFactor ?? null,
    mos: quality?.mos ?? null,
  };
  if (received === 0) sample.reason = "no reply";
  return sample;
}

/** One http round of an application over one link: TLS, 200, a body of 20–80 KB; a failing link times out connecting. */
function httpSample(seq: number, ts: number, link: SimulatedLink, app: { id: string; url: string }, round: number, failing: boolean, random: () => number): HttpSample {
  if (failing) {
    return {
      seq, ts, kind: "http", role: "app", link: link.id, probe: app.id, target: app.url, round, roundSize: 1, redirects: 0,
      ok: false, reason: `timeout after ${HTTP_TIMEOUT_MS} ms (in connect)`, statusCode: null, dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: null, totalMs: null, certDaysLeft: null, bodyBytes: null,
    };
  }
  const rtt = link.rttBaseMs + random() * link.rttJitterMs;
  const dnsMs = round3(1 + random() * 4);
  const connectMs = round3(rtt);
  const tlsMs = round3(2 * rtt + random() * 5);
  const firstByteMs = round3(rtt + 20 + random() * 120);
  const totalMs = round3(dnsMs + connectMs + tlsMs + firstByteMs + random() * 30);
  return {
    seq, ts, kind: "http", role: "app", link: link.id, probe: app.id, target: app.url, round, roundSize: 1, redirects: 0,
    ok: true, statusCode: 200, dnsMs, connectMs, tlsMs, firstByteMs, totalMs, certDaysLeft: 40 + Math.floor(random() * 50), bodyBytes: 20_000 + Math.floor(random() * 60_000),
  };
}

/** One tcp round of a LAN device: a handshake of 0.2–2 ms. */
function tcpSample(seq: number, ts: number, id: string, target: string, round: number, random: () => number): TcpSample {
  return { seq, ts, kind: "tcp", role: "lan", link: null, probe: id, target, round, roundSize: 1, ok: true, connectMs: round3(0.2 + random() * 1.8) };
}
