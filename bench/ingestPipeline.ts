/**
 * The collector's ingest pipeline in one process, without HTTP: the same stages the ingest route runs (the token
 * check against the store, gunzip, JSON parse, zod validation, the site checks, the clock, the store's idempotent
 * writes, the state engine, then saving the judged link states and the site's contact), built from
 * the collector's own functions, timed stage by stage over real-shaped batches of the simulated sites. Beside the
 * HTTP figure it shows what the HTTP path costs on top of the work itself.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { loadCollectorConfig } from "../collector/config.js";
import { fitBatch } from "../collector/ingest/fitBatch.js";
import { judgeBatch } from "../collector/ingest/judgeBatch.js";
import { parseBatch } from "../collector/ingest/parseBatch.js";
import { StateEngine } from "../collector/state/stateEngine.js";
import { SqliteMetadataStore } from "../collector/store/sqlite.js";
import { SqliteSampleStore } from "../collector/store/samples/sqlite.js";
import { StoreBreaker } from "../collector/health/storeBreaker.js";
import { writeBatch } from "../collector/ingest/writeBatch.js";
import { createLogger } from "../config/logger.js";
import { batchBody, buildBatch, linkSnapshot } from "../simulator/batchBuilder.js";
import { SimulatedSpool } from "../simulator/siteSpool.js";
import type { SiteModel } from "../simulator/siteModel.js";
import { addSiteTokens, writeBenchCollectorFiles } from "./collectorProcess.js";
import { authenticatePush } from "../collector/ingest/authenticate.js";

/** The pipeline's stages, in order. */
export const PIPELINE_STAGES = ["authenticate", "gunzip", "json parse", "validate (zod)", "site checks", "store write", "state engine", "save state"] as const;

/** One pipeline run: batches and samples through it, CPU of this process and wall time per stage, ms. */
export interface PipelineFigures {
  batches: number;
  samples: number;
  cpuMs: number;
  wallMs: number;
  stageMs: Record<(typeof PIPELINE_STAGES)[number], number>;
}

/** One push: its site and its gzipped JSON body. */
export interface LiveBody {
  site: string;
  body: Buffer;
}

/**
 * Live batches as the simulated sites push them: `rounds` round periods per site, one batch per period, round by
 * round across the sites (the order they arrive in), gzipped JSON.
 */
export function buildLiveBodies(models: readonly SiteModel[], rounds: number, intervalMs: number): LiveBody[] {
  const spools = models.map((model) => new SimulatedSpool(model));
  const start = Date.now() - rounds * intervalMs;
  const bodies: LiveBody[] = [];
  for (let round = 0; round < rounds; round++) {
    const ts = start + round * intervalMs;
    models.forEach((model, i) => {
      const spool = spools[i]!;
      spool.recordPeriod(ts);
      const samples = spool.readPending(Number.MAX_SAFE_INTEGER);
      const batch = buildBatch(model, samples, { sentAt: ts + 1500, pushIntervalMs: intervalMs, spool: spool.stats(), snapshot: linkSnapshot(model, ts, start) });
      bodies.push({ site: model.id, body: batchBody(batch) });
      spool.ack(samples.at(-1)!.seq);
    });
  }
  return bodies;
}

/**
 * Runs `bodies` through the pipeline into a new metadata store at `dbFile` and a new SQLite sample store at
 * `samplesFile` (the write stage itself, writeBatch.ts, through both breakers), with the sites and settings of the
 * collector file `configFile`. Every batch must be accepted: a batch the pipeline refuses throws, naming it.
 */
