import { z } from "zod";
import { identifierSchema } from "../protocol/sample.js";
import type { LinkKind } from "../protocol/api.js";
import type { LinkStatePolicy } from "../protocol/linkState.js";
import { durationMs, listenAddressSchema, sizeBytes, type ListenAddress } from "./units.js";
import { linkPolicySchema } from "./linkPolicy.js";
import { timeZoneSchema } from "./timeZone.js";
import { httpSchema, metricsSchema, toSecurityConfig, type HttpConfig, type MetricsConfig } from "./securitySchema.js";
import { alertingSchema, maintenanceSchema, officeHoursSchema, receiverSchema, smtpSchema, type SecretRef } from "./alertingSchema.js";
import { toOfficeSchedule, type OfficeSchedule } from "./calendar/officeSchedule.js";
import { slaSchema, slaTargetSchema, toSlaConfig, type SlaConfig } from "./slaSchema.js";

const providerSchema = z.strictObject({
  id: identifierSchema,
  name: z.string().min(1).max(100),
  /** Receivers (the vendor's NOC) told about this provider's circuits. */
  notify: z.array(identifierSchema).default([]),
  /** Contracted availability of its circuits, % (SLA reports, docs/sla.md). */
  sla_target_pct: slaTargetSchema,
});

const linkSchema = z.strictObject({
  id: identifierSchema,
  kind: z.enum(["dedicated", "internet"]),
  provider: identifierSchema,
  circuit: z.string().min(1).max(100),
  bandwidth_mbps: z.number().positive().max(100_000),
});

const siteSchema = z.strictObject({
  id: identifierSchema,
  name: z.string().min(1).max(200),
  address: z.string().max(500).optional(),
  /** A grouping above the commune for the overview (a former district, a cluster): free text, optional. */
  area: z.string().min(1, "must not be empty (leave area out for a site without one)").max(100).optional(),
  location: z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
  /** Receivers (the ward IT contact) told about this site. */
  contacts: z.array(identifierSchema).default([]),
  /** A simulated site (wardwatch demo, benches): marked as such wherever it appears. */
  simulated: z.boolean().default(false),
  links: z.array(linkSchema).min(1),
});

/** What every `storage:` backend's configuration has once parsed: the backend's name. */
export interface StorageConfigBase {
  kind: string;
}

/**
 * Builds the collector file's schema (as written: snake_case keys, strings for durations and sizes) around the
 * `storage:` union (one entry per sample store backend, from the collector's backend registry,
 * collector/store/samples/registry.ts), so that adding a backend never means editing config/. `storage` defaults to
 * `{ kind: sqlite }` with that backend's defaults.
 */
