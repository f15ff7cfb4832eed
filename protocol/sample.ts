import { z } from "zod";

/** Identifier of a site, link or probe: lower-case letters, digits, '-' and '_', 1–64 characters. */
export const identifierSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be 1–64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit");

const nullableMs = z.number().finite().nonnegative().nullable();

/**
 * One probe round of one ICMP probe on one link, as the agent measured it.
 * - `seq`: agent-assigned, strictly increasing per site; (site, seq) is unique at the collector.
 * - `ts`: start of the round, UTC milliseconds by the agent's clock.
 * - `round`/`roundSize`: the link's round number and how many samples that round has (one per probe target),
 *   so the collector can judge a whole round (a round fails when all its samples fail).
 * - rtt fields in milliseconds, null when no reply came back; `lossPct` 0–100.
 */
export const icmpSampleSchema = z.strictObject({
  seq: z.number().int().nonnegative(),
  ts: z.number().int().positive(),
  kind: z.literal("icmp"),
  link: identifierSchema,
  probe: z.string().min(1).max(128),
  target: z.string().min(1).max(255),
  round: z.number().int().nonnegative(),
  roundSize: z.number().int().positive().max(64),
  ok: z.boolean(),
  sent: z.number().int().nonnegative(),
  received: z.number().int().nonnegative(),
  lossPct: z.number().min(0).max(100),
  rttMinMs: nullableMs,
  rttAvgMs: nullableMs,
  rttMaxMs: nullableMs,
  rttStddevMs: nullableMs,
  reason: z.string().max(500).optional(),
});

/** One ICMP probe round, see {@link icmpSampleSchema}. */
export type IcmpSample = z.infer<typeof icmpSampleSchema>;

/** Every kind of sample an agent may send (a discriminated union on `kind`). */
export const sampleSchema = z.discriminatedUnion("kind", [icmpSampleSchema]);

/** A sample of any kind. */
export type Sample = z.infer<typeof sampleSchema>;