export async function runIngestPipeline(configFile: string, dbFile: string, samplesFile: string, bodies: readonly LiveBody[]): Promise<PipelineFigures> {
  const config = loadCollectorConfig(configFile);
  const authorization = new Map([...addSiteTokens(dbFile, config.sites.map((site) => site.id))].map(([site, token]) => [site, `Bearer ${token}`]));
  const sitesById = new Map(config.sites.map((site) => [site.id, site]));
  const store = SqliteMetadataStore.open(dbFile);
  const sampleStore = SqliteSampleStore.open(samplesFile, { rawRetentionMs: 30 * 86_400_000, rollupRetentionMs: 400 * 86_400_000, retentionChunkRows: 2000 }, Date.now);
  const breakerOf = (probe: (nowMs: number) => void | Promise<void>, isUnavailable: (err: unknown) => boolean) =>
    new StoreBreaker({ probe, isUnavailable, policy: { probeIntervalMs: 1000, outageAfterMs: 30_000 }, now: Date.now, logger: createLogger("error", "bench") });
  const stores = {
    samples: sampleStore,
    sampleBreaker: breakerOf((nowMs) => sampleStore.probe(nowMs), (err) => sampleStore.isUnavailableError(err)),
    metadata: store,
    metadataBreaker: breakerOf((nowMs) => store.probeWrite(nowMs), (err) => store.isUnavailableError(err)),
  };
  const engine = new StateEngine(config.sites, config.linkPolicy, config.silentAfterPushes, { links: [], contacts: [] });
  const stageMs = Object.fromEntries(PIPELINE_STAGES.map((stage) => [stage, 0])) as PipelineFigures["stageMs"];
  let samples = 0;
  let mark = 0;
  const lap = (stage: (typeof PIPELINE_STAGES)[number]): void => {
    const now = performance.now();
    stageMs[stage] += now - mark;
    mark = now;
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    for (const [index, { site, body }] of bodies.entries()) {
      mark = performance.now();
      const auth = authenticatePush(authorization.get(site), store);
      if (auth.kind !== "site") throw new Error(`pipeline batch ${index}: token not taken (${auth.kind})`);
      lap("authenticate");
      const json = gunzipSync(body).toString("utf8");
      lap("gunzip");
      const raw: unknown = JSON.parse(json);
      lap("json parse");
      const parsed = parseBatch(raw);
      if ("problem" in parsed) throw new Error(`pipeline batch ${index}: ${parsed.problem.error}: ${parsed.problem.message}`);
      lap("validate (zod)");
      const { envelope } = parsed.batch;
      const fitted = fitBatch(parsed.batch, auth.site, sitesById.get(envelope.site), config.ingest, envelope.sentAt, { correctionMs: engine.contact(envelope.site)?.clockCorrectionMs ?? 0, recentOffsetsMs: [] });
      if ("problem" in fitted) throw new Error(`pipeline batch ${index}: ${fitted.problem.error}: ${fitted.problem.message}`);
      const batch = fitted.batch;
      if (batch.refused.length > 0) throw new Error(`pipeline batch ${index}: ${batch.refused.length} records refused: ${batch.refused[0]!.message}`);
      lap("site checks");
      const written = await writeBatch(batch, stores);
      if (written.kind !== "written") throw new Error(`pipeline batch ${index}: not stored (${written.kind})`);
      lap("store write");
      judgeBatch(batch, engine);
      lap("state engine");
      const contact = engine.contact(auth.site);
      stores.metadataBreaker.write(() => store.saveSiteState(engine.takeDirty(), contact ? [contact] : []));
      lap("save state");
      samples += batch.samples.length;
    }
  } finally {
    store.close();
    await sampleStore.close();
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { batches: bodies.length, samples, cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - started, stageMs };
}

/**
 * {@link runIngestPipeline} over {@link buildLiveBodies} of `models` (`rounds` batches per site), in a temp dir of its
 * own (a collector file for the same sites, a new SQLite file), removed afterwards.
 */
export async function measureIngestPipeline(models: readonly SiteModel[], rounds: number, intervalMs: number): Promise<PipelineFigures> {
  const dir = mkdtempSync(join(tmpdir(), "wardwatch-bench-pipeline-"));
  try {
    const files = writeBenchCollectorFiles(dir, models.map((m) => m.id), 64);
    return await runIngestPipeline(files.configFile, files.dbFile, files.samplesFile, buildLiveBodies(models, rounds, intervalMs));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
