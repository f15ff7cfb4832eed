/**
 * The simulated province of `wardwatch demo`: a few dozen simulated sites (simulator/, the same simulated agents as
 * bench/ingest, speaking the real protocol to the real collector over loopback), each with a TSLCD line (VNPT) and an
 * Internet line (Viettel, FPT or VNPT), an hour of history they backfill at start, and the failures of
 * demoSchedule.ts. They are marked as simulated wherever they appear: `simulated: true` in the collector file, "mô
 * phỏng" in their names, ids `mo-phong-NN`. Their samples name documentation addresses only; no probe is sent.
 */
import { PhaseScheduler } from "../../simulator/scheduler.js";
import { SimulatedAgent } from "../../simulator/pushLoop.js";
import { SIMULATED_LINKS, buildSiteModel, linkFailsAt, type SiteModel } from "../../simulator/siteModel.js";
import { TurnPacer } from "../../simulator/turnPacer.js";
import { inRanges, scriptFor, type SiteScript } from "./demoSchedule.js";

/** How many simulated sites the demo runs. */
export const DEMO_SIMULATED_SITES = 36;
/** Their push interval and round period, ms (the agent's default). */
const PUSH_INTERVAL_MS = 10_000;
/** History each site backfills at start, ms. */
const HISTORY_MS = 60 * 60_000;
/** How far ahead the script is laid out, ms (a demo left running for a week keeps failing on schedule). */
const SCRIPT_HORIZON_MS = 7 * 86_400_000;

const INTERNET_PROVIDERS = ["viettel", "fpt", "vnpt"] as const;
/** Commune-level names for the simulated sites, by index (wards then communes). */
const PLACE_NAMES = ["An Bình", "Bình Minh", "Cẩm Thượng", "Đông Hải", "Hòa Phú", "Hưng Lợi", "Long Thạnh", "Minh Khai", "Nam Sơn", "Phú Lâm", "Quang Trung", "Tân Tiến", "Thanh Bình", "Thống Nhất", "Trung Hòa", "Vĩnh Phúc", "Xuân Hòa", "Yên Thế"];
/** Areas (clusters of communes) the sites are grouped in. */
const AREAS = ["Cụm Bắc", "Cụm Nam", "Cụm Đông", "Cụm Tây"];

/** One simulated site of the demo: its model (what it measures and when its links fail), its script and config. */
export interface DemoSite {
  model: SiteModel;
  script: SiteScript;
  name: string;
  area: string;
  inetProvider: string;
}

/** The demo's simulated sites, their script laid out from `originTs` (UTC ms): an hour back, a week ahead. */
export function demoSites(originTs: number, count = DEMO_SIMULATED_SITES): DemoSite[] {
  return Array.from({ length: count }, (_, index) => {
    const inetProvider = INTERNET_PROVIDERS[index % INTERNET_PROVIDERS.length]!;
    const id = `mo-phong-${String(index + 1).padStart(2, "0")}`;
    const model: SiteModel = { ...buildSiteModel(index, 0x5eed), id };
    const script = scriptFor({ index, inetProvider }, count, ["fpt", "viettel"], originTs, originTs - HISTORY_MS, originTs + SCRIPT_HORIZON_MS);
    model.failures.push(...script.failures);
    const kind = index % 3 === 2 ? "Xã" : "Phường";
    const place = PLACE_NAMES[index % PLACE_NAMES.length]!;
    const round = Math.floor(index / PLACE_NAMES.length);
    return { model, script, name: `${kind} ${place}${round > 0 ? ` ${round + 1}` : ""} (mô phỏng)`, area: AREAS[index % AREAS.length]!, inetProvider };
  });
}

/** The `sites:` entries of the collector file for `sites` (indented as list items), marked simulated. */
export function demoSitesYaml(sites: readonly DemoSite[]): string {
  return sites
    .map(
      ({ model, name, area, inetProvider }) => `  - id: ${model.id}
    name: ${JSON.stringify(name)}
    area: ${JSON.stringify(area)}
    simulated: true
    links:
      - { id: tslcd, kind: dedicated, provider: vnpt, circuit: "MP-TSL-${model.id.slice(-2)}", bandwidth_mbps: 200 }
      - { id: inet, kind: internet, provider: ${inetProvider}, circuit: "MP-${inetProvider.toUpperCase()}-${model.id.slice(-2)}", bandwidth_mbps: 100 }`,
    )
    .join("\n");
}

/** The running simulated province. */
export interface RunningProvince {
  /** Stops ticking and waits (at most a few seconds) for pushes under way. */
  stop(): Promise<void>;
}

/**
 * Starts a simulated agent per site pushing to `collectorUrl` with `tokenFor(site)`: each first backfills its hour
 * of history, then records a round period every 10 s, except while its power is off (nothing recorded); while both
 * its links are down it records but cannot push, and sends the backlog once a link is back.
 */
export function startDemoProvince(sites: readonly DemoSite[], collectorUrl: string, tokenFor: (site: string) => string, originTs: number): RunningProvince {
  const pacer = new TurnPacer(2);
  const agents = sites.map(({ model }) => {
    const agent = new SimulatedAgent(model, {
      collectorUrl,
      token: tokenFor(model.id),
      pushIntervalMs: PUSH_INTERVAL_MS,
      batchSize: 500,
      requestTimeoutMs: 15_000,
      minBackoffMs: 1000,
      maxBackoffMs: 60_000,
      now: Date.now,
      random: Math.random,
      upSinceTs: originTs - HISTORY_MS,
      observer: { acknowledged: () => {}, retried: () => {} },
      pacer,
    });
    agent.spool.addBacklog(HISTORY_MS / PUSH_INTERVAL_MS, originTs, PUSH_INTERVAL_MS);
    return agent;
  });
  const targets = agents.map((agent, index) => {
    const { script } = sites[index]!;
    return {
      tick(ts: number): void {
        if (inRanges(script.powerOff, ts)) return;
        // Both links down (scripted so, or two failures that overlap): it measures, but cannot push.
        if (SIMULATED_LINKS.every((link) => linkFailsAt(agent.site, link, ts))) agent.spool.recordPeriod(ts);
        else agent.tick(ts);
      },
    };
  });
  const scheduler = new PhaseScheduler(PUSH_INTERVAL_MS, Date.now);
  for (const agent of agents) agent.start();
  scheduler.start(targets);
  return {
    async stop() {
      scheduler.stop();
      await Promise.all(agents.map((agent) => agent.stop(AbortSignal.timeout(3000))));
    },
  };
}
