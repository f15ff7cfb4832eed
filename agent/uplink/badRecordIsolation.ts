/**
 * Tracks a record that a collector keeps refusing with a 400 that names it (`samples[3].link: unknown link …`): a
 * collector of protocol version 1 refuses the whole batch for one bad record, so without this the site would resend
 * that batch forever and fall silent. `seq` is the named record, `refusals` how many 400s in a row named it.
 */
export interface IsolationState {
  seq: number;
  refusals: number;
}

/**
 * What to do after a 400:
 * - `retry`: resend as usual (with backoff);
 * - `sendBefore`: send only the records before `seq`, so that once they are stored the bad record comes first;
 * - `setAside`: the bad record is first in the batch: set it aside (with the 400's error and message) and acknowledge
 *   it, so the rest flows.
 */
export type IsolationStep = { kind: "retry" } | { kind: "sendBefore"; seq: number } | { kind: "setAside"; seq: number };

/** 400s in a row naming the same record before the agent isolates it (a transient bug should get a second chance). */
export const ISOLATE_AFTER_REFUSALS = 3;

/**
 * The next isolation state and step after a 400 naming record `namedSeq` (null: it names none) of a batch whose first
 * record is `firstSeq`. Pure.
 */
export function afterRefusal(
  state: IsolationState | null,
  namedSeq: number | null,
  firstSeq: number,
  threshold = ISOLATE_AFTER_REFUSALS,
): { state: IsolationState | null; step: IsolationStep } {
  if (namedSeq === null) return { state, step: { kind: "retry" } };
  const refusals = state?.seq === namedSeq ? state.refusals + 1 : 1;
  if (refusals < threshold) return { state: { seq: namedSeq, refusals }, step: { kind: "retry" } };
  if (namedSeq === firstSeq) return { state: null, step: { kind: "setAside", seq: namedSeq } };
  return { state: { seq: namedSeq, refusals }, step: { kind: "sendBefore", seq: namedSeq } };
}

/** The isolation state after a batch through `lastSeq` was acknowledged: done with once the named record is past. */
export function afterAcknowledged(state: IsolationState | null, lastSeq: number): IsolationState | null {
  return state && lastSeq >= state.seq ? null : state;
}
