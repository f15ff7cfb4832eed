import { join } from "node:path";
import type { Router } from "express";
import type { CollectorConfig } from "../../config/collectorSchema.js";
import { loadWorkingCalendar } from "../../config/calendar/workingCalendar.js";
import type { Logger } from "../../config/logger.js";
import type { Incident } from "../../protocol/incident.js";
import { ackRouter } from "../api/ackPage.js";
import { incidentsRouter } from "../api/incidentsRoute.js";
import type { IncidentListener } from "../incidents/incidentEngine.js";
import type { IncidentStore, StoredIncident } from "../incidents/incidentStore.js";
import type { CollectorMetrics } from "../metrics.js";
import { AckLinkSigner, loadOrCreateAckKey } from "./ackLink.js";
import { EmailChannel } from "./channels/email.js";
import { WebhookChannel } from "./channels/webhook.js";
import { Dispatcher } from "./dispatcher.js";
import type { Channel, Notification } from "./notification.js";
import { resolveReceivers, resolveSmtp } from "./resolveReceivers.js";
import type { ScopeFilter } from "../auth/scope.js";
import type { AuthStore } from "../store/authStore.js";

/** What the collector's alerting offers the service: the incident listener, the routes, a tick, a way to stop. */
export interface Alerting {
  /** Tell this about every incident change (it forwards to the dispatcher and to `onIncident`). */
  listener: IncidentListener;
  /** The incident API, to mount under /api/v1. */
  apiRouter: Router;
  /** The signed acknowledgement pages, to mount at the root. */
  ackRouter: Router;
  /** Sends what is due; called every second. */
  tick(): void;
  close(): Promise<void>;
}

/** What alerting is built from. `configFile` names the configuration in errors about missing secrets. */
export interface AlertingDeps {
  config: CollectorConfig;
  configFile: string;
  incidents: IncidentStore;
  metrics: CollectorMetrics;
  logger: Logger;
  now: () => number;
  /** Every incident change, for the live feed. */
  onIncident: (incident: StoredIncident) => void;
  /** What each API request's scope may see (collector/auth/scope.ts). */
  filter: ScopeFilter;
  /** Where acknowledgements and resolutions are audited. */
  auth: Pick<AuthStore, "audit">;
  /** Why an incident cannot be resolved by hand now (its cause is present), or null (the incident engine's answer). */
  causeStillPresent: (incident: StoredIncident) => string | null;
}

function siteDetailsOf(config: CollectorConfig, incident: Incident): Notification["siteDetails"] {
  return incident.sites.map((entry) => {
    const site = config.sites.find((s) => s.id === entry.site);
    const contacts = (site?.contacts ?? []).map((id) => {
      const receiver = config.receivers.find((r) => r.id === id);
      return receiver ? [receiver.name, ...(receiver.email?.to ?? [])].join(", ") : id;
    });
    const circuits = entry.links.map((link) => ({ link, circuit: site?.links.find((l) => l.id === link)?.circuit ?? null }));
    return { site: entry.site, name: site?.name ?? entry.siteName, address: site?.address ?? null, location: site?.location ?? null, contacts, circuits };
  });
}

/**
 * Builds alerting: resolves the receivers' secrets (a missing one is a configuration error naming its key), loads
 * the working calendar (the shipped holiday table and the province's file) for office-hours routing, the
 * webhook and e-mail channels, the signed acknowledgement links (key kept in data_dir), the dispatcher (rebuilt from
 * the store), and the incident API whose acknowledge/resolve also tell the dispatcher.
 */
export function startAlerting(deps: AlertingDeps): Alerting {
  const { config, incidents, metrics, logger, now } = deps;
  const receivers = resolveReceivers(config, deps.configFile);
  const smtp = resolveSmtp(config, deps.configFile);
  const channels: Channel[] = [new WebhookChannel(), ...(smtp ? [new EmailChannel(smtp)] : [])];
  // A wrong holiday file is a ConfigError naming its line, like a missing secret.
  const calendar = loadWorkingCalendar({ schedule: config.officeHours, timeZone: config.province.timezone, holidaysFile: config.calendar.holidaysFile });
  const signer = new AckLinkSigner({ key: loadOrCreateAckKey(join(config.dataDir, "ack-link.key")), publicUrl: config.publicUrl, ttlMs: config.alerting.ackLinkTtlMs, now });
  const dispatcher = new Dispatcher({
    config,
    store: incidents,
    channels,
    receivers,
    now,
    ackUrlFor: (incident, receiverId) => (incident.state === "open" ? signer.link(incident.id, receiverId) : null),
    siteDetails: (incident) => siteDetailsOf(config, incident),
    calendar,
    logger,
    onDelivery: (attempt) => {
      metrics.notifications.inc({ channel: attempt.channel, result: attempt.ok ? "delivered" : attempt.retryable ? "retrying" : "failed" });
    },
  });
  dispatcher.start();

  const changed = (incident: StoredIncident): void => deps.onIncident(incident);
  const acknowledge = (id: number, ack: { by: string | null; ticket: string | null }): StoredIncident | null => {
    const updated = incidents.updateIncident(id, { acknowledgedTs: now(), ...(ack.by ? { acknowledgedBy: ack.by } : {}), ...(ack.ticket ? { vendorTicket: ack.ticket } : {}) });
    if (updated) {
      logger.info("incident acknowledged", { number: updated.number, by: ack.by, ticket: ack.ticket });
      dispatcher.acknowledged(updated);
      changed(updated);
    }
    return updated;
  };
  const resolve = (id: number, request: { by: string | null }): StoredIncident | null => {
    const current = incidents.getIncident(id);
    if (!current) return null;
    const closed = incidents.updateIncident(id, { restoredTs: current.timeline.restoredTs ?? now(), endTs: now() });
    if (closed) {
      logger.info("incident resolved by hand", { number: closed.number, by: request.by });
      dispatcher.incidentClosed(closed);
      changed(closed);
    }
    return closed;
  };
  const receiverName = (id: string) => {
    const receiver = receivers.find((r) => r.id === id);
    return receiver ? { name: receiver.name, language: receiver.language } : null;
  };

  let ticking: Promise<void> | null = null;
  return {
    listener: {
      opened: (incident) => {
        dispatcher.incidentOpened(incident);
        changed(incident);
      },
      updated: (incident) => {
        dispatcher.incidentUpdated(incident);
        changed(incident);
      },
      closed: (incident) => {
        dispatcher.incidentClosed(incident);
        changed(incident);
      },
    },
    apiRouter: incidentsRouter({
      incidents,
      now,
      acknowledge,
      resolve,
      causeStillPresent: deps.causeStillPresent,
      filter: deps.filter,
      audit: ({ scope, action, target, ip, outcome }) => deps.auth.audit({ ts: now(), actor: scope.actor, action, target, ip, outcome }),
    }),
    ackRouter: ackRouter({
      signer,
      incidents,
      receiverName,
      acknowledge: (id, input) => {
        const updated = acknowledge(id, input);
        if (updated) deps.auth.audit({ ts: now(), actor: `receiver:${input.by ?? "?"}`, action: "incident.ack", target: updated.number, ip: null, outcome: "ok" });
        return updated;
      },
      timeZone: config.province.timezone,
    }),
    tick() {
      ticking ??= dispatcher.tick().finally(() => {
        ticking = null;
      });
    },
    async close() {
      await dispatcher.stop();
    },
  };
}
