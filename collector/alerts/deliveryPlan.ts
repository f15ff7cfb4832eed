import type { DeliveryAttempt } from "../../protocol/incident.js";
import type { CollectorConfig } from "../../config/collectorSchema.js";
import type { StoredIncident } from "../incidents/incidentStore.js";
import type { Channel, NotificationMessage } from "./notification.js";
import { mutingWindow } from "./maintenance.js";
import type { OfficeTimeCalendar } from "../../config/calendar/workingCalendar.js";
import { receiversFor, vendorReceiversFor, type ReceiverRole } from "./routing.js";

/**
 * What is owed to whom, computed from an incident and the delivery attempts recorded for it. Pure: the recorded
 * attempts are the dispatcher's only memory of what was sent, which is what lets a restarted collector rebuild its
 * schedule from the store (see dispatcher.ts).
 *
 * A *send* is one message to one receiver through one channel: its attempts, from attempt 1 (or the attempt a
 * restarted run resumed at) to the last. It is `delivered` once an attempt succeeded, `failed` once an attempt
 * failed for good (not retryable, or the last allowed), and `unfinished` while its last attempt says it will be
 * tried again (in progress, or interrupted by a restart).
 *
 * Rules (times UTC ms, durations from `alerting`):
 * - nothing for an incident merged into another (`mergedInto`);
 * - open incident, from `detectedTs + groupWaitMs` on, unless a maintenance window mutes it now:
 *   - `report` (n = 1) to every receiver {@link receiversFor} routes, through every channel handling it, that has
 *     no send of it yet. Routing is evaluated at the time of the incident's first report attempt (so office-hours
 *     rules give the same answer on every tick and after a restart); a receiver the incident gains later (sites
 *     added) gets the report on the next tick;
 *   - unless acknowledged: `repeat` n = 1, 2… to each (receiver, channel) whose report was delivered, due
 *     `repeatIntervalMs` after the start of its previous report or repeat (after downtime: one repeat, no burst);
 *   - `update` n = 1, 2… to each (receiver, channel) whose report was delivered, when the incident's scope grew
 *     (sites, links) or its cause or severity changed after the start of its report or last update, due `groupIntervalMs` after
 *     that start (acknowledged or not: a vendor must hear of the sites an outage gained); not to a ward contact
 *     about a provider incident (the sites it gained are other wards');
 *   - unless acknowledged: `escalation` (n = 1) to every `escalateTo` receiver, once, due `escalateAfterMs` after
 *     the first report attempt;
 * - closed incident (muted or not: those told it was open are owed its end):
 *   - `recovery` (n = 1) to each (receiver, channel) to which a report or an escalation was delivered from a send
 *     started before `endTs`; nobody else (closed within the group wait or while muted and never reported:
 *     nothing at all);
 *   - a `site` incident closed with cause `links_down_while_silent` and not muted at `endTs`: a `report` of the
 *     closed outage (its measured times) to each vendor receiver that has no report send yet.
 * An `unfinished` send not in progress in this run is resumed under the same n (the same idempotency key).
 */

/** The parts of the collector configuration the dispatcher reads. */
export type DispatchConfig = Pick<CollectorConfig, "providers" | "sites" | "alerting" | "officeHours" | "province" | "maintenance">;

/** A channel's name: "webhook" or "email". */
export type ChannelName = Channel["name"];

/** One message owed now to one receiver through one channel. */
export interface PlannedDelivery {
  receiver: string;
  channel: ChannelName;
  message: NotificationMessage;
  /** Sequence number of this message for this receiver and channel: 1, or 1, 2… for repeats. */
  n: number;
  /** Attempts already recorded for it (an interrupted send being resumed); 0 for a new send. */
  previousAttempts: number;
  /** For a report: why routing chose this receiver; null for the other messages. */
  role: ReceiverRole | null;
}

/** The outcome so far of one send (see the module comment). */
export interface SendRecord {
  startTs: number;
  last: DeliveryAttempt;
  status: "delivered" | "failed" | "unfinished";
}

