/**
 * The ingest bench's simulated agents: pre-built, gzipped ingest batches per site (so the timed part measures the
 * collector, not JSON.stringify and gzip in the client) and the loop that POSTs them one at a time, as an agent does.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { PROTOCOL_VERSION } from "../protocol/version.js";
import type { IngestBatch, LinkSnapshot } from "../protocol/ingest.js";
import type { IcmpSample } from "../protocol/sample.js";
import { seededRandom } from "../simulator/seededRandom.js";

/** The links every bench site has (they match the bench collector file). */
export const BENCH_LINKS = ["tslcd", "inet"] as const;

/** Round interval of every probe, ms: one round per link every 10 s, as a site agent is usually configured. */
const ROUND_INTERVAL_MS = 10_000;
/** What the agent says its push interval is, ms. */
const PUSH_INTERVAL_MS = 10_000;

/** One ICMP target per probe; documentation addresses (RFC 5737), never public ones. */
const TARGETS = ["192.0.2.1", "198.51.100.1"] as const;

/** Typical rtt of each link, ms: the dedicated VNPT line is short and steady, the Viettel internet line longer and noisier. */
const LINK_RTT_MS: Record<(typeof BENCH_LINKS)[number], { base: number; jitter: number }> = {
  tslcd: { base: 8, jitter: 4 },
  inet: { base: 24, jitter: 15 },
};

/** Samples per round period of one site: every link probes every target once. */
const SAMPLES_PER_PERIOD = BENCH_LINKS.length * TARGETS.length;

/** A site's agent: its token and its batches, each already JSON-encoded and gzipped, in seq order. */
export interface SiteWorkload {
  site: string;
  token: string;
  /** Gzipped JSON bodies of {@link IngestBatch}es. */
  bodies: Buffer[];
  /** Samples in each body, same order as `bodies`. */
  sampleCounts: number[];
}


/**
 * One ICMP sample: 5 echo requests; about 1 in 300 samples loses a packet, 1 in 2000 gets no reply at all
 * (one target of one round, so the round as a whole, and the link, stay up).
 */
