
import type { ProbeOutcome } from "../../protocol/linkState.js";

/** The part of a sample the round judgement needs; `ts` on the collector's time line (UTC ms). */
export interface RoundPart extends ProbeOutcome {
  /** The probe that measured it: a round holds one part per probe. */
  probe: string;
  round: number;
  roundSize: number;
}

/** Samples of one link's round gathered so far. Plain data. */
export interface PendingRound {
  round: number;
  roundSize: number;
  parts: RoundPart[];
}

/**
 * Adds a sample to the link's pending round. Returns the rounds that are now complete, oldest first (a round is
 * complete when all its `roundSize` samples are in, or when a sample of a later round arrives), and what is still pending.
 * Samples arrive in order, so a round's samples are contiguous. A part of a probe the pending round already holds is
 * a resend (its batch's answer was lost) and is left out, so the round is not cut short.
 */
export function addToRound(
  pending: PendingRound | null,
  part: RoundPart,
): { complete: RoundPart[][]; pending: PendingRound | null } {
  const complete: RoundPart[][] = [];
  let current = pending;
  if (current && current.round === part.round && current.parts.some((held) => held.probe === part.probe)) {
    return { complete, pending: current };
  }
  if (current && current.round !== part.round) {
    complete.push(current.parts);
    current = null;
  }
  current = current
    ? { ...current, parts: [...current.parts, part] }
    : { round: part.round, roundSize: part.roundSize, parts: [part] };
  if (current.parts.length >= current.roundSize) {
    complete.push(current.parts);
    current = null;
  }
  return { complete, pending: current };
}
