import { z } from "zod";
import { identifierSchema } from "./sample.js";

/**
 * A connectivity decision the agent took and what came of it: a destination group moved from one link to another
 * (`preferred_down`: the active link went down; `preferred_back`: the preferred link has been up for the hold time).
 * `action` is what was done (`observe`: nothing, only reported), `ok`/`detail` its result. Shares the site's seq
 * space with samples (unique per site); `ts` is UTC ms by the agent's clock.
 */
export const failoverEventSchema = z.strictObject({
  seq: z.number().int().nonnegative(),
  ts: z.number().int().positive(),
  type: z.literal("failover"),
  group: identifierSchema,
  fromLink: identifierSchema,
  toLink: identifierSchema,
  reason: z.enum(["preferred_down", "preferred_back"]),
  action: z.enum(["observe", "route", "hook"]),
  ok: z.boolean(),
  detail: z.string().max(1000),
});

/** Every kind of event an agent may send. */
export const agentEventSchema = z.discriminatedUnion("type", [failoverEventSchema]);

/** See {@link failoverEventSchema}. */
export type FailoverEvent = z.infer<typeof failoverEventSchema>;

/** An event of any kind. */
export type AgentEvent = z.infer<typeof agentEventSchema>;
