import type { AgentSettings } from "../config.js";
import type { SiteMonitors } from "../monitors.js";
import type { ProbeMonitor } from "../probeMonitor.js";
import type { UplinkStatus } from "../uplink/uplink.js";
import type { RoundHistory } from "./roundHistory.js";
import type { AgentStatus, SpoolView } from "./statusModel.js";

/** What the status page is built from: the configuration, the monitors and their history, the spool, the uplink. */
export interface StatusInputs {
  config: AgentSettings;
  monitors: SiteMonitors;
  history: RoundHistory;
  spool: () => SpoolView;
  uplink: () => UplinkStatus;
  now: () => number;
}

function stateOf(monitor: ProbeMonitor) {
  const machine = monitor.current();
  return { state: machine.state, sinceTs: machine.sinceTs || null };
}

/** The agent's status now, for the local page and /status.json. */
export function buildAgentStatus(inputs: StatusInputs): AgentStatus {
  const { config, monitors, history } = inputs;
  const uplink = inputs.uplink();
  return {
    site: config.site,
    siteName: config.siteName,
    generatedAt: inputs.now(),
    links: monitors.links.map(({ link, monitor }) => ({
      id: link.id,
      kind: link.kind,
      provider: link.provider,
      circuit: link.circuit,
      boundTo: link.interface ?? link.source,
      ...stateOf(monitor),
      last: history.last(monitor.id),
      history: history.points(monitor.id),
    })),
    apps: config.apps.map((app) => ({
      id: app.id,
      name: app.name,
      target: app.probe.target,
      paths: monitors.apps
        .filter((entry) => entry.app.id === app.id)
        .map(({ link, monitor }) => ({ link, ...stateOf(monitor), last: history.last(monitor.id) })),
    })),
    lan: monitors.lan.map(({ device, monitor }) => ({
      id: device.id,
      name: device.name,
      target: device.probe.target,
      ...stateOf(monitor),
      last: history.last(monitor.id),
    })),
    spool: inputs.spool(),
    uplink: {
      lastPushOkTs: uplink.lastPushOkTs,
      lastError: uplink.lastError,
      consecutiveFailures: uplink.consecutiveFailures,
      collectorUrl: uplink.collectorUrl,
      viaLink: uplink.viaLink,
    },
  };
}
