import { z } from "zod";
import { identifierSchema } from "../protocol/sample.js";
import type { LinkStatePolicy } from "../protocol/linkState.js";
import type { LinkKind } from "../protocol/api.js";
import { durationMs, listenAddressSchema, sizeBytes, type ListenAddress } from "./units.js";
import { linkPolicySchema } from "./linkPolicy.js";
import { MAX_SAMPLES_PER_BATCH } from "../protocol/ingest.js";
import { linkProbeIds, MAX_PROBE_ID_CHARS, MAX_TARGET_CHARS } from "./probeIds.js";

/**
 * Builds the agent file's schema around the agent's probe union (one entry per probe kind, from the agent's
 * probe registry), so that adding a probe kind never means editing config/. Every value the agent derives from the
 * file and sends (probe ids, targets) is checked against the protocol's limits here, so the collector never refuses
 * a batch for something the file alone shows.
 */
export function makeAgentFileSchema<P extends z.ZodType<{ kind: string; target: string }>>(anyProbeSchema: P) {
  const probeSchema = anyProbeSchema.superRefine((probe, ctx) => {
    if (probe.target.length > MAX_TARGET_CHARS) ctx.addIssue({ code: "custom", message: `the probe's target is ${probe.target.length} characters; the protocol allows ${MAX_TARGET_CHARS}` });
  });
  const linkSchema = z
    .strictObject({
      id: identifierSchema,
      kind: z.enum(["dedicated", "internet"]).default("internet"),
      provider: z.string().min(1).max(100).optional(),
      circuit: z.string().min(1).max(100).optional(),
      interface: z.string().regex(/^[a-zA-Z0-9_.:@-]{1,15}$/, "must be a network interface name (e.g. eth1)").optional(),
      source: z.union([z.ipv4(), z.ipv6()]).optional(),
      gateway: z.union([z.ipv4(), z.ipv6()]).optional(),
      probes: z.array(probeSchema).min(1).max(32),
    })
    .refine((link) => !(link.interface && link.source), { message: "give interface or source, not both", path: ["source"] });

  const appSchema = z.strictObject({
    id: identifierSchema,
    name: z.string().min(1).max(200),
    via: z.array(identifierSchema).min(1).max(16).optional(),
    probe: probeSchema,
  });

  const lanSchema = z.strictObject({
    id: identifierSchema,
    name: z.string().min(1).max(200),
    probe: probeSchema,
  });

  const groupSchema = z.strictObject({
    id: identifierSchema,
    prefixes: z.array(z.union([z.cidrv4(), z.cidrv6()])).min(1).max(256),
    links: z.array(identifierSchema).min(1).max(16),
  });

  const connectivitySchema = z
    .strictObject({
      action: z.enum(["observe", "route", "hook"]).default("observe"),
      hold: durationMs(0, 86_400_000).prefault("5m"),
      hook: z.strictObject({ command: z.string().min(1), timeout: durationMs(100, 600_000).prefault("10s") }).optional(),
      groups: z.array(groupSchema).max(64).default([]),
    })
    .prefault({});

  return z
    .strictObject({
      site: identifierSchema,
      site_name: z.string().min(1).max(200).optional(),
      collector: z.strictObject({
        urls: z.array(z.url({ protocol: /^https?$/ })).min(1),
        token_file: z.string().min(1),
        push_interval: durationMs(1000, 3_600_000).prefault("10s"),
        batch_size: z.number().int().min(1).max(MAX_SAMPLES_PER_BATCH).default(500),
        request_timeout: durationMs(500, 300_000).prefault("15s"),
        max_backoff: durationMs(1000, 3_600_000).prefault("5m"),
      }),
      spool_dir: z.string().min(1).default("./spool"),
      spool_max_bytes: sizeBytes(64 * 1024, 16 * 1024 ** 3).prefault("64mb"),
      spool_segment_bytes: sizeBytes(4 * 1024, 256 * 1024 ** 2).prefault("1mb"),
      status_listen: listenAddressSchema.optional(),
      state: linkPolicySchema,
      retry_interval: durationMs(200, 3_600_000).prefault("2s"),
      log: z.strictObject({ level: z.enum(["error", "warn", "info", "debug"]).default("info") }).prefault({}),
      links: z.array(linkSchema).min(1).max(16),
      apps: z.array(appSchema).max(64).default([]),
      lan: z.array(lanSchema).max(256).default([]),
      connectivity: connectivitySchema,
    })
    .superRefine((file, ctx) => {
      if (file.spool_segment_bytes * 4 > file.spool_max_bytes) {
        ctx.addIssue({ code: "custom", path: ["spool_segment_bytes"], message: "must be at most a quarter of spool_max_bytes (the newest segment is never dropped)" });
      }
      const linkIds = file.links.map((l) => l.id);
      reportDuplicates(linkIds, ["links"], "link", ctx);
      checkProbeIds(file.links, ctx);
      reportDuplicates(file.connectivity.groups.map((g) => g.id), ["connectivity", "groups"], "group", ctx);
      reportDuplicates(file.apps.map((a) => a.id), ["apps"], "application", ctx);
      reportDuplicates(file.lan.map((d) => d.id), ["lan"], "LAN device", ctx);
      file.lan.forEach((device, i) => {
        if (file.apps.some((app) => app.id === device.id)) {
          ctx.addIssue({ code: "custom", path: ["lan", i, "id"], message: `id '${device.id}' is already an application's` });
        }
      });
      const unknownLink = (id: string, path: (string | number)[]): void => {
        if (!linkIds.includes(id)) ctx.addIssue({ code: "custom", path, message: `unknown link '${id}' (known: ${linkIds.join(", ")})` });
      };
      file.apps.forEach((app, i) => app.via?.forEach((id, j) => unknownLink(id, ["apps", i, "via", j])));
      file.connectivity.groups.forEach((group, i) => group.links.forEach((id, j) => unknownLink(id, ["connectivity", "groups", i, "links", j])));
      if (file.connectivity.action === "hook" && !file.connectivity.hook) {
        ctx.addIssue({ code: "custom", path: ["connectivity", "hook"], message: "action 'hook' needs hook: { command, timeout }" });
      }
      if (file.connectivity.action === "route") {
        file.connectivity.groups.forEach((group, i) =>
          group.links.forEach((id, j) => {
            if (linkIds.includes(id) && !file.links.find((l) => l.id === id)?.gateway) {
              ctx.addIssue({ code: "custom", path: ["connectivity", "groups", i, "links", j], message: `action 'route' needs a gateway on link '${id}'` });
            }
          }),
        );
      }
    });
}

