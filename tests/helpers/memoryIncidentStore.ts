import type { IncidentStore } from "../../collector/incidents/incidentStore.js";
import { SqliteMetadataStore } from "../../collector/store/sqlite.js";

/** The collector's real incident store, in a private in-memory SQLite database: dispatcher tests use real persistence. */
export function memoryIncidentStore(): IncidentStore {
  return SqliteMetadataStore.open(":memory:").incidents;
}
