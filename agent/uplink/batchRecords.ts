import type { AgentEvent } from "../../protocol/event.js";
import type { Sample } from "../../protocol/sample.js";
import type { SpooledRecord } from "../spool/spooledRecord.js";

/** A batch's records as the wire carries them: samples, and events when there are any, each in seq order. */
export function splitRecords(records: readonly SpooledRecord[]): { samples: Sample[]; events?: AgentEvent[] } {
  const samples: Sample[] = [];
  const events: AgentEvent[] = [];
  for (const { body } of records) {
    if (body.kind === "event") events.push(body.event);
    else samples.push(body.sample);
  }
  return events.length > 0 ? { samples, events } : { samples };
}

/** The seq of the record at `index` of the batch's `list` (as a collector's error names it), or null when none is. */
export function seqAt(records: readonly SpooledRecord[], list: "samples" | "events", index: number): number | null {
  const kind = list === "samples" ? "sample" : "event";
  return records.filter((record) => record.body.kind === kind)[index]?.seq ?? null;
}