/** Everything {@link planDeliveries} looks at. */
export interface PlanInput {
  incident: StoredIncident;
  /** Every attempt recorded for the incident, in the order made. */
  attempts: readonly DeliveryAttempt[];
  config: DispatchConfig;
  /** The channels that can reach a receiver (none for a receiver that is unknown or has no channel). */
  channelsFor(receiver: string): readonly ChannelName[];
  nowMs: number;
  /** The province's working calendar, for routing rules on office hours (weekly hours alone when absent). */
  calendar?: OfficeTimeCalendar;
}

/** The key receivers deduplicate by: the same for every attempt (and every resumption) of one message. */
export function idempotencyKey(incidentId: number, receiver: string, message: NotificationMessage, n: number): string {
  return `${incidentId}:${receiver}:${message}:${n}`;
}

/** The messages owed now for one incident (see the module comment for the rules). */
export function planDeliveries(input: PlanInput): PlannedDelivery[] {
  if (input.incident.mergedInto !== null) return [];
  return input.incident.state === "open" ? planOpen(input) : planClosed(input);
}

/** The sends of `message` to `receiver` through `channel`, in order, from the recorded attempts. */
export function sendRecords(attempts: readonly DeliveryAttempt[], receiver: string, channel: ChannelName, message: NotificationMessage): SendRecord[] {
  const sends: SendRecord[] = [];
  for (const attempt of attempts) {
    if (attempt.receiver !== receiver || attempt.channel !== channel || attempt.message !== message) continue;
    const current = sends.at(-1);
    const status = attempt.ok ? "delivered" : attempt.retryable ? "unfinished" : "failed";
    if (current?.status === "unfinished" && attempt.attempt !== 1) {
      current.last = attempt;
      current.status = status;
    } else {
      sends.push({ startTs: attempt.ts, last: attempt, status });
    }
  }
  return sends;
}

function planOpen(input: PlanInput): PlannedDelivery[] {
  const { incident, attempts, config, nowMs } = input;
  const { alerting } = config;
  if (nowMs < incident.timeline.detectedTs + alerting.groupWaitMs) return [];
  if (mutingWindow(incident, config.maintenance, nowMs) !== null) return [];
  const planned: PlannedDelivery[] = [];
  const reportedTs = firstAttemptTs(attempts, "report");

  for (const { receiver, role } of receiversFor(incident, config, reportedTs ?? nowMs, input.calendar)) {
    for (const channel of input.channelsFor(receiver)) {
      const owed = owedOnce(sendRecords(attempts, receiver, channel, "report"));
      if (owed) planned.push({ receiver, channel, message: "report", n: 1, previousAttempts: owed.previousAttempts, role });
    }
  }
  if (reportedTs === null) return planned;
  planned.push(...planUpdates(input, reportedTs));
  if (incident.timeline.acknowledgedTs !== null) return planned;

  for (const { receiver, channel, startTs } of deliveredSends(attempts, "report", Infinity)) {
    const repeats = sendRecords(attempts, receiver, channel, "repeat");
    const last = repeats.at(-1);
    if (last?.status === "unfinished") {
      planned.push({ receiver, channel, message: "repeat", n: repeats.length, previousAttempts: last.last.attempt, role: null });
    } else if (nowMs >= (last?.startTs ?? startTs) + alerting.repeatIntervalMs) {
      planned.push({ receiver, channel, message: "repeat", n: repeats.length + 1, previousAttempts: 0, role: null });
    }
  }
  if (nowMs >= reportedTs + alerting.escalateAfterMs) {
    for (const receiver of alerting.escalateTo) {
      for (const channel of input.channelsFor(receiver)) {
        const owed = owedOnce(sendRecords(attempts, receiver, channel, "escalation"));
        if (owed) planned.push({ receiver, channel, message: "escalation", n: 1, previousAttempts: owed.previousAttempts, role: null });
      }
    }
  }
  return planned;
}

