import { z } from "zod";
import { agentEventSchema, type AgentEvent } from "../../protocol/event.js";
import { sampleSchema, type Sample } from "../../protocol/sample.js";
import type { BodyParse } from "./pendingReader.js";

/**
 * What one spool record holds, parsed: a probe sample or a connectivity event, each complete with the record's seq,
 * ready for the wire.
 */
export type SpooledItem = { kind: "sample"; sample: Sample } | { kind: "event"; event: AgentEvent };

/** A spool record read back and parsed: its seq and its item. */
export interface SpooledRecord {
  seq: number;
  body: SpooledItem;
}

/**
 * On disk a sample is stored as the sample without its seq, an event as `{ event: <event without seq> }` (the seq is
 * the record's). The record's seq is put back before parsing, so what comes out is exactly what the wire carries.
 */
const eventBodySchema = z.strictObject({ event: z.record(z.string(), z.unknown()) });

/**
 * Parses one spool record's body (as read back from a segment) into a {@link SpooledItem} with the protocol's
 * schemas: an object with an `event` key must be an agent event, anything else a sample. Says why when it is neither
 * (the first few problems, with their paths); never throws.
 */
export function parseSpooledBody(seq: number, body: unknown): BodyParse<SpooledItem> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, reason: "the body is not a JSON object" };
  if ("event" in body) {
    const wrapper = eventBodySchema.safeParse(body);
    if (!wrapper.success) return { ok: false, reason: describe("event record", wrapper.error) };
    const event = agentEventSchema.safeParse({ ...wrapper.data.event, seq });
    return event.success ? { ok: true, value: { kind: "event", event: event.data } } : { ok: false, reason: describe("event", event.error) };
  }
  const sample = sampleSchema.safeParse({ ...body, seq });
  return sample.success ? { ok: true, value: { kind: "sample", sample: sample.data } } : { ok: false, reason: describe("sample", sample.error) };
}

function describe(what: string, error: z.ZodError): string {
  const problems = error.issues.slice(0, 3).map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`);
  return `not a valid ${what}: ${problems.join("; ")}`;
}

/** The wire form of a spooled item: the sample or the event itself. */
export function wireRecord(item: SpooledItem): Sample | AgentEvent {
  return item.kind === "sample" ? item.sample : item.event;
}
