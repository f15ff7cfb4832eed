import { z } from "zod";
import { identifierSchema } from "../protocol/sample.js";
import type { LinkStatePolicy } from "../protocol/linkState.js";
import { durationMs, listenAddressSchema, sizeBytes, type ListenAddress } from "./units.js";
import { linkPolicySchema } from "./linkPolicy.js";

/**
 * Builds the agent file's schema around the agent's probe union (one entry per probe kind, from the agent's
 * probe registry), so that adding a probe kind never means editing config/.
 */
export function makeAgentFileSchema<P extends z.ZodType>(probeSchema: P) {
  const linkSchema = z
    .strictObject({
      id: identifierSchema,
      interface: z.string().regex(/^[a-zA-Z0-9_.:@-]{1,15}$/, "must be a network interface name (e.g. eth1)").optional(),
      source: z.union([z.ipv4(), z.ipv6()]).optional(),
      probes: z.array(probeSchema).min(1).max(32),
    })
    .refine((link) => !(link.interface && link.source), { message: "give interface or source, not both", path: ["source"] });

  return z
    .strictObject({
      site: identifierSchema,
      collector: z.strictObject({
        urls: z.array(z.url({ protocol: /^https?$/ })).min(1),
        token_file: z.string().min(1),
        push_interval: durationMs(1000, 3_600_000).prefault("10s"),
        batch_size: z.number().int().min(1).max(5000).default(500),
        request_timeout: durationMs(500, 300_000).prefault("15s"),
        max_backoff: durationMs(1000, 3_600_000).prefault("5m"),
      }),
      spool_dir: z.string().min(1).default("./spool"),
      spool_max_bytes: sizeBytes(64 * 1024, 16 * 1024 ** 3).prefault("64mb"),
      spool_segment_bytes: sizeBytes(4 * 1024, 256 * 1024 ** 2).prefault("1mb"),
      status_listen: listenAddressSchema.optional(),
      state: linkPolicySchema,
      log: z.strictObject({ level: z.enum(["error", "warn", "info", "debug"]).default("info") }).prefault({}),
      links: z.array(linkSchema).min(1).max(16),
    })
    .superRefine((file, ctx) => {
      if (file.spool_segment_bytes * 4 > file.spool_max_bytes) {
        ctx.addIssue({ code: "custom", path: ["spool_segment_bytes"], message: "must be at most a quarter of spool_max_bytes (the newest segment is never dropped)" });
      }
      const ids = file.links.map((l) => l.id);
      ids.forEach((id, index) => {
        if (ids.indexOf(id) !== index) ctx.addIssue({ code: "custom", path: ["links", index, "id"], message: `duplicate link id '${id}'` });
      });
    });
}

/** One WAN link as the agent sees it: how to bind probes to it and what to probe. */
export interface AgentLinkConfig<P> {
  id: string;
  /** Interface the probes leave through (ping -I), or null. */
  interface: string | null;
  /** Source address the probes leave from, or null. */
  source: string | null;
  probes: P[];
}

/** The validated agent configuration (frozen). Durations in ms, sizes in bytes. */
export interface AgentConfig<P> {
  site: string;
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
  logLevel: "error" | "warn" | "info" | "debug";
  links: AgentLinkConfig<P>[];
}

/** Turns the parsed agent file into the domain configuration. */
export function toAgentConfig<P>(file: z.infer<ReturnType<typeof makeAgentFileSchema>>, probes: (raw: unknown) => P): AgentConfig<P> {
  return {
    site: file.site,
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
    logLevel: file.log.level,
    links: file.links.map((link) => ({
      id: link.id,
      interface: link.interface ?? null,
      source: link.source ?? null,
      probes: link.probes.map(probes),
    })),
  };
}
