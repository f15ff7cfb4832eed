import type { Notification, SiteDetail } from "../notification.js";
import type { Block, Field } from "./document.js";
import { formatCoordinates, geoUri } from "./formatting.js";
import { WORDING, type MessageLanguage } from "./wording.js";

/** One site of an incident with what a technician going there needs. */
interface AffectedSite {
  name: string;
  address: string | null;
  location: { lat: number; lon: number } | null;
  contacts: string[];
  /** The incident's links here, each with its circuit ID when configured: "tslcd (DNI-TSL-000123)". */
  links: string[];
}

function linksWithCircuits(links: readonly string[], detail: SiteDetail | undefined): string[] {
  return links.map((link) => {
    const circuit = detail?.circuits.find((c) => c.link === link)?.circuit;
    return circuit ? `${link} (${circuit})` : link;
  });
}

/**
 * The incident's sites, in the incident's order, joined with their configured details by site id (a site without
 * details keeps its name from the incident), then any detailed site the incident does not list.
 */
function affectedSites(notification: Notification): AffectedSite[] {
  const details = new Map(notification.siteDetails.map((detail) => [detail.site, detail]));
  const sites = notification.incident.sites.map((site): AffectedSite => {
    const detail = details.get(site.site);
    details.delete(site.site);
    return { name: detail?.name ?? site.siteName, address: detail?.address ?? null, location: detail?.location ?? null, contacts: detail?.contacts ?? [], links: linksWithCircuits(site.links, detail) };
  });
  for (const detail of details.values()) sites.push({ name: detail.name, address: detail.address, location: detail.location, contacts: detail.contacts, links: linksWithCircuits(detail.circuits.map((c) => c.link), detail) });
  return sites;
}

/**
 * Where the incident is: for one site, labelled fields (name, address, coordinates with a map link, ward IT
 * contacts); for several (a provider-wide outage), a numbered table listing every site. Absent details show "—".
 */
export function siteBlocks(notification: Notification, language: MessageLanguage): { fields: Field[]; blocks: Block[] } {
  const words = WORDING[language];
  const sites = affectedSites(notification);
  const coordinates = (site: AffectedSite): string => (site.location ? formatCoordinates(site.location) : words.notGiven);
  const contacts = (site: AffectedSite): string => (site.contacts.length > 0 ? site.contacts.join("; ") : words.notGiven);

  const only = sites.length === 1 ? sites[0] : undefined;
  if (only) {
    const fields: Field[] = [
      { label: words.site, value: only.name },
      { label: words.address, value: only.address ?? words.notGiven },
      only.location ? { label: words.coordinates, value: coordinates(only), href: geoUri(only.location) } : { label: words.coordinates, value: words.notGiven },
      { label: words.contacts, value: contacts(only) },
    ];
    return { fields, blocks: [] };
  }
  if (sites.length === 0) return { fields: [], blocks: [] };
  return {
    fields: [],
    blocks: [
      {
        kind: "table",
        heading: `${words.sites} (${sites.length})`,
        numberColumn: words.rowNumber,
        titleColumn: words.site,
        columns: [words.address, words.coordinates, words.contacts, words.links],
        rows: sites.map((site) => ({
          title: site.name,
          cells: [site.address ?? words.notGiven, coordinates(site), contacts(site), site.links.length > 0 ? site.links.join(", ") : words.notGiven],
        })),
      },
    ],
  };
}