export function makeCollectorFileSchema<S extends z.ZodType<StorageConfigBase>>(storageSchema: S) {
  return z
    .strictObject({
      listen: listenAddressSchema.prefault("127.0.0.1:8080"),
      data_dir: z.string().min(1).default("./data"),
      // A typed prefault needs the union's input type, which the generic S does not give; `{ kind: "sqlite" }` is
      // what every registry lists first.
      storage: (storageSchema as z.ZodType<StorageConfigBase, { kind: string }>).prefault({ kind: "sqlite" }) as unknown as S,
      province: z.strictObject({
        id: identifierSchema,
        name: z.string().min(1),
        timezone: timeZoneSchema.default("Asia/Ho_Chi_Minh"),
      }),
      ingest: z
        .strictObject({
          max_body_bytes: sizeBytes(1024, 64 * 1024 ** 2).prefault("4mb"),
          max_in_flight: z.number().int().min(1).max(10_000).default(64),
          max_in_flight_per_site: z.number().int().min(1).max(100).default(2),
          // Absent: a quarter of max_in_flight (see toCollectorConfig), so live pushes always keep most slots.
          max_backfill_in_flight: z.number().int().min(1).max(10_000).optional(),
          body_timeout: durationMs(500, 600_000).prefault("30s"),
          max_sample_age: durationMs(60_000, 3650 * 86_400_000).prefault("30d"),
          clock_skew_tolerance: durationMs(100, 3_600_000).prefault("5s"),
        })
        .superRefine((ingest, ctx) => {
          if (ingest.max_backfill_in_flight !== undefined && ingest.max_backfill_in_flight > ingest.max_in_flight) {
            ctx.addIssue({ code: "custom", path: ["max_backfill_in_flight"], message: `must be at most max_in_flight (${ingest.max_in_flight}), got ${ingest.max_backfill_in_flight}` });
          }
        })
        .prefault({}),
      silent_after_pushes: z.number().int().min(1).max(100).default(3),
      state: linkPolicySchema,
      log: z.strictObject({ level: z.enum(["error", "warn", "info", "debug"]).default("info") }).prefault({}),
      public_url: z.url({ protocol: /^https?$/ }).optional(),
      http: httpSchema,
      metrics: metricsSchema,
      receivers: z.array(receiverSchema).default([]),
      smtp: smtpSchema.optional(),
      office_hours: officeHoursSchema,
      /** The working calendar: the province's holiday file, laid over the shipped table (docs/calendar.md). */
      calendar: z.strictObject({ holidays_file: z.string().min(1).optional() }).prefault({}),
      alerting: alertingSchema,
      maintenance: z.array(maintenanceSchema).default([]),
      sla: slaSchema,
      providers: z.array(providerSchema).min(1),
      sites: z.array(siteSchema).min(1),
    })
    .superRefine((file, ctx) => {
      const receiverIds = file.receivers.map((r) => r.id);
      reportDuplicates(receiverIds, ["receivers"], "receiver", ctx);
      const checkReceivers = (ids: string[], path: (string | number)[]): void =>
        ids.forEach((id, i) => {
          if (!receiverIds.includes(id)) ctx.addIssue({ code: "custom", path: [...path, i], message: `unknown receiver '${id}' (known: ${receiverIds.join(", ") || "none"})` });
        });
      file.providers.forEach((p, i) => checkReceivers(p.notify, ["providers", i, "notify"]));
      file.sites.forEach((site, i) => checkReceivers(site.contacts, ["sites", i, "contacts"]));
      checkReceivers(file.alerting.province_receivers, ["alerting", "province_receivers"]);
      checkReceivers(file.alerting.escalate_to, ["alerting", "escalate_to"]);
      file.alerting.routes.forEach((route, i) => checkReceivers(route.receivers, ["alerting", "routes", i, "receivers"]));
      file.receivers.forEach((receiver, i) => {
        if (receiver.email && !file.smtp) ctx.addIssue({ code: "custom", path: ["receivers", i, "email"], message: "e-mail receivers need an smtp: section" });
      });
      const providerIds = file.providers.map((p) => p.id);
      reportDuplicates(providerIds, ["providers"], "provider", ctx);
      reportDuplicates(file.sites.map((s) => s.id), ["sites"], "site", ctx);
      const siteIds = file.sites.map((s) => s.id);
      const checkKnown = (ids: readonly string[] | undefined, known: string[], what: string, path: (string | number)[]): void =>
        ids?.forEach((id, i) => {
          if (!known.includes(id)) ctx.addIssue({ code: "custom", path: [...path, i], message: `unknown ${what} '${id}' (known: ${known.join(", ")})` });
        });
      // A window or rule naming an id that does not exist would silently never match.
      reportDuplicates(file.maintenance.map((m) => m.id), ["maintenance"], "maintenance window", ctx);
      file.maintenance.forEach((window, i) => {
        if (window.provider !== undefined && !providerIds.includes(window.provider)) {
          ctx.addIssue({ code: "custom", path: ["maintenance", i, "provider"], message: `unknown provider '${window.provider}' (known: ${providerIds.join(", ")})` });
        }
        checkKnown(window.sites, siteIds, "site", ["maintenance", i, "sites"]);
      });
      file.alerting.routes.forEach((route, i) => {
        checkKnown(route.match.provider, providerIds, "provider", ["alerting", "routes", i, "match", "provider"]);
        checkKnown(route.match.site, siteIds, "site", ["alerting", "routes", i, "match", "site"]);
      });
      file.sites.forEach((site, siteIndex) => {
        reportDuplicates(site.links.map((l) => l.id), ["sites", siteIndex, "links"], "link", ctx);
        site.links.forEach((link, linkIndex) => {
          if (!providerIds.includes(link.provider)) {
            ctx.addIssue({
              code: "custom",
              path: ["sites", siteIndex, "links", linkIndex, "provider"],
              message: `unknown provider '${link.provider}' (known: ${providerIds.join(", ")})`,
            });
          }
        });
      });
    });
}

/** The parsed collector file, `storage` as its backend's schema parsed it. */
export type CollectorFile<St extends StorageConfigBase = StorageConfigBase> = Omit<z.output<ReturnType<typeof makeCollectorFileSchema>>, "storage"> & { storage: St };

function reportDuplicates(ids: string[], path: (string | number)[], what: string, ctx: z.RefinementCtx): void {
  ids.forEach((id, index) => {
    if (ids.indexOf(id) !== index) ctx.addIssue({ code: "custom", path: [...path, index, "id"], message: `duplicate ${what} id '${id}'` });
  });
}

