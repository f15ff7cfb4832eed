import type { SetAsideRecord } from "../spool/refusedRecords.js";
import type { RefusedRecordView } from "./statusModel.js";

/** How many records set aside the status page lists. */
export const RECENT_REFUSED_SHOWN = 5;

/**
 * A record set aside as the status page lists it: what it was in a few words, from the record itself (a sample's
 * probe and link, an event's type), without trusting its shape (it is what the collector refused).
 */
export function refusedView(record: SetAsideRecord): RefusedRecordView {
  return { seq: record.seq, refusedAt: record.refusedAt, error: record.error, message: record.message, what: describeRecord(record.record) };
}

function describeRecord(record: unknown): string {
  if (typeof record !== "object" || record === null) return "?";
  const fields = record as Record<string, unknown>;
  if (typeof fields.type === "string") return `${fields.type} event`;
  const probe = typeof fields.probe === "string" ? fields.probe : typeof fields.kind === "string" ? fields.kind : "?";
  return typeof fields.link === "string" ? `${probe} via ${fields.link}` : probe;
}
