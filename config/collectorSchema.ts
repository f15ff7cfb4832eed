import { z } from "zod";
import { identifierSchema } from "../protocol/sample.js";
import type { LinkKind } from "../protocol/api.js";
import type { LinkStatePolicy } from "../protocol/linkState.js";
import { durationMs, listenAddressSchema, sizeBytes, type ListenAddress } from "./units.js";
import { linkPolicySchema } from "./linkPolicy.js";

const providerSchema = z.strictObject({
  id: identifierSchema,
  name: z.string().min(1).max(100),
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
  location: z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
  contacts: z.array(z.string().min(1)).default([]),
  links: z.array(linkSchema).min(1),
});

const storageSchema = z.discriminatedUnion("kind", [z.strictObject({ kind: z.literal("sqlite") })]);

/** The collector file's schema, as written (snake_case keys, strings for durations and sizes). */
export const collectorFileSchema = z
  .strictObject({
    listen: listenAddressSchema.prefault("127.0.0.1:8080"),
    data_dir: z.string().min(1).default("./data"),
    storage: storageSchema.default({ kind: "sqlite" }),
    province: z.strictObject({
      id: identifierSchema,
      name: z.string().min(1),
      timezone: z.string().default("Asia/Ho_Chi_Minh"),
    }),
    ingest: z
      .strictObject({
        max_body_bytes: sizeBytes(1024, 64 * 1024 ** 2).prefault("4mb"),
        max_in_flight: z.number().int().min(1).max(10_000).default(64),
        clock_skew_tolerance: durationMs(100, 3_600_000).prefault("5s"),
      })
      .prefault({}),
    silent_after_pushes: z.number().int().min(1).max(100).default(3),
    state: linkPolicySchema,
    log: z.strictObject({ level: z.enum(["error", "warn", "info", "debug"]).default("info") }).prefault({}),
    providers: z.array(providerSchema).min(1),
    sites: z.array(siteSchema).min(1),
  })
  .superRefine((file, ctx) => {
    const providerIds = file.providers.map((p) => p.id);
    reportDuplicates(providerIds, ["providers"], "provider", ctx);
    reportDuplicates(file.sites.map((s) => s.id), ["sites"], "site", ctx);
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

function reportDuplicates(ids: string[], path: (string | number)[], what: string, ctx: z.RefinementCtx): void {
  ids.forEach((id, index) => {
    if (ids.indexOf(id) !== index) ctx.addIssue({ code: "custom", path: [...path, index, "id"], message: `duplicate ${what} id '${id}'` });
  });
}

/** A provider (telecom vendor). */
export interface ProviderConfig {
  id: string;
  name: string;
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
  location: { lat: number; lon: number } | null;
  contacts: string[];
  links: SiteLinkConfig[];
}

/** The validated collector configuration (frozen). Durations in ms, sizes in bytes. */
export interface CollectorConfig {
  listen: ListenAddress;
  dataDir: string;
  storage: { kind: "sqlite" };
  province: { id: string; name: string; timezone: string };
  ingest: { maxBodyBytes: number; maxInFlight: number; clockSkewToleranceMs: number };
  silentAfterPushes: number;
  linkPolicy: LinkStatePolicy;
  logLevel: "error" | "warn" | "info" | "debug";
  providers: ProviderConfig[];
  sites: SiteConfig[];
}

/** Turns the parsed file into the domain configuration. */
export function toCollectorConfig(file: z.infer<typeof collectorFileSchema>): CollectorConfig {
  return {
    listen: file.listen,
    dataDir: file.data_dir,
    storage: file.storage,
    province: file.province,
    ingest: {
      maxBodyBytes: file.ingest.max_body_bytes,
      maxInFlight: file.ingest.max_in_flight,
      clockSkewToleranceMs: file.ingest.clock_skew_tolerance,
    },
    silentAfterPushes: file.silent_after_pushes,
    linkPolicy: file.state,
    logLevel: file.log.level,
    providers: file.providers,
    sites: file.sites.map((site) => ({
      id: site.id,
      name: site.name,
      address: site.address ?? null,
      location: site.location ?? null,
      contacts: site.contacts,
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