function icmpSample(seq: number, ts: number, link: (typeof BENCH_LINKS)[number], target: string, round: number, random: () => number): IcmpSample {
  const roll = random();
  const sent = 5;
  const received = roll < 1 / 2000 ? 0 : roll < 1 / 300 ? 4 : 5;
  const common = { seq, ts, kind: "icmp" as const, role: "link" as const, link, probe: `icmp:${target}`, target, round, roundSize: TARGETS.length, sent, received, lossPct: ((sent - received) / sent) * 100 };
  if (received === 0) {
    return { ...common, ok: false, rttMinMs: null, rttAvgMs: null, rttMaxMs: null, rttStddevMs: null, reason: "no reply within 1000 ms" };
  }
  const { base, jitter } = LINK_RTT_MS[link];
  const rttMinMs = round3(base + random() * jitter * 0.3);
  const rttMaxMs = round3(rttMinMs + random() * jitter);
  const rttAvgMs = round3(rttMinMs + (rttMaxMs - rttMinMs) * (0.3 + random() * 0.4));
  const rttStddevMs = round3((rttMaxMs - rttMinMs) / 4);
  return { ...common, ok: true, rttMinMs, rttAvgMs, rttMaxMs, rttStddevMs };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * `batchCount` batches of `batchSize` samples for `site`: seq 1, 2, … strictly increasing; each round period adds one
 * sample per link and target, rounds contiguous per link; the last round ends at `endTs` (UTC ms), so the batches are
 * a backlog of the recent past, the way an agent catches up after an outage. `sentAt` is the build time: the bench
 * collector tolerates that clock offset (see the bench's collector file).
 */
export function buildSiteBodies(options: { site: string; token: string; batchCount: number; batchSize: number; endTs: number; random: () => number }): SiteWorkload {
  const { site, batchCount, batchSize, random } = options;
  const totalSamples = batchCount * batchSize;
  const periods = Math.ceil(totalSamples / SAMPLES_PER_PERIOD);
  const firstRoundTs = options.endTs - periods * ROUND_INTERVAL_MS;
  const sentAt = Date.now();
  const snapshot: LinkSnapshot[] = BENCH_LINKS.map((link) => ({ link, state: "up", sinceTs: firstRoundTs }));
  const bodies: Buffer[] = [];
  const sampleCounts: number[] = [];
  let samples: IcmpSample[] = [];
  let seq = 0;
  for (let round = 0; seq < totalSamples; round++) {
    const ts = firstRoundTs + round * ROUND_INTERVAL_MS;
    for (const link of BENCH_LINKS) {
      for (const target of TARGETS) {
        if (seq >= totalSamples) break;
        seq++;
        samples.push(icmpSample(seq, ts, link, target, round, random));
        if (samples.length === batchSize) {
          const batch: IngestBatch = {
            version: PROTOCOL_VERSION,
            site,
            agentVersion: "bench",
            sentAt,
            pushIntervalMs: PUSH_INTERVAL_MS,
            spool: { pendingRecords: totalSamples - seq, droppedRecords: 0 },
            snapshot,
            samples,
          };
          bodies.push(gzipSync(JSON.stringify(batch)));
          sampleCounts.push(samples.length);
          samples = [];
        }
      }
    }
  }
  return { site, token: options.token, bodies, sampleCounts };
}

/** What one simulated agent saw in one pass. Latencies in ms, from the first attempt of a batch to its final answer. */
export interface AgentPassResult {
  latenciesMs: number[];
  /** Batches answered 200, and the samples those answers say were new / already held. */
  acceptedBatches: number;
  acceptedSamples: number;
  duplicateSamples: number;
  /** Batches answered 409 `replay` (every sample already stored). */
  replayBatches: number;
  /** 429 answers (each retried after Retry-After). */
  busyAnswers: number;
}

/** Longest one request may take before the bench gives up on the run, ms. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Sends the site's batches in order, one at a time, to `{baseUrl}/api/v1/ingest`, retrying a 429 after its
 * Retry-After (seconds). Any other answer than 200 or 409 `replay` rejects, naming the batch and the answer.
 */
export async function runAgentPass(baseUrl: string, workload: SiteWorkload, signal: AbortSignal): Promise<AgentPassResult> {
  const result: AgentPassResult = { latenciesMs: [], acceptedBatches: 0, acceptedSamples: 0, duplicateSamples: 0, replayBatches: 0, busyAnswers: 0 };
  const headers = { "Content-Type": "application/json", "Content-Encoding": "gzip", Authorization: `Bearer ${workload.token}` };
  for (const [index, body] of workload.bodies.entries()) {
    const firstAttempt = performance.now();
    for (;;) {
      const response = await fetch(`${baseUrl}/api/v1/ingest`, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
      const text = await response.text();
      if (response.status === 429) {
        result.busyAnswers++;
        await sleep(retryAfterMs(response.headers.get("retry-after")), undefined, { signal });
        continue;
      }
      result.latenciesMs.push(performance.now() - firstAttempt);
      const answer = parseAnswer(text);
      if (response.status === 200) {
        result.acceptedBatches++;
        result.acceptedSamples += answer.accepted ?? 0;
        result.duplicateSamples += answer.duplicates ?? 0;
      } else if (response.status === 409 && answer.error === "replay") {
        result.replayBatches++;
      } else {
        throw new Error(`site ${workload.site} batch ${index}: HTTP ${response.status} ${text.slice(0, 300)}`);
      }
      break;
    }
  }
  return result;
}

function parseAnswer(text: string): { accepted?: number; duplicates?: number; error?: string } {
  try {
    return JSON.parse(text) as { accepted?: number; duplicates?: number; error?: string };
  } catch {
    return {};
  }
}

/** Retry-After in seconds (the collector sends "1"), as ms; 1 s when missing or unreadable. */
function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}
