/** An incident's reference as people quote it, from its id: "SC-000123" from 123. */
export function incidentNumber(id: number): string {
  return `SC-${String(id).padStart(6, "0")}`;
}
