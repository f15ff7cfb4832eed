/**
 * Builds what a simulated site POSTs: an ingest batch (protocol/ingest.ts) with its spool accounting and its link
 * snapshot, as the real agent's uplink builds one per attempt, and its gzipped JSON body.
 */
import { promisify } from "node:util";
import { gzip, gzipSync } from "node:zlib";
import type { IngestBatch, LinkSnapshot } from "../protocol/ingest.js";
import type { Sample } from "../protocol/sample.js";
import { PROTOCOL_VERSION } from "../protocol/version.js";
import type { SimulatedSpoolStats } from "./siteSpool.js";
import type { SiteModel } from "./siteModel.js";

/** The agentVersion simulated sites report, so a collector's operator can tell them from real agents. */
export const SIMULATOR_AGENT_VERSION = "wardwatch-simulator";

/**
 * The site's view of its links at `nowMs` (UTC ms): `down` since a failure began, `up` since it ended, or `up`
 * since `upSinceTs` when it never failed.
 */
export function linkSnapshot(site: SiteModel, nowMs: number, upSinceTs: number): LinkSnapshot[] {
  return site.links.map((link) => {
    const past = site.failures.filter((f) => f.link === link.id && f.fromTs <= nowMs);
    const last = past.at(-1);
    if (last && (last.untilTs === null || last.untilTs > nowMs)) return { link: link.id, state: "down", sinceTs: last.fromTs };
    return { link: link.id, state: "up", sinceTs: last?.untilTs ?? upSinceTs };
  });
}

/** What one attempt carries besides its records. Times UTC ms, interval ms. */
export interface BatchContext {
  sentAt: number;
  pushIntervalMs: number;
  /** The spool's accounting at this attempt: pending records include this batch's own (not yet acknowledged). */
  spool: SimulatedSpoolStats;
  snapshot: LinkSnapshot[];
}

/** The batch of `samples` (oldest first, as read from the spool) for one attempt. */
export function buildBatch(site: SiteModel, samples: Sample[], context: BatchContext): IngestBatch {
  return {
    version: PROTOCOL_VERSION,
    site: site.id,
    agentVersion: SIMULATOR_AGENT_VERSION,
    sentAt: context.sentAt,
    pushIntervalMs: context.pushIntervalMs,
    spool: { ...context.spool },
    snapshot: context.snapshot,
    samples,
  };
}

/**
 * The batch's JSON text. `samplesJson` (`JSON.stringify(batch.samples)`, kept from an earlier attempt of the same
 * records) spares serialising them again at every retry; the text is the same, the records being the batch's last key.
 */
function batchJson(batch: IngestBatch, samplesJson?: string): string {
  if (samplesJson === undefined) return JSON.stringify(batch);
  const { samples: _records, ...envelope } = batch;
  const head = JSON.stringify(envelope);
  return `${head.slice(0, -1)},"samples":${samplesJson}}`;
}

/** The body as the agent sends it: JSON, gzip-compressed (see {@link batchJson} for `samplesJson`). */
export function batchBody(batch: IngestBatch, samplesJson?: string): Buffer {
  return gzipSync(batchJson(batch, samplesJson));
}

const gzipAsync = promisify(gzip);

/**
 * {@link batchBody} compressed on libuv's thread pool: the same bytes, but hundreds of simulated sites coming back at
 * once do not stall the bench's event loop (and so its latency figures) for the second their backlogs take to gzip.
 */
export function batchBodyAsync(batch: IngestBatch, samplesJson?: string): Promise<Buffer> {
  return gzipAsync(batchJson(batch, samplesJson));
}
