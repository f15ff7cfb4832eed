import cron from "node-cron";
import { z } from "zod";
import { durationMs } from "./units.js";

/** Contracted availability of a provider's circuits when its `sla_target_pct` is not given, % (issue 11). */
export const DEFAULT_SLA_TARGET_PCT = 99.5;

/** A provider's contracted availability, %: more than 0, at most 100 (`providers[].sla_target_pct`, default 99.5). */
export const slaTargetSchema = z.number().gt(0).max(100).default(DEFAULT_SLA_TARGET_PCT);

/**
 * A cron expression as node-cron reads it (five fields, or six with seconds first), checked at load: a field it
 * refuses is named ("dayOfMonth: 32 is a invalid expression for day of month").
 */
export const cronExpressionSchema = z.string().superRefine((expression, ctx) => {
  const check = cron.validateDetailed(expression);
  if (check.valid) return;
  const detail = check.errors.map((e) => `${e.field}: ${e.message}`).join("; ") || "not a cron expression";
  ctx.addIssue({ code: "custom", message: `'${expression.slice(0, 80)}' is not a cron expression node-cron accepts (${detail}); e.g. "0 8 1 * *" (08:00 on the 1st)` });
});

/**
 * The SLA reports (docs/sla.md), all optional:
 *
 *   sla:
 *     report_schedule: "0 8 1 * *"   # when last month's report is e-mailed, in the province's time zone (default: 08:00 on the 1st)
 *     email: true                    # send it (default true; needs smtp: and e-mail receivers)
 *     max_round_gap: 2m              # a round stands for the link's state at most this long; later time with no round is unknown
 *     refresh_interval: 5m           # how often stored samples are turned into the links' state timelines
 *     settle: 2m                     # how far behind now the timelines stop (samples still in flight)
 *     min_coverage_pct: 90           # below this share of the month measured, a circuit gets no verdict (met: none)
 */
export const slaSchema = z
  .strictObject({
    report_schedule: cronExpressionSchema.default("0 8 1 * *"),
    email: z.boolean().default(true),
    max_round_gap: durationMs(5000, 3_600_000).prefault("2m"),
    refresh_interval: durationMs(1000, 3_600_000).prefault("5m"),
    settle: durationMs(0, 3_600_000).prefault("2m"),
    min_coverage_pct: z.number().min(0).max(100).default(90),
  })
  .prefault({});

/** The SLA configuration, durations in ms (see {@link slaSchema}). */
export interface SlaConfig {
  reportSchedule: string;
  email: boolean;
  maxRoundGapMs: number;
  refreshIntervalMs: number;
  settleMs: number;
  /** Below this coverage, %, no verdict (SlaReports). */
  minCoveragePct: number;
}

/** The domain form of the parsed `sla:` section. */
export function toSlaConfig(file: z.output<typeof slaSchema>): SlaConfig {
  return { reportSchedule: file.report_schedule, email: file.email, maxRoundGapMs: file.max_round_gap, refreshIntervalMs: file.refresh_interval, settleMs: file.settle, minCoveragePct: file.min_coverage_pct };
}
