import { z } from "zod";
import { identifierSchema } from "../protocol/sample.js";
import { durationMs } from "./units.js";

/**
 * A secret is never written in the file: give the name of an environment variable or of a file holding it.
 * The loader resolves it (see `resolveSecret`); only its source is in the configuration.
 */
export const secretRefSchema = z.union([z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name") }), z.strictObject({ file: z.string().min(1) })]);

/** See {@link secretRefSchema}. */
export type SecretRef = z.infer<typeof secretRefSchema>;

/** A receiver of notifications: a vendor's NOC, a ward IT contact, the provincial ICT team. */
export const receiverSchema = z
  .strictObject({
    id: identifierSchema,
    name: z.string().min(1).max(200),
    language: z.enum(["vi", "en"]).default("vi"),
    webhook: z
      .strictObject({
        url: z.url({ protocol: /^https?$/ }),
        secret: secretRefSchema,
        timeout: durationMs(100, 120_000).prefault("10s"),
      })
      .optional(),
    email: z.strictObject({ to: z.array(z.email()).min(1).max(50) }).optional(),
  })
  .refine((r) => r.webhook || r.email, { message: "give a webhook, an email, or both" });

/** The SMTP server e-mail goes through. */
export const smtpSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(25),
  secure: z.boolean().default(false),
  /** The sender: an address, or a name and an address ("Giám sát mạng <giamsat@tinh.example>"). */
  from: z.string().refine((text) => z.email().safeParse(/^[^<>]*<([^<>]+)>$/.exec(text.trim())?.[1] ?? text.trim()).success, {
    message: "must be an e-mail address, or a name and an address: Giám sát mạng <giamsat@tinh.example>",
  }),
  user: z.string().min(1).optional(),
  password: secretRefSchema.optional(),
  timeout: durationMs(100, 120_000).prefault("10s"),
});

/** `office_hours` (one range, sessions, or seasons): see config/calendar/officeSchedule.ts. */
export { officeHoursSchema } from "./calendar/officeSchedule.js";

/** A routing rule: incidents matching every given field also go to `receivers`. Absent fields match anything. */
export const routeRuleSchema = z.strictObject({
  match: z
    .strictObject({
      kind: z.array(z.enum(["link", "site", "provider", "collector"])).optional(),
      provider: z.array(identifierSchema).optional(),
      site: z.array(identifierSchema).optional(),
      link_kind: z.array(z.enum(["dedicated", "internet"])).optional(),
      severity: z.array(z.enum(["critical", "major", "minor"])).optional(),
      office_hours: z.boolean().optional(),
    })
    .prefault({}),
  receivers: z.array(identifierSchema).min(1),
});

/** A planned-work window announced by a vendor: incidents it covers are recorded but nobody is notified. */
export const maintenanceSchema = z
  .strictObject({
    id: identifierSchema,
    provider: identifierSchema.optional(),
    sites: z.array(identifierSchema).optional(),
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
    reason: z.string().max(500).optional(),
  })
  .refine((m) => Date.parse(m.end) > Date.parse(m.start), { message: "end must be after start", path: ["end"] });

/** How incidents are raised and notifications sent. Durations in the file as strings. */
export const alertingSchema = z
  .strictObject({
    /** Receivers that get everything (the provincial ICT team). */
    province_receivers: z.array(identifierSchema).default([]),
    group_wait: durationMs(0, 3_600_000).prefault("10s"),
    group_interval: durationMs(1000, 86_400_000).prefault("5m"),
    repeat_interval: durationMs(60_000, 7 * 86_400_000).prefault("4h"),
    escalate_after: durationMs(60_000, 7 * 86_400_000).prefault("30m"),
    escalate_to: z.array(identifierSchema).default([]),
    provider_outage: z
      .strictObject({
        min_sites: z.number().int().min(2).max(10_000).default(3),
        min_pct: z.number().min(1).max(100).default(50),
        window: durationMs(10_000, 3_600_000).prefault("5m"),
      })
      .prefault({}),
    ack_link_ttl: durationMs(60_000, 90 * 86_400_000).prefault("7d"),
    /** The collector's store failing (no write taken) this long opens the collector's own incident. */
    store_unreachable_after: durationMs(1000, 3_600_000).prefault("30s"),
    retry: z
      .strictObject({
        attempts: z.number().int().min(1).max(20).default(5),
        first_delay: durationMs(100, 600_000).prefault("1s"),
        max_delay: durationMs(1000, 3_600_000).prefault("5m"),
      })
      .refine((retry) => retry.max_delay >= retry.first_delay, { message: "max_delay must not be shorter than first_delay", path: ["max_delay"] })
      .prefault({}),
    routes: z.array(routeRuleSchema).max(200).default([]),
  })
  .prefault({});
