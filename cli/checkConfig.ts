import { loadCollectorConfig } from "../collector/config.js";
import { loadAgentConfig, type AgentSettings } from "../agent/config.js";
import { loadWorkingCalendar } from "../config/calendar/workingCalendar.js";
import type { CollectorConfig } from "../config/collectorSchema.js";
import { ConfigError, formatKeyPath, locateInYamlText, readConfigText, topLevelKeys, type ConfigProblem } from "../config/loader.js";

/**
 * Whether `file` is an agent file (it has `site`, a collector file `sites`). Throws ConfigError "file: cannot read: …"
 * when it cannot be read, so that an unreadable file is never taken for the other kind.
 */
function isAgentFile(file: string): boolean {
  const keys = topLevelKeys(readConfigText(file));
  return keys.includes("site") && !keys.includes("sites");
}

/**
 * What the collector of `collector` would refuse from the agent of `agent` (read from `agentFile`): a site it does
 * not know, or a link of that site it does not know (samples, snapshots and events naming it are refused with
 * `unknown_link`). Each problem names the agent file's line.
 */
export function agentAgainstCollector(agentFile: string, agent: AgentSettings, collectorFile: string, collector: CollectorConfig): ConfigProblem[] {
  const text = readConfigText(agentFile);
  const at = (path: (string | number)[], message: string): ConfigProblem => ({ file: agentFile, ...locateInYamlText(text, path), key: formatKeyPath(path), message });
  const site = collector.sites.find((s) => s.id === agent.site);
  if (!site) return [at(["site"], `site '${agent.site}' is not in ${collectorFile} (its sites: ${collector.sites.map((s) => s.id).join(", ")})`)];
  const known = site.links.map((l) => l.id);
  return agent.links.flatMap((link, i) =>
    known.includes(link.id) ? [] : [at(["links", i, "id"], `link '${link.id}' is not a link of site '${site.id}' in ${collectorFile} (its links: ${known.join(", ")}); the collector would refuse its samples`)],
  );
}

/**
 * Validates a collector or agent file (told apart by its top-level keys: an agent file has `site`, a collector
 * file `sites`). With `collectorFile`, `file` must be an agent file and is also checked against that collector file
 * (see {@link agentAgainstCollector}). Returns a one-line summary; throws ConfigError (or Error) naming what is wrong.
 */
export function checkConfigFile(file: string, collectorFile?: string): string {
  if (isAgentFile(file)) {
    const agent = loadAgentConfig(file);
    const probes = agent.links.reduce((n, link) => n + link.probes.length, 0);
    const summary = `${file}: agent configuration for site '${agent.site}' is valid (${agent.links.length} links, ${probes} probes)`;
    if (collectorFile === undefined) return summary;
    const collector = loadCollectorConfig(collectorFile);
    const problems = agentAgainstCollector(file, agent, collectorFile, collector);
    if (problems.length > 0) throw new ConfigError(problems);
    const unprobed = collector.sites.find((s) => s.id === agent.site)!.links.filter((l) => !agent.links.some((a) => a.id === l.id));
    const note = unprobed.length === 0 ? "" : `; not probed by this agent: ${unprobed.map((l) => l.id).join(", ")}`;
    return `${summary}, and matches ${collectorFile} (site and links known${note})`;
  }
  if (collectorFile !== undefined) {
    throw new ConfigError([{ file, line: null, column: null, key: "", message: "--collector checks an agent file against a collector file: give the agent file first" }]);
  }
  const collector = loadCollectorConfig(file);
  // The holiday file is read when the collector starts: a mistake in it is this file's mistake too.
  loadWorkingCalendar({ schedule: collector.officeHours, timeZone: collector.province.timezone, holidaysFile: collector.calendar.holidaysFile });
  const links = collector.sites.reduce((n, site) => n + site.links.length, 0);
  return `${file}: collector configuration for ${collector.province.name} is valid (${collector.sites.length} sites, ${links} links, ${collector.providers.length} providers)`;
}
