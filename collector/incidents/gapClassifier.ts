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

/** One link sample's outcome in a silent period (UTC ms). */
export interface GapOutcome {
  ts: number;
  link: string;
  ok: boolean;
}

/**
 * What {@link classifyGap} needs of a silent period's outcomes, gathered as they are read (in time order, a page at a
 * time): how many there were, the longest stretch without one so far, the first good one, and the links measured
 * before it. Its memory is bounded by the site's links, however many outcomes the period holds, so a long silence is
 * classified from all of its outcomes, never from a cut-off list.
 */
export class GapTally {
  #count = 0;
  #previousTs: number;
  #hole: { startTs: number; endTs: number };
  #firstOkTs: number | null = null;
  /** Each link measured before the first good outcome, with its first outcome's ts, in order of first appearance. */
  readonly #firstTsOfLink = new Map<string, number>();

  /** A tally of the period from `fromTs` to `toTs` (UTC ms, inclusive). */
  constructor(
    readonly fromTs: number,
    readonly toTs: number,
  ) {
    this.#previousTs = fromTs;
    this.#hole = { startTs: fromTs, endTs: fromTs };
  }

  /** Adds the next outcome (none older than the last added: outcomes come in time order). */
  add(outcome: GapOutcome): void {
    this.#count += 1;
    this.#extendHole(outcome.ts);
    if (this.#firstOkTs !== null) return;
    if (outcome.ok) this.#firstOkTs = outcome.ts;
    else if (!this.#firstTsOfLink.has(outcome.link)) this.#firstTsOfLink.set(outcome.link, outcome.ts);
  }

  /** The period's classification from the outcomes added (see {@link classifyGap}); `timeZone` for the evidence. */
  classify(timeZone: string): GapClassification {
    const { fromTs, toTs } = this;
    const span = Math.max(1, toTs - fromTs);
    const hole = this.#longestHoleTo(toTs);
    const covered = 1 - (hole.endTs - hole.startTs) / span;
    const firstOkTs = this.#firstOkTs;
    if (this.#count === 0 || covered < 0.5) {
      return {
        cause: "power_or_agent",
        restoredTs: hole.endTs,
        failedLinks: [],
        evidence: [`Không có số liệu đo nào từ ${localTime(hole.startTs, timeZone)} đến ${localTime(hole.endTs, timeZone)}: trạm bị mất điện hoặc phần mềm giám sát ngừng chạy`],
      };
    }
    if (firstOkTs === null || firstOkTs >= fromTs + span * 0.5) {
      // Every outcome before the first good one failed: the links measured then failed throughout.
      const failing = [...this.#firstTsOfLink].filter(([, ts]) => firstOkTs === null || ts < firstOkTs).map(([link]) => link);
      return {
        cause: "links_down_while_silent",
        restoredTs: firstOkTs ?? toTs,
        failedLinks: failing,
        evidence: [`Trạm vẫn đo trong thời gian mất liên lạc: mọi đường truyền đều không phản hồi từ ${localTime(fromTs, timeZone)}${firstOkTs !== null ? ` đến ${localTime(firstOkTs, timeZone)}` : ""}`],
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
   * The longest stretch of the period with no outcome. Its end is when measuring resumed: a stopped agent may still
   * send a few samples it took after its last push and before it stopped, so the first sample of the period is not
   * that moment.
   */
  #extendHole(ts: number): void {
    if (ts - this.#previousTs > this.#hole.endTs - this.#hole.startTs) this.#hole = { startTs: this.#previousTs, endTs: ts };
    this.#previousTs = Math.max(this.#previousTs, ts);
  }

  /** The longest hole, counting the stretch from the last outcome to `toTs`. */
  #longestHoleTo(toTs: number): { startTs: number; endTs: number } {
    const last = toTs - this.#previousTs;
    return last > this.#hole.endTs - this.#hole.startTs ? { startTs: this.#previousTs, endTs: toTs } : this.#hole;
  }
}

/**
 * Pure: classifies the silent period from `fromTs` to `toTs` by the link samples the agent measured in it (sent
 * later, from its spool), in time order. Samples covering most of the gap, every one failing ⇒ the links were down
 * while the agent kept measuring (a link outage; the vendors are then told). No samples for most of the gap ⇒ the
 * agent was off (power cut at the site, or the agent stopped). Samples with some links answering ⇒ the links worked
 * but the collector could not be reached (the agent stays the cause). A long period is read a page at a time into a
 * {@link GapTally}, which gives the same answer.
 */
export function classifyGap(samples: ReadonlyArray<GapOutcome>, fromTs: number, toTs: number, timeZone: string): GapClassification {
  const tally = new GapTally(fromTs, toTs);
  for (const sample of samples) tally.add(sample);
  return tally.classify(timeZone);
}
