import type { SiteConfig } from "../../config/collectorSchema.js";
import type { AgentEvent } from "../../protocol/event.js";
import type { RefusedRecord, RefusedRecordError } from "../../protocol/ingest.js";
import type { Sample } from "../../protocol/sample.js";
import type { StoredEvent, StoredSample } from "../store/store.js";
import { readAgentClock, type ClockReading } from "./clockOffset.js";
import type { BatchProblem, ParsedBatch } from "./parseBatch.js";

/**
 * How much later than its batch's send time a record may be stamped, ms. The agent stamps a round when it starts and
 * the batch when it is sent, on one clock, so a later stamp is a fault; the margin only absorbs rounding.
 */
export const FUTURE_STAMP_MARGIN_MS = 1000;

/** The bounds a record's timestamp must keep, from the collector's configuration. */
export interface FitPolicy {
  /** A record stamped longer than this before its batch's `sentAt` is refused, ms. */
  maxSampleAgeMs: number;
  /** Clock offsets within this are left uncorrected, ms (see clockOffset.ts). */
  clockSkewToleranceMs: number;
}

/**
 * Stage 3 of ingest (authenticate → parse → **fit** → write → judge → publish): a batch placed on its site and on the
 * collector's time line. Every record of the batch is in `samples`/`events` or in `refused` (ordered by seq).
 */
export interface FittedBatch {
  parsed: ParsedBatch;
  site: SiteConfig;
  clock: ClockReading;
  /** The collector's clock when the batch was received, UTC ms. */
  receivedAt: number;
  samples: StoredSample[];
  events: StoredEvent[];
  refused: RefusedRecord[];
}

/**
 * Checks the batch is for the token's site and that the site is configured (`site`: the envelope's site as the
 * configuration has it, or undefined; 403 otherwise, for the whole batch); then
 * refuses, one by one, records that name a link the site does not have or are stamped after the batch's send time
 * (beyond {@link FUTURE_STAMP_MARGIN_MS}) or more than `maxSampleAgeMs` before it (both on the agent's own clock, so
 * its offset does not matter); and puts the rest on the collector's time line with the site's sticky clock correction
 * (`clockHistory`: the correction in effect before this batch and the site's recent offsets, see readAgentClock).
 */
export function fitBatch(
  parsed: ParsedBatch,
  tokenSite: string,
  site: SiteConfig | undefined,
  policy: FitPolicy,
  receivedAt: number,
  clockHistory: { correctionMs: number; recentOffsetsMs: readonly number[] },
): { batch: FittedBatch } | { problem: BatchProblem } {
  const { envelope } = parsed;
  if (envelope.site !== tokenSite) {
    return { problem: { status: 403, error: "wrong_site", message: `this token belongs to site '${tokenSite}', not '${envelope.site}'` } };
  }
  if (!site) return { problem: { status: 403, error: "unknown_site", message: `site '${envelope.site}' is not in the collector's configuration` } };

  const linkIds = site.links.map((link) => link.id);
  const unknownLink = (link: string) => `unknown link '${link}' for site '${site.id}' (known: ${linkIds.join(", ")})`;
  const stampProblem = (field: string, ts: number): [RefusedRecordError, string] | null => {
    if (ts > envelope.sentAt + FUTURE_STAMP_MARGIN_MS) return ["ts_after_send", `${field}.ts: ${ts} is after the batch's sentAt ${envelope.sentAt}`];
    if (ts < envelope.sentAt - policy.maxSampleAgeMs) {
      return ["ts_too_old", `${field}.ts: ${ts} is more than ${policy.maxSampleAgeMs} ms before the batch's sentAt ${envelope.sentAt}`];
    }
    return null;
  };
  const sampleProblem = (sample: Sample, field: string): [RefusedRecordError, string] | null => {
    if (sample.link === null && sample.role !== "lan") return ["unknown_link", `${field}.link: a ${sample.role} sample needs a link`];
    if (sample.link !== null && !linkIds.includes(sample.link)) return ["unknown_link", `${field}.link: ${unknownLink(sample.link)}`];
    return stampProblem(field, sample.ts);
  };
  const eventProblem = (event: AgentEvent, field: string): [RefusedRecordError, string] | null => {
    for (const [key, link] of [["fromLink", event.fromLink], ["toLink", event.toLink]] as const) {
      if (!linkIds.includes(link)) return ["unknown_link", `${field}.${key}: ${unknownLink(link)}`];
    }
    return stampProblem(field, event.ts);
  };

  const clock = readAgentClock(envelope.sentAt, receivedAt, policy.clockSkewToleranceMs, clockHistory.correctionMs, clockHistory.recentOffsetsMs);
  const refused = [...parsed.refused];
  const samples: StoredSample[] = [];
  for (const { index, record } of parsed.samples) {
    const problem = sampleProblem(record, `samples[${index}]`);
    if (problem) refused.push({ seq: record.seq, error: problem[0], message: problem[1] });
    else samples.push({ site: site.id, ts: record.ts + clock.correctionMs, agentTs: record.ts, sample: record });
  }
  const events: StoredEvent[] = [];
  for (const { index, record } of parsed.events) {
    const problem = eventProblem(record, `events[${index}]`);
    if (problem) refused.push({ seq: record.seq, error: problem[0], message: problem[1] });
    else events.push({ site: site.id, ts: record.ts + clock.correctionMs, agentTs: record.ts, event: record });
  }
  refused.sort((a, b) => a.seq - b.seq);
  return { batch: { parsed, site, clock, receivedAt, samples, events, refused } };
}
