import { z } from "zod";

/** Identifier of a site, link, application or device: lower-case letters, digits, '-' and '_', 1–64 characters. */
export const identifierSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be 1–64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit");

const nullableMs = z.number().finite().nonnegative().nullable();

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
 * - `seq`: agent-assigned, strictly increasing per site; (site, seq) is unique at the collector.
 * - `ts`: start of the round, UTC milliseconds by the agent's clock.
 * - `probe`: the probe's id (link probes: "icmp:<target>"; apps and LAN devices: their configured id).
 * - `round`/`roundSize`: the round number of the link (or app/device) and how many samples that round has,
 *   so a whole round can be judged (a link round fails when all its samples fail).
 * - `ok`: the target answered as expected; `reason` says why not, in words for an operator.
 */
const envelope = {
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

/**
 * ICMP round: `count` echo requests. rtt statistics in ms (null when no reply): min/avg/max/stddev (population, as
 * iputils' mdev), median and 90th percentile; `jitterMs` is the mean absolute difference of consecutive rtts
 * (RFC 3550 style, unsmoothed); `rFactor` (0–93.2) and `mos` (1–4.5) estimate call quality with the simplified ITU-T
 * G.107 E-model from latency, jitter and loss. `lossPct` 0–100.
 */
export const icmpSampleSchema = z.strictObject({
  ...envelope,
  kind: z.literal("icmp"),
  sent: z.number().int().nonnegative(),
  received: z.number().int().nonnegative(),
  lossPct: z.number().min(0).max(100),
  rttMinMs: nullableMs,
  rttAvgMs: nullableMs,
  rttMaxMs: nullableMs,
  rttStddevMs: nullableMs,
  rttMedianMs: nullableMs.optional(),
  rttP90Ms: nullableMs.optional(),
  jitterMs: nullableMs.optional(),
  rFactor: z.number().min(0).max(100).nullable().optional(),
  mos: z.number().min(1).max(5).nullable().optional(),
});

/** HTTP(S) round: phase times in ms (null when the phase did not happen), status, certificate days left. */
export const httpSampleSchema = z.strictObject({
  ...envelope,
  kind: z.literal("http"),
  statusCode: z.number().int().min(100).max(599).nullable(),
  dnsMs: nullableMs,
  connectMs: nullableMs,
  tlsMs: nullableMs,
  firstByteMs: nullableMs,
  totalMs: nullableMs,
  /** Whole days until the server certificate expires (negative: expired); null for plain HTTP. */
  certDaysLeft: z.number().int().nullable(),
  redirects: z.number().int().nonnegative().max(100),
  bodyBytes: z.number().int().nonnegative().nullable(),
});

/** DNS round: the answer time in ms, the response code and the answers (addresses or names). */
export const dnsSampleSchema = z.strictObject({
  ...envelope,
  kind: z.literal("dns"),
  answerMs: nullableMs,
  rcode: z.string().max(32).nullable(),
  answers: z.array(z.string().max(255)).max(32),
});

/** TCP round: time to complete the TCP handshake, ms. */
export const tcpSampleSchema = z.strictObject({
  ...envelope,
  kind: z.literal("tcp"),
  connectMs: nullableMs,
});

/** One ICMP probe round, see {@link icmpSampleSchema}. */
export type IcmpSample = z.infer<typeof icmpSampleSchema>;
/** One HTTP probe round, see {@link httpSampleSchema}. */
export type HttpSample = z.infer<typeof httpSampleSchema>;
/** One DNS probe round, see {@link dnsSampleSchema}. */
export type DnsSample = z.infer<typeof dnsSampleSchema>;
/** One TCP probe round, see {@link tcpSampleSchema}. */
export type TcpSample = z.infer<typeof tcpSampleSchema>;

/** Every kind of sample an agent may send (a discriminated union on `kind`). */
export const sampleSchema = z.discriminatedUnion("kind", [icmpSampleSchema, httpSampleSchema, dnsSampleSchema, tcpSampleSchema]);

/** A sample of any kind. */
export type Sample = z.infer<typeof sampleSchema>;

/** The sample's main latency in ms: ICMP average rtt, HTTP total time, DNS answer time, TCP connect time. */
export function sampleLatencyMs(sample: Sample): number | null {
  switch (sample.kind) {
    case "icmp":
      return sample.rttAvgMs;
    case "http":
      return sample.totalMs;
    case "dns":
      return sample.answerMs;
    case "tcp":
      return sample.connectMs;
  }
}

/** The sample's loss in %: ICMP's measured loss; for the other kinds 0 when ok, 100 when not. */
export function sampleLossPct(sample: Sample): number {
  return sample.kind === "icmp" ? sample.lossPct : sample.ok ? 0 : 100;
}