/**
 * The protocol's limit on the probe ids the agent derives from its file: a link probe's id ("kind:target", see
 * linkProbeIds) at most {@link MAX_PROBE_ID_CHARS}. (Every probe's target is checked against {@link MAX_TARGET_CHARS}
 * by the probe schema itself.)
 */
function checkProbeIds<T extends { kind: string; target: string }>(links: ReadonlyArray<{ probes: T[] }>, ctx: z.RefinementCtx): void {
  links.forEach((link, i) => {
    // A probe entry that failed its own schema reaches here unparsed (no target): its own problem is reported already.
    if (link.probes.some((probe) => typeof probe?.target !== "string")) return;
    linkProbeIds(link.probes).forEach((id, j) => {
      if (id.length > MAX_PROBE_ID_CHARS) {
        ctx.addIssue({
          code: "custom",
          path: ["links", i, "probes", j],
          message: `its probe id '${id.slice(0, 40)}…' (kind:target) is ${id.length} characters; the protocol allows ${MAX_PROBE_ID_CHARS}: use a shorter target, or probe it as an app (its id is the probe id)`,
        });
      }
    });
  });
}

function reportDuplicates(ids: string[], path: (string | number)[], what: string, ctx: z.RefinementCtx): void {
  ids.forEach((id, index) => {
    if (ids.indexOf(id) !== index) ctx.addIssue({ code: "custom", path: [...path, index, "id"], message: `duplicate ${what} id '${id}'` });
  });
}