/** Updates owed to those told of the incident, when its scope changed after they were last told (see the module comment). */
function planUpdates(input: PlanInput, reportedTs: number): PlannedDelivery[] {
  const { incident, attempts, config, nowMs } = input;
  const changedTs = incident.scopeChangedTs;
  if (changedTs === null) return [];
  // A provider incident's updates go to those routed for the whole incident, not to the wards' own contacts (also
  // not once their site is back and no longer listed).
  const wholeIncident = new Set(receiversFor(incident, config, reportedTs, input.calendar).filter((r) => r.role !== "ward").map((r) => r.receiver));
  const planned: PlannedDelivery[] = [];
  for (const { receiver, channel, startTs } of deliveredSends(attempts, "report", Infinity)) {
    if (incident.kind === "provider" && !wholeIncident.has(receiver)) continue;
    const updates = sendRecords(attempts, receiver, channel, "update");
    const last = updates.at(-1);
    if (last?.status === "unfinished") {
      planned.push({ receiver, channel, message: "update", n: updates.length, previousAttempts: last.last.attempt, role: null });
      continue;
    }
    const toldTs = last?.startTs ?? startTs;
    if (changedTs > toldTs && nowMs >= toldTs + config.alerting.groupIntervalMs) {
      planned.push({ receiver, channel, message: "update", n: updates.length + 1, previousAttempts: 0, role: null });
    }
  }
  return planned;
}

function planClosed(input: PlanInput): PlannedDelivery[] {
  const { incident, attempts, config, nowMs } = input;
  const endTs = incident.timeline.endTs ?? nowMs;
  const planned: PlannedDelivery[] = [];
  const told = [...deliveredSends(attempts, "report", endTs), ...deliveredSends(attempts, "escalation", endTs)];
  for (const { receiver, channel } of told) {
    if (planned.some((p) => p.receiver === receiver && p.channel === channel)) continue;
    const owed = owedOnce(sendRecords(attempts, receiver, channel, "recovery"));
    if (owed) planned.push({ receiver, channel, message: "recovery", n: 1, previousAttempts: owed.previousAttempts, role: null });
  }
  if (incident.kind === "site" && incident.cause === "links_down_while_silent" && mutingWindow(incident, config.maintenance, endTs) === null) {
    for (const receiver of vendorReceiversFor(incident, config)) {
      for (const channel of input.channelsFor(receiver)) {
        const owed = owedOnce(sendRecords(attempts, receiver, channel, "report"));
        if (owed) planned.push({ receiver, channel, message: "report", n: 1, previousAttempts: owed.previousAttempts, role: "vendor" });
      }
    }
  }
  return planned;
}

/** For a message sent at most once: what to send (or resume), or null when it was already delivered or failed. */
function owedOnce(sends: readonly SendRecord[]): { previousAttempts: number } | null {
  const last = sends.at(-1);
  if (last === undefined) return { previousAttempts: 0 };
  return last.status === "unfinished" ? { previousAttempts: last.last.attempt } : null;
}

function firstAttemptTs(attempts: readonly DeliveryAttempt[], message: NotificationMessage): number | null {
  let first: number | null = null;
  for (const attempt of attempts) if (attempt.message === message && (first === null || attempt.ts < first)) first = attempt.ts;
  return first;
}

/** Each (receiver, channel) with a delivered send of `message` started before `beforeTs`, with that send's start. */
function deliveredSends(
  attempts: readonly DeliveryAttempt[],
  message: NotificationMessage,
  beforeTs: number,
): Array<{ receiver: string; channel: ChannelName; startTs: number }> {
  const pairs: Array<{ receiver: string; channel: ChannelName }> = [];
  for (const attempt of attempts) {
    if (attempt.message === message && attempt.ok && !pairs.some((p) => p.receiver === attempt.receiver && p.channel === attempt.channel)) {
      pairs.push({ receiver: attempt.receiver, channel: attempt.channel });
    }
  }
  return pairs.flatMap(({ receiver, channel }) =>
    sendRecords(attempts, receiver, channel, message)
      .filter((send) => send.status === "delivered" && send.startTs < beforeTs)
      .slice(0, 1)
      .map((send) => ({ receiver, channel, startTs: send.startTs })),
  );
}
