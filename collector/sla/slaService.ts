import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Request, Router } from "express";
import type { CollectorConfig } from "../../config/collectorSchema.js";
import type { Logger } from "../../config/logger.js";
import type { SlaScope } from "../../protocol/sla.js";
import { slaRouter } from "../api/slaRoute.js";
import { EmailChannel } from "../alerts/channels/email.js";
import { resolveReceivers, resolveSmtp } from "../alerts/resolveReceivers.js";
import type { SampleStore } from "../store/samples/sampleStore.js";
import { LocalCalendar } from "./localCalendar.js";
import { calendarOfficeTime, type IsOfficeTime } from "./officeMask.js";
import { loadWorkingCalendar } from "../../config/calendar/workingCalendar.js";
import { SLA_FILE, SlaDayStore } from "./slaDayStore.js";
import type { SlaIncidentSource } from "./slaIncidents.js";
import { SlaMailer, scheduleSlaReports } from "./slaMailer.js";
import { SlaRefresher } from "./slaRefresher.js";
import { SlaReports } from "./slaReports.js";

/** What the SLA is built from. */
export interface SlaServiceDeps {
  config: CollectorConfig;
  configFile: string;
  samples: SampleStore;
  /** Incidents (the metadata store's); null: none are read (no MTTA/MTTR, no power outages excluded). */
  incidents: SlaIncidentSource | null;
  logger: Logger;
  now: () => number;
  /** Whether a moment is office time (the working calendar); default: the configured weekly `office_hours`. */
  isOfficeTime?: IsOfficeTime;
  /** What a request may see of the report (the roles middleware); default all. */
  allowedScope?: (req: Request) => SlaScope;
}

/** The SLA as the collector runs it: its API, the ingest hook, the background replay and the monthly e-mail. */
export interface SlaService {
  /** GET /sla and /sla.csv, to mount under /api/v1. */
  router: Router;
  reports: SlaReports;
  refresher: SlaRefresher;
  /** The monthly e-mail (null without smtp: or with `sla.email: false`). */
  mailer: SlaMailer | null;
  /** `samples`' writes, each also told to the refresher (a late write makes its day stale): give this to ingest. */
  observedWrites(samples: Pick<SampleStore, "write" | "isUnavailableError">): Pick<SampleStore, "write" | "isUnavailableError">;
  /** Starts the replay passes and the report schedule. */
  start(): void;
  /** Stops them, waits for the pass under way, closes sla.db. */
  close(): Promise<void>;
}

/**
 * Wires the SLA (docs/sla.md): sla.db in data_dir, the refresher over the sample store, reports over it and the
 * incidents, the API, and — when e-mail is configured — last month's report e-mailed on `sla.report_schedule` in
 * the province's time zone through the alert e-mail channel's SMTP server.
 */
export function startSlaService(deps: SlaServiceDeps): SlaService {
  const { config, logger, now } = deps;
  const calendar = new LocalCalendar(config.province.timezone);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const days = SlaDayStore.open(join(config.dataDir, SLA_FILE));
  const policy = { linkPolicy: config.linkPolicy, maxRoundGapMs: config.sla.maxRoundGapMs };
  const refresher = new SlaRefresher({ days, samples: deps.samples, sites: config.sites, calendar, policy, settleMs: config.sla.settleMs, now, logger });
  const reports = new SlaReports({
    sites: config.sites,
    providers: config.providers,
    maintenance: config.maintenance,
    maxRoundGapMs: config.sla.maxRoundGapMs,
    minCoveragePct: config.sla.minCoveragePct,
    calendar,
    days: (site, fromDay, toDay) => days.between(site, fromDay, toDay),
    replay: refresher,
    incidents: deps.incidents ?? { incidentsStartedIn: () => [] },
    isOfficeTime: deps.isOfficeTime ?? calendarOfficeTime(loadWorkingCalendar({ schedule: config.officeHours, timeZone: config.province.timezone, holidaysFile: config.calendar.holidaysFile }), calendar),
    now,
  });
  const report = reports.report.bind(reports);
  const router = slaRouter({ report, providerIds: config.providers.map((p) => p.id), siteIds: config.sites.map((s) => s.id), calendar, now, ...(deps.allowedScope ? { allowedScope: deps.allowedScope } : {}) });

  const smtp = config.sla.email ? resolveSmtp(config, deps.configFile) : null;
  const channel = smtp ? new EmailChannel(smtp) : null;
  let mailer: SlaMailer | null = null;
  if (channel) {
    const receivers = resolveReceivers(config, deps.configFile);
    const byId = (ids: readonly string[]) => receivers.filter((r) => ids.includes(r.id));
    mailer = new SlaMailer({
      report,
      send: (mail) => channel.sendMail(mail),
      audience: { province: byId(config.alerting.provinceReceivers), providers: config.providers.map((p) => ({ id: p.id, name: p.name, receivers: byId(p.notify) })) },
      provinceName: config.province.name,
      calendar,
      now,
      logger,
    });
  }
  let task: { stop(): void | Promise<void> } | null = null;
  return {
    router,
    reports,
    refresher,
    mailer,
    observedWrites(samples) {
      return {
        write: async (records) => {
          const result = await samples.write(records);
          refresher.noteWritten(records);
          return result;
        },
        isUnavailableError: (err) => samples.isUnavailableError(err),
      };
    },
    start() {
      refresher.start(config.sla.refreshIntervalMs);
      // Last month is replayed to its end first (the refresher may be behind after a restart or a backfill burst).
      const job = async () => {
        while ((await refresher.refresh()).pending);
        return mailer!.sendMonth();
      };
      if (mailer) task = scheduleSlaReports(config.sla.reportSchedule, config.province.timezone, job, logger);
    },
    async close() {
      await task?.stop();
      await refresher.stop();
      channel?.close();
      days.close();
    },
  };
}
