import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { loadCollectorConfig } from "../collector/config.js";
import { loadAgentConfig } from "../agent/config.js";

/**
 * Validates a collector or agent file (told apart by its top-level keys: an agent file has `site`, a collector
 * file `sites`). Returns a one-line summary; throws ConfigError (or Error) naming what is wrong.
 */
export function checkConfigFile(file: string): string {
  let top: unknown = null;
  try {
    top = parse(readFileSync(file, "utf8"));
  } catch {
    // Unreadable or not YAML: the loader below reports it with the file, line and column.
  }
  const isAgent = typeof top === "object" && top !== null && "site" in top && !("sites" in top);
  if (isAgent) {
    const agent = loadAgentConfig(file);
    const probes = agent.links.reduce((n, link) => n + link.probes.length, 0);
    return `${file}: agent configuration for site '${agent.site}' is valid (${agent.links.length} links, ${probes} probes)`;
  }
  const collector = loadCollectorConfig(file);
  const links = collector.sites.reduce((n, site) => n + site.links.length, 0);
  return `${file}: collector configuration for ${collector.province.name} is valid (${collector.sites.length} sites, ${links} links, ${collector.providers.length} providers)`;
}
