import { z } from "zod";
import { DEFAULT_LINK_STATE_POLICY, type LinkStatePolicy } from "../protocol/linkState.js";

const d = DEFAULT_LINK_STATE_POLICY;

/**
 * `state:` block, in collector and agent files alike: when a link is down, up again or degraded.
 * Defaults: fail_after 3, recover_after 2, degraded_after 2, degraded_loss_pct 10, degraded_rtt_ms 300.
 */
export const linkPolicySchema = z
  .strictObject({
    fail_after: z.number().int().min(1).max(100).default(d.failAfter),
    recover_after: z.number().int().min(1).max(100).default(d.recoverAfter),
    degraded_after: z.number().int().min(1).max(100).default(d.degradedAfter),
    degraded_loss_pct: z.number().min(0).max(100).default(d.degradedLossPct),
    degraded_rtt_ms: z.number().positive().max(60_000).default(d.degradedRttMs),
  })
  .prefault({})
  .transform(
    (p): LinkStatePolicy => ({
      ...d,
      failAfter: p.fail_after,
      recoverAfter: p.recover_after,
      degradedAfter: p.degraded_after,
      degradedLossPct: p.degraded_loss_pct,
      degradedRttMs: p.degraded_rtt_ms,
    }),
  );