/** One WAN link as the agent sees it: what it is (for the local diagnosis), how to bind probes to it, what to probe. */
export interface AgentLinkConfig<P> {
  id: string;
  kind: LinkKind;
  /** Vendor name shown locally (e.g. "VNPT"), or null. */
  provider: string | null;
  /** Circuit id / subscriber code, or null. */
  circuit: string | null;
  /** Interface the probes leave through (ping -I), or null. */
  interface: string | null;
  /** Source address the probes leave from, or null. */
  source: string | null;
  /** Next hop for the `route` failover action, or null. */
  gateway: string | null;
  probes: P[];
}

/** An application probed through each of `via` (its links, in order). */
export interface AgentAppConfig<P> {
  id: string;
  name: string;
  via: string[];
  probe: P;
}

/** A device on the site's LAN. */
export interface AgentLanConfig<P> {
  id: string;
  name: string;
  probe: P;
}

/** A destination group for failover: its prefixes and its links in order of preference. */
export interface RouteGroupConfig {
  id: string;
  prefixes: string[];
  links: string[];
}

/** What the agent does when a group's preferred link goes down. Durations in ms. */
export interface ConnectivityConfig {
  action: "observe" | "route" | "hook";
  holdMs: number;
  hook: { command: string; timeoutMs: number } | null;
  groups: RouteGroupConfig[];
}

/** The validated agent configuration (frozen). Durations in ms, sizes in bytes. */
export interface AgentConfig<P> {
  site: string;
  siteName: string | null;
  collector: {
    urls: string[];
    tokenFile: string;
    pushIntervalMs: number;
    batchSize: number;
    requestTimeoutMs: number;
    maxBackoffMs: number;
  };
  spoolDir: string;
  spoolMaxBytes: number;
  spoolSegmentBytes: number;
  statusListen: ListenAddress | null;
  linkPolicy: LinkStatePolicy;
  /**
   * Time between rounds while a state change waits to be confirmed (a failed round on a link that is up…), ms; a
   * monitor whose interval is shorter keeps its interval. Nagios' `retry_interval`.
   */
  retryIntervalMs: number;
  logLevel: "error" | "warn" | "info" | "debug";
  links: AgentLinkConfig<P>[];
  apps: AgentAppConfig<P>[];
  lan: AgentLanConfig<P>[];
  connectivity: ConnectivityConfig;
}

/** Turns the parsed agent file into the domain configuration; `probe` casts a parsed probe entry to the registry's type. */
export function toAgentConfig<P>(file: z.infer<ReturnType<typeof makeAgentFileSchema>>, probe: (raw: unknown) => P): AgentConfig<P> {
  return {
    site: file.site,
    siteName: file.site_name ?? null,
    collector: {
      urls: file.collector.urls,
      tokenFile: file.collector.token_file,
      pushIntervalMs: file.collector.push_interval,
      batchSize: file.collector.batch_size,
      requestTimeoutMs: file.collector.request_timeout,
      maxBackoffMs: file.collector.max_backoff,
    },
    spoolDir: file.spool_dir,
    spoolMaxBytes: file.spool_max_bytes,
    spoolSegmentBytes: file.spool_segment_bytes,
    statusListen: file.status_listen ?? null,
    linkPolicy: file.state,
    retryIntervalMs: file.retry_interval,
    logLevel: file.log.level,
    links: file.links.map((link) => ({
      id: link.id,
      kind: link.kind,
      provider: link.provider ?? null,
      circuit: link.circuit ?? null,
      interface: link.interface ?? null,
      source: link.source ?? null,
      gateway: link.gateway ?? null,
      probes: link.probes.map(probe),
    })),
    apps: file.apps.map((app) => ({ id: app.id, name: app.name, via: app.via ?? file.links.map((l) => l.id), probe: probe(app.probe) })),
    lan: file.lan.map((device) => ({ id: device.id, name: device.name, probe: probe(device.probe) })),
    connectivity: {
      action: file.connectivity.action,
      holdMs: file.connectivity.hold,
      hook: file.connectivity.hook ? { command: file.connectivity.hook.command, timeoutMs: file.connectivity.hook.timeout } : null,
      groups: file.connectivity.groups,
    },
  };
}
