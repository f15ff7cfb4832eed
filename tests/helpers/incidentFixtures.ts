import type { NewIncident } from "../../collector/incidents/incidentStore.js";

/**
 * A new link incident for store and API tests: the VNPT dedicated link `tslcd` (circuit DNI-TSL-000123) down at
 * site `tan-phong` ("Phường Tân Phong"), severity major, key `link:tan-phong:tslcd`, started at 1000 ms and
 * detected at 4000 ms (epoch ms, UTC). `overrides` replace whole fields (a `sites` override replaces the list).
 */
export function linkIncidentFixture(overrides: Partial<NewIncident> = {}): NewIncident {
  return {
    key: "link:tan-phong:tslcd",
    kind: "link",
    cause: "link_down",
    severity: "major",
    provider: "vnpt",
    providerName: "VNPT",
    link: "tslcd",
    linkKind: "dedicated",
    circuit: "DNI-TSL-000123",
    sites: [{ site: "tan-phong", siteName: "Phường Tân Phong", links: ["tslcd"] }],
    summary: "Mất kết nối TSLCD tại Phường Tân Phong",
    evidence: ["Tỷ lệ mất gói 100%"],
    startTs: 1000,
    detectedTs: 4000,
    ...overrides,
  };
}