/** A provider (telecom vendor), the receivers told about its circuits, and its contracted availability (%). */
export interface ProviderConfig {
  id: string;
  name: string;
  notify: string[];
  slaTargetPct: number;
}

/** A receiver as configured; its webhook secret still a reference (resolved by the collector at load). */
export interface ReceiverFileConfig {
  id: string;
  name: string;
  language: "vi" | "en";
  webhook: { url: string; secret: SecretRef; timeoutMs: number } | null;
  email: { to: string[] } | null;
}

/** Routing and timing of notifications. Durations in ms. */
export interface AlertingConfig {
  provinceReceivers: string[];
  groupWaitMs: number;
  /**
   * The least time between two messages telling a receiver what an incident covers: after its report, an incident
   * whose sites, links, cause or severity change gets an update at most this often (Alertmanager's group_interval).
   */
  groupIntervalMs: number;
  repeatIntervalMs: number;
  escalateAfterMs: number;
  escalateTo: string[];
  providerOutage: { minSites: number; minPct: number; windowMs: number };
  ackLinkTtlMs: number;
  /** The store failing this long (no write taken, probes included) opens a `collector` incident, ms. */
  storeUnreachableAfterMs: number;
  retry: { attempts: number; firstDelayMs: number; maxDelayMs: number };
  routes: Array<{
    match: { kind?: string[]; provider?: string[]; site?: string[]; linkKind?: string[]; severity?: string[]; officeHours?: boolean };
    receivers: string[];
  }>;
}

/** A vendor's planned-work window (UTC ms). */
export interface MaintenanceWindow {
  id: string;
  provider: string | null;
  sites: string[] | null;
  startTs: number;
  endTs: number;
  reason: string | null;
}

/** One WAN link of a site. */
export interface SiteLinkConfig {
  id: string;
  kind: LinkKind;
  provider: string;
  circuit: string;
  bandwidthMbps: number;
}

/** One commune/ward site. */
export interface SiteConfig {
  id: string;
  name: string;
  address: string | null;
  /** The overview's grouping above the commune (former district, cluster); null or absent when not configured. */
  area?: string | null;
  location: { lat: number; lon: number } | null;
  contacts: string[];
  /** A simulated site, not a real one (wardwatch demo): shown as such. */
  simulated: boolean;
  links: SiteLinkConfig[];
}

/**
 * The validated collector configuration (frozen). Durations in ms, sizes in bytes. `St`: the sample store's
 * configuration as the backend registry parses it (code that only needs its `kind` leaves it at the default).
 */
export interface CollectorConfig<St extends StorageConfigBase = StorageConfigBase> {
  listen: ListenAddress;
  dataDir: string;
  storage: St;
  province: { id: string; name: string; timezone: string };
  /**
   * Ingest limits: body size after decompression (bytes); batches in flight in all (`maxInFlight`) and per site
   * (`maxInFlightPerSite`); of those, batches carrying backlog (`maxBackfillInFlight`, the rest kept for live pushes); how long a batch's body may take to arrive (`bodyTimeoutMs`); how far before its batch's
   * send time a record may be stamped (`maxSampleAgeMs`); the clock offset left uncorrected (`clockSkewToleranceMs`).
   */
  ingest: { maxBodyBytes: number; maxInFlight: number; maxInFlightPerSite: number; maxBackfillInFlight: number; bodyTimeoutMs: number; maxSampleAgeMs: number; clockSkewToleranceMs: number };
  silentAfterPushes: number;
  linkPolicy: LinkStatePolicy;
  logLevel: "error" | "warn" | "info" | "debug";
  providers: ProviderConfig[];
  sites: SiteConfig[];
  /** Base URL of links in messages (acknowledgement links); from `listen` when not given. */
  publicUrl: string;
  receivers: ReceiverFileConfig[];
  smtp: { host: string; port: number; secure: boolean; from: string; user: string | null; password: SecretRef | null; timeoutMs: number } | null;
  /** Weekly office hours (by season) in the province's time zone. */
  officeHours: OfficeSchedule;
  /**
   * The province's holiday file (yearly notices, extra holidays) over the shipped table, or null for the shipped
   * table alone; a relative path is from the working directory, like `data_dir` and secret files.
   */
  calendar: { holidaysFile: string | null };
  alerting: AlertingConfig;
  maintenance: MaintenanceWindow[];
  /** Browsers: cookies, allowed origins, live clients (config/securitySchema.ts). */
  http: HttpConfig;
  /** Who may read /metrics besides loopback. */
  metrics: MetricsConfig;
  /** SLA reports: schedule of the e-mailed report, timelines (config/slaSchema.ts). */
  sla: SlaConfig;
}

