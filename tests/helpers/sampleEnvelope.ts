/** A sample envelope for mapping tests: what the scheduler adds around a kind's fields (see agent/scheduledProbes.ts). */
export function withEnvelope<Fields extends object>(fields: Fields, ok: boolean, reason?: string) {
  return { seq: 1, ts: 1_700_000_000_000, role: "link" as const, link: "tslcd", probe: "probe", target: "target", round: 1, roundSize: 1, ok, ...(reason ? { reason } : {}), ...fields };
}
