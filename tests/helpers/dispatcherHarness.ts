import { Dispatcher, type DispatcherDeps } from "../../collector/alerts/dispatcher.js";
import type { CollectorConfig } from "../../config/collectorSchema.js";
import type { DeliveryAttempt } from "../../protocol/incident.js";
import { alertingConfig, FakeChannel, MONDAY_0800_ICT, resolvedReceivers } from "./alertingFixtures.js";
import { memoryIncidentStore } from "./memoryIncidentStore.js";
import type { IncidentStore } from "../../collector/incidents/incidentStore.js";
import { memoryLogger } from "./memoryLogger.js";

/** Alerting for dispatcher tests: group wait 10 s, escalation after 30 min, repeat every 4 h, 3 attempts. */
export const TEST_ALERTING = {
  province_receivers: ["province-ict"],
  escalate_to: ["director"],
  group_wait: "10s",
  escalate_after: "30m",
  repeat_interval: "4h",
  retry: { attempts: 3, first_delay: "1s", max_delay: "10s" },
};

/** A fake clock: `at(ms)` sets it, `advance(ms)` moves it; UTC ms. */
export class FakeClock {
  constructor(public nowMs: number = MONDAY_0800_ICT) {}
  now = (): number => this.nowMs;
  at(ms: number): void {
    this.nowMs = ms;
  }
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** A dispatcher over fake webhook and e-mail channels, a memory store and a fake clock, with what it did. */
export interface DispatcherHarness {
  dispatcher: Dispatcher;
  store: IncidentStore;
  clock: FakeClock;
  config: CollectorConfig;
  webhook: FakeChannel;
  email: FakeChannel;
  /** Every attempt, as the metrics hook saw it. */
  hooked: DeliveryAttempt[];
  logLines: Array<Record<string, unknown>>;
  /** "channel receiver message" of every channel call so far, sorted (order between sends is not specified). */
  sent(): string[];
  /** The same, only the calls since the last `sentSince()` (or since the start). */
  sentSince(): string[];
}

/**
 * Builds a {@link DispatcherHarness}. Pass `store`/`clock` to build a second dispatcher over the same ones (a
 * restart); `file` keys replace the test configuration's; `deps` replace the dispatcher's dependencies. Retries do
 * not wait (the sleep returns at once) unless `deps.sleep` says otherwise.
 */
export function dispatcherHarness(options: { store?: IncidentStore; clock?: FakeClock; file?: Record<string, unknown>; deps?: Partial<DispatcherDeps> } = {}): DispatcherHarness {
  const config = alertingConfig({ alerting: TEST_ALERTING, ...options.file });
  const store = options.store ?? memoryIncidentStore();
  const clock = options.clock ?? new FakeClock();
  const webhook = new FakeChannel("webhook");
  const email = new FakeChannel("email");
  const hooked: DeliveryAttempt[] = [];
  const log = memoryLogger("dispatcher");
  const dispatcher = new Dispatcher({
    config,
    store,
    channels: [webhook, email],
    receivers: resolvedReceivers(config),
    now: clock.now,
    ackUrlFor: (incident, receiver) => `https://wardwatch.dong-nai.example/ack/${incident.id}/${receiver}`,
    siteDetails: (incident) => incident.sites.map((s) => ({ site: s.site, name: s.siteName, address: null, location: null, contacts: [], circuits: s.links.map((link) => ({ link, circuit: null })) })),
    logger: log.logger,
    onDelivery: (attempt) => hooked.push(attempt),
    sleep: async () => {},
    random: () => 0.5,
    ...options.deps,
  });
  const all = (): string[] => [...webhook.calls.map((c) => `webhook ${c.receiver} ${c.message}`), ...email.calls.map((c) => `email ${c.receiver} ${c.message}`)].sort();
  let seen = { webhook: 0, email: 0 };
  return {
    dispatcher,
    store,
    clock,
    config,
    webhook,
    email,
    hooked,
    logLines: log.lines,
    sent: all,
    sentSince() {
      const fresh = [
        ...webhook.calls.slice(seen.webhook).map((c) => `webhook ${c.receiver} ${c.message}`),
        ...email.calls.slice(seen.email).map((c) => `email ${c.receiver} ${c.message}`),
      ].sort();
      seen = { webhook: webhook.calls.length, email: email.calls.length };
      return fresh;
    },
  };
}
