import { setTimeout as sleepFor } from "node:timers/promises";
import type { DeliveryAttempt, Incident } from "../../protocol/incident.js";
import type { Logger } from "../../config/logger.js";
import type { IncidentStore, StoredIncident } from "../incidents/incidentStore.js";
import { idempotencyKey, planDeliveries, type ChannelName, type DispatchConfig, type PlannedDelivery } from "./deliveryPlan.js";
import type { Channel, Notification, ReceiverConfig } from "./notification.js";
import type { OfficeTimeCalendar } from "../../config/calendar/workingCalendar.js";
import { deliverWithRetry } from "./retryStage.js";

/** How far back {@link Dispatcher.start} looks for closed incidents that may still owe a recovery notice, ms. */
export const DEFAULT_RECOVERY_LOOKBACK_MS = 24 * 3_600_000;
/** At most this many recently closed incidents are reloaded on start. */
const CLOSED_RELOAD_LIMIT = 500;

/** What the dispatcher is built from. Times UTC ms. */
export interface DispatcherDeps {
  config: DispatchConfig;
  store: IncidentStore;
  channels: readonly Channel[];
  /** Receivers with their secrets resolved; routing names them by id. */
  receivers: readonly ReceiverConfig[];
  now(): number;
  /** The signed acknowledgement link for this receiver, or null (then the message has none). */
  ackUrlFor(incident: Incident, receiverId: string): string | null;
  /** Details of the incident's sites for the message (from configuration). */
  siteDetails(incident: Incident): Notification["siteDetails"];
  logger: Logger;
  /** Called after every attempt (metrics: deliveries ok/failed per `attempt.channel`). Must not throw. */
  onDelivery?(attempt: DeliveryAttempt, incident: StoredIncident): void;
  /** The wait between retries; an abortable timer when absent (tests pass one that returns at once). */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  /** Jitter source for retry delays, uniform in [0, 1); Math.random when absent. */
  random?(): number;
  /** The working calendar (holidays, seasons, make-up days) for office-hours routing rules; weekly hours alone when absent. */
  calendar?: OfficeTimeCalendar;
  /** See {@link DEFAULT_RECOVERY_LOOKBACK_MS}. */
  recoveryLookbackMs?: number;
}

interface TrackedIncident {
  incident: StoredIncident;
  /** Every attempt recorded for it: loaded from the store, then appended as this run records them. */
  attempts: DeliveryAttempt[];
  /** Sends of it in progress. */
  inFlight: number;
}

/**
 * Gets each incident to the right people once: turns incident events and clock ticks into deliveries.
 *
 * Stages, each its own module: routing.ts (who), maintenance.ts (muted?), deliveryPlan.ts (what is owed now: group
 * wait, report, repeats, escalation, recovery — the rules are documented there), retryStage.ts (one message,
 * retried), the channels (how). The dispatcher only keeps the incidents it follows, starts what the plan says is
 * owed, and records every attempt in the store.
 *
 * **Memory and restart.** The schedule is not stored anywhere of its own: every due time is derived from the
 * incident (detectedTs, acknowledgedTs, endTs, mergedInto) and the delivery attempts recorded for it, which the
 * store keeps. {@link start} loads the open incidents and the incidents closed within `recoveryLookbackMs`, with
 * their recorded attempts; the next {@link tick} then owes exactly what the previous run still owed: a report
 * already delivered is not sent again, a report not yet due is sent when due, repeats keep their cadence from
 * the last recorded send, and a send interrupted between retries (its last attempt recorded as retryable) is
 * resumed under the same idempotency key with its attempt numbering continued. A crash during an attempt, before
 * its outcome was recorded, makes the next run send it again with the same key: delivery is at least once, and
 * receivers drop the duplicate by `Idempotency-Key`.
 *
 * Concurrency: `tick` starts every owed send at once (a failing receiver never holds up the others) and resolves
 * when those it started have settled; a send still in progress is never started again by a later tick.
 */
