import type { IncidentCause } from "../../protocol/incident.js";
import { localTime } from "./incidentText.js";

/** What a silent period turned out to be, once the agent's backlog is in. Times UTC ms. */
export interface GapClassification {
  cause: IncidentCause;
  /** When the site was reachable again: the first good link round after the gap began, or the first sample at all. */
  restoredTs: number;
  /** The links that failed throughout (for a link outage), to tell their vendors. */
  failedLinks: string[];
  evidence: string[];
}

/**
 * Pure: classifies the silent period from `fromTs` to `toTs` by the link samples the agent measured in it (sent
 * later, from its spool). Samples covering most of the gap, every one failing ⇒ the links were down while the agent
 * kept measuring (a link outage; the vendors are then told). No samples for most of the gap ⇒ the agent was off
 * (power cut at the site, or the agent stopped). Samples with some links answering ⇒ the links worked but the
 * collector could not be reached (the agent stays the cause).
 */
export function classifyGap(samples: ReadonlyArray<{ ts: number; link: string; ok: boolean }>, fromTs: number, toTs: number, timeZone: string): GapClassification {
  const span = Math.max(1, toTs - fromTs);
  const hole = longestHole(samples, fromTs, toTs);
  const covered = 1 - (hole.endTs - hole.startTs) / span;
  const firstOk = samples.find((s) => s.ok);
  if (samples.length === 0 || covered < 0.5) {
    return {
      cause: "power_or_agent",
      restoredTs: hole.endTs,
      failedLinks: [],
      evidence: [`Không có số liệu đo nào từ ${localTime(hole.startTs, timeZone)} đến ${localTime(hole.endTs, timeZone)}: trạm bị mất điện hoặc phần mềm giám sát ngừng chạy`],
    };
  }
  if (!firstOk || firstOk.ts >= fromTs + span * 0.5) {
    const beforeRestore = samples.filter((s) => !firstOk || s.ts < firstOk.ts);
    const failing = [...new Set(beforeRestore.map((s) => s.link))].filter((link) => beforeRestore.filter((s) => s.link === link).every((s) => !s.ok));
    return {
      cause: "links_down_while_silent",
      restoredTs: firstOk?.ts ?? toTs,
      failedLinks: failing,
      evidence: [`Trạm vẫn đo trong thời gian mất liên lạc: mọi đường truyền đều không phản hồi từ ${localTime(fromTs, timeZone)}${firstOk ? ` đến ${localTime(firstOk.ts, timeZone)}` : ""}`],
    };
  }
  return {
    cause: "agent_silent",
    restoredTs: toTs,
    failedLinks: [],
    evidence: ["Các đường truyền vẫn phản hồi trong thời gian mất liên lạc: trạm không gửi được báo cáo về máy chủ giám sát"],
  };
}

/**
 * The longest stretch of [fromTs, toTs] with no sample (samples in time order). Its end is when measuring resumed:
 * a stopped agent may still send a few samples it took after its last push and before it stopped, so the first
 * sample of the period is not that moment.
 */
function longestHole(samples: ReadonlyArray<{ ts: number }>, fromTs: number, toTs: number): { startTs: number; endTs: number } {
  let hole = { startTs: fromTs, endTs: fromTs };
  let previous = fromTs;
  for (const ts of [...samples.map((s) => s.ts), toTs]) {
    if (ts - previous > hole.endTs - hole.startTs) hole = { startTs: previous, endTs: ts };
    previous = Math.max(previous, ts);
  }
  return hole;
}
