/**
 * The simulated country of the steady and backfill benches: N simulated sites (simulator/), a collector file listing
 * all of them, one token each in the collector's store, and one simulated agent per site pushing to that collector.
 */
import { writeBenchCollectorFiles, addSiteTokens, type BenchCollectorFiles } from "./collectorProcess.js";
import { buildSiteModel, type SiteModel } from "../simulator/siteModel.js";
import { AGENT_PUSH_DEFAULTS, SimulatedAgent, type PushObserver } from "../simulator/pushLoop.js";
import { seededRandom } from "../simulator/seededRandom.js";
import { TurnPacer } from "../simulator/turnPacer.js";

/** Batches the simulated agents may build per turn of the bench's event loop. */
const BUILDS_PER_TURN = 4;

/** Seed of every load bench run, so runs send the same values and compare. */
export const LOAD_SEED = 20_251_123;

/** The sites of a load run and the collector files that know them. */
export interface LoadSites {
  models: SiteModel[];
  files: BenchCollectorFiles;
  tokens: Map<string, string>;
}

/** Builds `count` site models, writes the collector file for them (`max_in_flight` as given) and adds their tokens. */
export function prepareLoadSites(dir: string, count: number, maxInFlight: number): LoadSites {
  const models = Array.from({ length: count }, (_, index) => buildSiteModel(index, LOAD_SEED));
  const ids = models.map((model) => model.id);
  const files = writeBenchCollectorFiles(dir, ids, maxInFlight);
  return { models, files, tokens: addSiteTokens(files.dbFile, ids) };
}

/** One simulated agent per site, with the real agent's push defaults (15 s time-out, backoff 1 s – 5 min) and the interval and batch size given. */
export function createLoadAgents(sites: LoadSites, collectorUrl: string, pushIntervalMs: number, batchSize: number, observer: PushObserver): SimulatedAgent[] {
  const upSinceTs = Date.now();
  const pacer = new TurnPacer(BUILDS_PER_TURN);
  return sites.models.map(
    (model, index) =>
      new SimulatedAgent(model, {
        ...AGENT_PUSH_DEFAULTS,
        pushIntervalMs,
        batchSize,
        collectorUrl,
        token: sites.tokens.get(model.id)!,
        now: () => Date.now(),
        random: seededRandom(LOAD_SEED + index),
        upSinceTs,
        observer,
        pacer,
      }),
  );
}