export class Dispatcher {
  readonly #deps: DispatcherDeps;
  readonly #receivers: Map<string, ReceiverConfig>;
  readonly #tracked = new Map<number, TrackedIncident>();
  /** Sends in progress, by idempotency key and channel. */
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();
  /** Receivers already warned about (unknown, or no channel reaches them): one log line each, not one per tick. */
  readonly #warned = new Set<string>();

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
    this.#receivers = new Map(deps.receivers.map((receiver) => [receiver.id, receiver]));
  }

  /** Rebuilds what is pending from the store (see the class comment). Call once, before the first tick. */
  start(): void {
    const { store, logger } = this.#deps;
    const open = store.openIncidents();
    for (const incident of open) this.#follow(incident);
    const sinceTs = this.#deps.now() - (this.#deps.recoveryLookbackMs ?? DEFAULT_RECOVERY_LOOKBACK_MS);
    const closed = store.listIncidents({ state: "closed", limit: CLOSED_RELOAD_LIMIT }).filter((i) => (i.timeline.endTs ?? 0) >= sinceTs);
    for (const incident of closed) this.#follow(incident);
    logger.info("dispatcher rebuilt from the store", { open: open.length, recentlyClosed: closed.length });
  }

  /** A new incident: its report is due at `detectedTs + groupWaitMs` (the group wait lets a wider cause absorb it). */
  incidentOpened(incident: StoredIncident): void {
    this.#follow(incident);
    this.#deps.logger.debug("incident followed", { incident: incident.number, reportDueTs: incident.timeline.detectedTs + this.#deps.config.alerting.groupWaitMs });
  }

  /** The incident changed (sites added, cause found, vendor ticket…): later messages and routing use the new one. */
  incidentUpdated(incident: StoredIncident): void {
    this.#follow(incident);
  }

  /**
   * The incident closed (or was merged into a wider one). Nothing is sent if its report never went out (closed
   * within the group wait, merged, muted); otherwise the receivers told it was open get the recovery notice on the
   * next tick. A site incident closed as `links_down_while_silent` sends its vendors a report of the closed outage.
   */
  incidentClosed(incident: StoredIncident): void {
    this.#follow(incident);
  }

  /** Someone acknowledged the incident: no more repeats, no escalation. */
  acknowledged(incident: StoredIncident): void {
    this.#follow(incident);
  }

  /**
   * Starts every delivery owed at `now()` that is not already in progress, and resolves when those it started have
   * settled (callers on a timer need not wait: the next tick skips what is still in progress).
   */
  async tick(): Promise<void> {
    if (this.#abort.signal.aborted) return;
    const nowMs = this.#deps.now();
    const started: Array<Promise<void>> = [];
    for (const tracked of [...this.#tracked.values()]) {
      let planned: PlannedDelivery[];
      try {
        planned = planDeliveries({
          incident: tracked.incident,
          attempts: tracked.attempts,
          config: this.#deps.config,
          channelsFor: (receiver) => this.#channelsFor(receiver),
          nowMs,
          ...(this.#deps.calendar ? { calendar: this.#deps.calendar } : {}),
        });
      } catch (err) {
        this.#deps.logger.error("cannot plan notifications", { incident: tracked.incident.number, err });
        continue;
      }
      for (const delivery of planned) {
        const key = `${idempotencyKey(tracked.incident.id, delivery.receiver, delivery.message, delivery.n)}:${delivery.channel}`;
        if (this.#inFlight.has(key)) continue;
        tracked.inFlight++;
        const run = this.#deliver(tracked, delivery).finally(() => {
          tracked.inFlight--;
          this.#inFlight.delete(key);
        });
        this.#inFlight.set(key, run);
        started.push(run);
      }
      // A closed incident that owes nothing more is forgotten (its attempts stay in the store).
      if (tracked.incident.state === "closed" && planned.length === 0 && tracked.inFlight === 0) this.#tracked.delete(tracked.incident.id);
    }
    await Promise.all(started);
  }

  /** Resolves when no delivery is in progress. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight.values()]);
  }

  /** Stops: retry waits end at once, no new attempt starts; resolves when deliveries in progress have returned. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.idle();
  }

  /** How many incidents are followed (open, or closed and still owing a message). */
  get followedCount(): number {
    return this.#tracked.size;
  }

  #follow(incident: StoredIncident): void {
    const tracked = this.#tracked.get(incident.id);
    if (!tracked) {
      this.#tracked.set(incident.id, { incident, attempts: [...incident.deliveries], inFlight: 0 });
      return;
    }
    // The engine may hand over a copy read before this dispatcher set notifiedTs; keep the time already known.
    const notifiedTs = incident.timeline.notifiedTs ?? tracked.incident.timeline.notifiedTs;
    tracked.incident = notifiedTs === incident.timeline.notifiedTs ? incident : { ...incident, timeline: { ...incident.timeline, notifiedTs } };
  }

  #channelsFor(receiverId: string): ChannelName[] {
    const receiver = this.#receivers.get(receiverId);
    const names = receiver ? this.#deps.channels.filter((channel) => channel.handles(receiver)).map((channel) => channel.name) : [];
    if (names.length === 0 && !this.#warned.has(receiverId)) {
      this.#warned.add(receiverId);
      this.#deps.logger.warn(receiver ? "no channel reaches receiver" : "unknown receiver", { receiver: receiverId });
    }
    return names;
  }

  async #deliver(tracked: TrackedIncident, delivery: PlannedDelivery): Promise<void> {
    const { logger } = this.#deps;
    const incident = tracked.incident;
    const receiver = this.#receivers.get(delivery.receiver);
    const channel = this.#deps.channels.find((c) => c.name === delivery.channel);
    if (!receiver || !channel) return;
    const fields = { incident: incident.number, receiver: receiver.id, channel: channel.name, notification: delivery.message, n: delivery.n };
    try {
      const notification: Notification = {
        idempotencyKey: idempotencyKey(incident.id, receiver.id, delivery.message, delivery.n),
        message: delivery.message,
        incident,
        receiver,
        ackUrl: delivery.message === "recovery" ? null : this.#deps.ackUrlFor(incident, receiver.id),
        siteDetails: this.#deps.siteDetails(incident),
        timeZone: this.#deps.config.province.timezone,
        nowMs: this.#deps.now(),
      };
      const last = await deliverWithRetry(
        channel,
        notification,
        { ...this.#deps.config.alerting.retry, previousAttempts: delivery.previousAttempts },
        {
          sleep: this.#deps.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal })),
          now: this.#deps.now,
          record: (attempt) => this.#record(tracked, attempt),
          signal: this.#abort.signal,
          ...(this.#deps.random ? { random: this.#deps.random } : {}),
        },
      );
      if (last.ok) logger.info("notification delivered", { ...fields, attempt: last.attempt, detail: last.detail });
      else logger.warn("notification not delivered", { ...fields, attempt: last.attempt, detail: last.detail, owed: last.retryable });
    } catch (err) {
      logger.error("notification failed", { ...fields, err });
    }
  }

  #record(tracked: TrackedIncident, attempt: DeliveryAttempt): void {
    const { store, logger } = this.#deps;
    const id = tracked.incident.id;
    const first = attempt.ok && tracked.incident.timeline.notifiedTs === null && !tracked.attempts.some((a) => a.ok);
    tracked.attempts.push(attempt);
    try {
      store.recordDelivery(id, attempt);
    } catch (err) {
      logger.error("cannot record delivery", { incident: tracked.incident.number, receiver: attempt.receiver, notification: attempt.message, err });
    }
    if (first) {
      let notifiedTs = attempt.ts;
      try {
        notifiedTs = store.updateIncident(id, { notifiedTs: attempt.ts })?.timeline.notifiedTs ?? attempt.ts;
      } catch (err) {
        logger.error("cannot record notification time", { incident: tracked.incident.number, err });
      }
      tracked.incident = { ...tracked.incident, timeline: { ...tracked.incident.timeline, notifiedTs } };
    }
    try {
      this.#deps.onDelivery?.(attempt, tracked.incident);
    } catch (err) {
      logger.error("delivery hook failed", { err });
    }
  }
}
