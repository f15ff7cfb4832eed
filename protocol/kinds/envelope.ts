import { z } from "zod";

/** Identifier of a site, link, application or device: lower-case letters, digits, '-' and '_', 1–64 characters. */
export const identifierSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be 1–64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit");

/** A duration in ms that may be missing (null: the phase or reply did not happen). */
export const nullableMs = z.number().finite().nonnegative().nullable();

/**
 * What a sample measures:
 * - `link`: the health of a WAN link itself (its ICMP targets); these samples decide the link's state;
 * - `app`: an application (Một cửa điện tử, the public-service portal …) reached through one link (`link` names it);
 * - `lan`: a device on the site's own network (camera, printer, desk PC); `link` is null.
 */
export const sampleRoleSchema = z.enum(["link", "app", "lan"]);

/** See {@link sampleRoleSchema}. */
export type SampleRole = z.infer<typeof sampleRoleSchema>;

/**
 * Fields every sample has: one probe round of one probe.
 * - `seq`: agent-assigned, strictly increasing per site (kept by the stores as a value, not as the sample's identity).
 * - `ts`: start of the round, UTC milliseconds by the agent's clock.
 * - `probe`: the probe's id (link probes: "icmp:<target>"; apps and LAN devices: their configured id).
 * - `round`/`roundSize`: the round number of the link (or app/device) and how many samples that round has,
 *   so a whole round can be judged (a link round fails when all its samples fail).
 * - `ok`: the target answered as expected; `reason` says why not, in words for an operator.
 */
export const sampleEnvelope = {
  seq: z.number().int().nonnegative(),
  ts: z.number().int().positive(),
  role: sampleRoleSchema,
  link: identifierSchema.nullable(),
  probe: z.string().min(1).max(128),
  target: z.string().min(1).max(2048),
  round: z.number().int().nonnegative(),
  roundSize: z.number().int().positive().max(64),
  ok: z.boolean(),
  reason: z.string().max(500).optional(),
};
