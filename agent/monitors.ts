import type { AgentSettings } from "./config.js";
import type { ProbeBinding } from "./probes/probe.js";
import type { ProbeConfig } from "./probes/registry.js";
import { ProbeMonitor, type ProbeMonitorDeps, type ScheduledProbe } from "./probeMonitor.js";
import { scheduleProbe, type ProbePlacement, type RoundProbes } from "./scheduledProbes.js";
import { linkProbeIds } from "../config/probeIds.js";

/** The agent's monitors: one per WAN link, one per (application, link) path, one per LAN device. */
export interface SiteMonitors {
  links: Array<{ link: AgentSettings["links"][number]; monitor: ProbeMonitor }>;
  apps: Array<{ app: AgentSettings["apps"][number]; link: string; monitor: ProbeMonitor }>;
  lan: Array<{ device: AgentSettings["lan"][number]; monitor: ProbeMonitor }>;
}

/** Every monitor of the site, in one list. */
export function allMonitors(monitors: SiteMonitors): ProbeMonitor[] {
  return [...monitors.links, ...monitors.apps, ...monitors.lan].map((entry) => entry.monitor);
}

/** How probes of `linkId` are bound (its interface or source address). */
export function bindingOf(config: AgentSettings, linkId: string): ProbeBinding {
  const link = config.links.find((l) => l.id === linkId);
  return { interface: link?.interface ?? null, source: link?.source ?? null };
}

/**
 * Builds (but does not start) every monitor the configuration asks for. Every probe runs its rounds through its
 * kind's probe in `roundProbes` (one for the whole agent, so that, e.g., the ICMP targets a round starts together
 * share one fping).
 */
export function buildMonitors(config: AgentSettings, deps: ProbeMonitorDeps, roundProbes: RoundProbes): SiteMonitors {
  const schedule = (probe: ProbeConfig, placement: ProbePlacement): ScheduledProbe => scheduleProbe(probe, placement, roundProbes);
  return {
    links: config.links.map((link) => ({
      link,
      monitor: new ProbeMonitor(
        link.id,
        linkProbeIds(link.probes).map((probeId, i) => schedule(link.probes[i]!, { role: "link", link: link.id, probeId, bindTo: bindingOf(config, link.id) })),
        deps,
      ),
    })),
    apps: config.apps.flatMap((app) =>
      app.via.map((linkId) => ({
        app,
        link: linkId,
        monitor: new ProbeMonitor(`app:${app.id}@${linkId}`, [schedule(app.probe, { role: "app", link: linkId, probeId: app.id, bindTo: bindingOf(config, linkId) })], deps),
      })),
    ),
    lan: config.lan.map((device) => ({
      device,
      monitor: new ProbeMonitor(`lan:${device.id}`, [schedule(device.probe, { role: "lan", link: null, probeId: device.id, bindTo: { interface: null, source: null } })], deps),
    })),
  };
}
