import type { IngestBatch } from "../../protocol/ingest.js";
import type { SiteConfig } from "../../config/collectorSchema.js";
import type { StoredEvent, StoredSample } from "../store/store.js";

/** Why a well-formed batch cannot be accepted: an API error code and a message naming the problem. */
export interface BatchProblem {
  status: number;
  error: string;
  message: string;
}

/**
 * Checks what the schema cannot: the batch is for the token's site, every sample names one of the site's links,
 * and seqs are strictly increasing. Returns the first problem, or null.
 */
export function checkBatchFits(batch: IngestBatch, tokenSite: string, site: SiteConfig | undefined): BatchProblem | null {
  if (batch.site !== tokenSite) {
    return { status: 403, error: "wrong_site", message: `this token belongs to site '${tokenSite}', not '${batch.site}'` };
  }
  if (!site) return { status: 403, error: "unknown_site", message: `site '${batch.site}' is not in the collector's configuration` };
  const linkIds = site.links.map((link) => link.id);
  let previousSeq = -1;
  for (const [index, sample] of batch.samples.entries()) {
    if (sample.link === null ? sample.role !== "lan" : !linkIds.includes(sample.link)) {
      const what = sample.link === null ? `a ${sample.role} sample needs a link` : `unknown link '${sample.link}' for site '${site.id}' (known: ${linkIds.join(", ")})`;
      return { status: 400, error: "unknown_link", message: `samples[${index}].link: ${what}` };
    }
    if (sample.seq <= previousSeq) {
      return { status: 400, error: "seq_order", message: `samples[${index}].seq: ${sample.seq} is not greater than the previous seq ${previousSeq}` };
    }
    previousSeq = sample.seq;
  }
  const events = batch.events ?? [];
  const sampleSeqs = new Set(batch.samples.map((s) => s.seq));
  let previousEventSeq = -1;
  for (const [index, event] of events.entries()) {
    if (event.seq <= previousEventSeq || sampleSeqs.has(event.seq)) {
      return { status: 400, error: "seq_order", message: `events[${index}].seq: ${event.seq} is not greater than the previous event's, or is also a sample's` };
    }
    for (const [key, link] of [["fromLink", event.fromLink], ["toLink", event.toLink]] as const) {
      if (!linkIds.includes(link)) return { status: 400, error: "unknown_link", message: `events[${index}].${key}: unknown link '${link}' for site '${site.id}' (known: ${linkIds.join(", ")})` };
    }
    previousEventSeq = event.seq;
  }
  return null;
}

/** Puts a batch's events on the collector's time line (adding `correctionMs`). */
export function toStoredEvents(batch: IngestBatch, correctionMs: number): StoredEvent[] {
  return (batch.events ?? []).map((event) => ({ site: batch.site, ts: event.ts + correctionMs, agentTs: event.ts, event }));
}

/** Puts a batch's samples on the collector's time line (adding `correctionMs`) as rows for the store. */
export function toStoredSamples(batch: IngestBatch, correctionMs: number): StoredSample[] {
  return batch.samples.map((sample) => ({ site: batch.site, ts: sample.ts + correctionMs, agentTs: sample.ts, sample }));
}
