import type { Logger } from "../config/logger.js";
import type { AgentSettings } from "./config.js";
import { allMonitors, buildMonitors, type SiteMonitors } from "./monitors.js";
import type { ProbeMonitorDeps } from "./probeMonitor.js";
import { FailoverManager } from "./connectivity/failoverManager.js";
import { RoundProbes } from "./scheduledProbes.js";
import { RoundHistory } from "./status/roundHistory.js";
import { RECENT_REFUSED_SHOWN, refusedView } from "./status/refusedView.js";
import { buildAgentStatus } from "./status/buildStatus.js";
import { startStatusServer } from "./status/statusServer.js";
import type { AgentStatus } from "./status/statusModel.js";
import { RefusedRecordStore } from "./spool/refusedRecords.js";
import { Spool } from "./spool/spool.js";
import { parseSpooledBody, type SpooledItem } from "./spool/spooledRecord.js";
import { Uplink } from "./uplink/uplink.js";

/** What a running agent offers its owner. */
export interface RunningAgent {
  monitors: SiteMonitors;
  failover: FailoverManager;
  /** The status the local page shows, now. */
  status(): AgentStatus;
  /** The local status page's address, when `status_listen` is set. */
  statusUrl: string | null;
  uplink: Uplink;
  spool: Spool<SpooledItem>;
  /** Records the collector refused, set aside. */
  refused: RefusedRecordStore;
  /** Stops probing and pushing (what is unsent stays in the spool) and closes the spool. */
  close(): Promise<void>;
}

/** Everything the agent is built from. */
export interface AgentDeps {
  config: AgentSettings;
  token: string;
  logger: Logger;
  now: () => number;
  agentVersion: string;
}

/** Least time between push retries, ms (DESIGN: backoff from 1 s). */
const MIN_BACKOFF_MS = 1000;

/** Builds and starts the agent: one round loop per link, the spool, the uplink. */
export async function startAgent(deps: AgentDeps): Promise<RunningAgent> {
  const { config, logger, now } = deps;
  const spool = Spool.open({ dir: config.spoolDir, maxBytes: config.spoolMaxBytes, segmentBytes: config.spoolSegmentBytes, logger, parseBody: parseSpooledBody });
  const refused = RefusedRecordStore.open({ dir: config.spoolDir, logger });
  let uplink: Uplink | null = null;
  const store = (bodies: unknown[]): void => {
    try {
      spool.append(bodies);
    } catch (err) {
      // A full or failing disk: the round is lost (and logged), probing goes on.
      logger.error("spool append failed", { records: bodies.length, err });
      return;
    }
    uplink?.notify();
  };
  const history = new RoundHistory();
  // One per agent: each kind's round probe is shared by its probes (ICMP batches a round's targets into one fping).
  const roundProbes = new RoundProbes({ logger });
  const monitorDeps: ProbeMonitorDeps = {
    policy: config.linkPolicy,
    retryIntervalMs: config.retryIntervalMs,
    logger,
    now,
    record: store,
    onStateChange: (monitorId) => {
      if (config.links.some((link) => link.id === monitorId)) uplink?.pushSoon();
    },
    onRound: (id, round, samples) =>
      history.add(id, { ts: round.ts, ok: round.ok, latencyMs: round.rttMs, lossPct: round.lossPct ?? 0, reason: samples.find((s) => !s.ok)?.reason ?? null }),
  };
  const monitors = buildMonitors(config, monitorDeps, roundProbes);
  const failover = new FailoverManager({
    site: config.site,
    connectivity: config.connectivity,
    links: config.links,
    conditions: () => new Map(monitors.links.map(({ link, monitor }) => [link.id, { state: monitor.current().state, sinceTs: monitor.current().sinceTs }])),
    logger,
    now,
    record: (event) => store([{ event }]),
  });
  uplink = new Uplink({
    site: config.site,
    agentVersion: deps.agentVersion,
    urls: config.collector.urls,
    token: deps.token,
    pushIntervalMs: config.collector.pushIntervalMs,
    batchSize: config.collector.batchSize,
    requestTimeoutMs: config.collector.requestTimeoutMs,
    minBackoffMs: MIN_BACKOFF_MS,
    maxBackoffMs: config.collector.maxBackoffMs,
    spool,
    refused,
    snapshot: () => monitors.links.map(({ monitor }) => monitor.snapshot()),
    pushLinks: () =>
      monitors.links
        .filter(({ link }) => link.interface || link.source)
        .map(({ link, monitor }) => ({ id: link.id, binding: { interface: link.interface, source: link.source }, state: monitor.current().state })),
    logger,
    now,
  });
  const status = (): AgentStatus =>
    buildAgentStatus({
      config,
      monitors,
      history,
      spool: () => {
        const { pendingRecords, droppedRecords, bytes } = spool.stats();
        return { pendingRecords, droppedRecords, bytes, refusedRecords: refused.total(), recentRefused: refused.recent(RECENT_REFUSED_SHOWN).map(refusedView) };
      },
      uplink: () => uplink!.status(),
      now,
    });
  const statusServer = config.statusListen
    ? await startStatusServer({ host: config.statusListen.host, port: config.statusListen.port, source: status, logger })
    : null;
  if (statusServer) logger.info("status page listening", { url: statusServer.url });
  for (const monitor of allMonitors(monitors)) monitor.start();
  if (config.connectivity.groups.length > 0) failover.start();
  uplink.start();
  logger.info("agent started", { site: config.site, links: config.links.map((l) => l.id), collector: config.collector.urls });

  return {
    monitors,
    failover,
    status,
    statusUrl: statusServer?.url ?? null,
    uplink,
    spool,
    refused,
    async close() {
      await Promise.all(allMonitors(monitors).map((monitor) => monitor.stop()));
      await failover.stop();
      await statusServer?.close();
      await uplink.stop();
      spool.close();
      logger.info("agent stopped", { pending: spool.stats().pendingRecords });
    },
  };
}