/** Turns the parsed file into the domain configuration. */
export function toCollectorConfig<St extends StorageConfigBase>(file: CollectorFile<St>): CollectorConfig<St> {
  return {
    listen: file.listen,
    dataDir: file.data_dir,
    storage: file.storage,
    province: file.province,
    ingest: {
      maxBodyBytes: file.ingest.max_body_bytes,
      maxInFlight: file.ingest.max_in_flight,
      maxInFlightPerSite: file.ingest.max_in_flight_per_site,
      maxBackfillInFlight: file.ingest.max_backfill_in_flight ?? Math.max(1, Math.floor(file.ingest.max_in_flight / 4)),
      bodyTimeoutMs: file.ingest.body_timeout,
      maxSampleAgeMs: file.ingest.max_sample_age,
      clockSkewToleranceMs: file.ingest.clock_skew_tolerance,
    },
    silentAfterPushes: file.silent_after_pushes,
    linkPolicy: file.state,
    logLevel: file.log.level,
    providers: file.providers.map((p) => ({ id: p.id, name: p.name, notify: p.notify, slaTargetPct: p.sla_target_pct })),
    sla: toSlaConfig(file.sla),
    publicUrl: (file.public_url ?? `http://${file.listen.host.includes(":") ? `[${file.listen.host}]` : file.listen.host}:${file.listen.port}`).replace(/\/$/, ""),
    receivers: file.receivers.map((r) => ({
      id: r.id,
      name: r.name,
      language: r.language,
      webhook: r.webhook ? { url: r.webhook.url, secret: r.webhook.secret, timeoutMs: r.webhook.timeout } : null,
      email: r.email ? { to: r.email.to } : null,
    })),
    smtp: file.smtp
      ? { host: file.smtp.host, port: file.smtp.port, secure: file.smtp.secure, from: file.smtp.from, user: file.smtp.user ?? null, password: file.smtp.password ?? null, timeoutMs: file.smtp.timeout }
      : null,
    officeHours: toOfficeSchedule(file.office_hours),
    calendar: { holidaysFile: file.calendar.holidays_file ?? null },
    ...toSecurityConfig(file.http, file.metrics),
    alerting: {
      provinceReceivers: file.alerting.province_receivers,
      groupWaitMs: file.alerting.group_wait,
      groupIntervalMs: file.alerting.group_interval,
      repeatIntervalMs: file.alerting.repeat_interval,
      escalateAfterMs: file.alerting.escalate_after,
      escalateTo: file.alerting.escalate_to,
      providerOutage: { minSites: file.alerting.provider_outage.min_sites, minPct: file.alerting.provider_outage.min_pct, windowMs: file.alerting.provider_outage.window },
      ackLinkTtlMs: file.alerting.ack_link_ttl,
      storeUnreachableAfterMs: file.alerting.store_unreachable_after,
      retry: { attempts: file.alerting.retry.attempts, firstDelayMs: file.alerting.retry.first_delay, maxDelayMs: file.alerting.retry.max_delay },
      routes: file.alerting.routes.map((route) => ({
        match: {
          ...(route.match.kind ? { kind: route.match.kind } : {}),
          ...(route.match.provider ? { provider: route.match.provider } : {}),
          ...(route.match.site ? { site: route.match.site } : {}),
          ...(route.match.link_kind ? { linkKind: route.match.link_kind } : {}),
          ...(route.match.severity ? { severity: route.match.severity } : {}),
          ...(route.match.office_hours !== undefined ? { officeHours: route.match.office_hours } : {}),
        },
        receivers: route.receivers,
      })),
    },
    maintenance: file.maintenance.map((m) => ({ id: m.id, provider: m.provider ?? null, sites: m.sites ?? null, startTs: Date.parse(m.start), endTs: Date.parse(m.end), reason: m.reason ?? null })),
    sites: file.sites.map((site) => ({
      id: site.id,
      name: site.name,
      address: site.address ?? null,
      area: site.area ?? null,
      location: site.location ?? null,
      contacts: site.contacts,
      simulated: site.simulated,
      links: site.links.map((link) => ({
        id: link.id,
        kind: link.kind,
        provider: link.provider,
        circuit: link.circuit,
        bandwidthMbps: link.bandwidth_mbps,
      })),
    })),
  };
}
