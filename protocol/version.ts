/** Version of the agent ↔ collector wire contract this build sends. */
export const PROTOCOL_VERSION = 2;

/**
 * The versions the collector accepts: the current one and the previous one, so agents can be upgraded site by site.
 * Version 2 added per-record refusal (an accepted batch's answer lists the records the collector could not take, which
 * the agent sets aside instead of resending) and the spool's count of records set aside.
 */
export const ACCEPTED_PROTOCOL_VERSIONS = [1, 2] as const;

/** A version the collector accepts. */
export type ProtocolVersion = (typeof ACCEPTED_PROTOCOL_VERSIONS)[number];
