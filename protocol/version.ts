/** Version of the agent ↔ collector wire contract. The collector rejects batches of another major version. */
export const PROTOCOL_VERSION = 1;
