import express, { Router, type NextFunction, type Request, type Response } from "express";
import type { CollectorConfig } from "../../config/collectorSchema.js";
import { formatKeyPath } from "../../config/loader.js";
import type { Logger } from "../../config/logger.js";
import { ingestBatchSchema, type IngestAccepted, type IngestBatch } from "../../protocol/ingest.js";
import { hashToken, parseBearer } from "../auth/tokens.js";
import { readAgentClock } from "../ingest/clockOffset.js";
import { checkBatchFits, toStoredEvents, toStoredSamples } from "../ingest/ingestBatch.js";
import { STORE_RETRY_AFTER_S, StoreUnavailableError, type StoreBreaker } from "../health/storeBreaker.js";
import type { CollectorMetrics } from "../metrics.js";
import type { LinkChange, StateEngine } from "../state/stateEngine.js";
import type { Store } from "../store/store.js";
import { sendError } from "./httpErrors.js";

/** What the ingest route needs. `now` is the collector's clock (UTC ms). */
export interface IngestDeps {
  config: CollectorConfig;
  store: Store;
  /** The store breaker: batches are written through it, and refused at once while the store is failing. */
  breaker: Pick<StoreBreaker, "writable" | "write">;
  engine: StateEngine;
  metrics: CollectorMetrics;
  logger: Logger;
  now: () => number;
  /** Called after a batch was stored and judged, with the link changes it caused (possibly none). */
  onSiteUpdated: (site: string, changes: LinkChange[]) => void;
}

type AuthedRequest = Request & { tokenSite?: string };

/**
 * POST /ingest: authenticate (before reading the body; a read, which a store that refuses writes still answers), then
 * refuse at once while the store is failing (503 + Retry-After, no write attempted), limit concurrency (429), parse
 * gzip/JSON with a size limit, validate against the protocol, store idempotently, then judge states. Every refusal
 * is a JSON error naming the problem.
 *
 * A batch refused for the store's sake (503 `store_unavailable`: the store is failing, or cannot even be read to check
 * the token) is not acknowledged: the agent keeps it in its spool and sends it again, so nothing is lost (and the
 * write being idempotent, nothing is doubled). An authenticated push refused so still counts as contact, so a store
 * outage does not make every site `silent`. A write that fails for another reason (a bug, a constraint the batch
 * breaks) is 500 `internal`: the store is fine, and telling the agent to keep resending that batch would not help.
 */
export function ingestRouter(deps: IngestDeps): Router {
  const { config, store, breaker, engine, metrics, logger, now } = deps;
  const router = Router();
  let inFlight = 0;
  /** Token checks are failing because the store cannot be read: logged once, until one succeeds again. */
  let tokenReadsFailing = false;

  const reject = (res: Response, status: number, error: string, message: string): void => {
    metrics.ingestRejects.inc({ reason: error });
    metrics.ingestBatches.inc({ result: "rejected" });
    sendError(res, status, error, message);
  };

  /** 503 for a batch the store cannot take now; the agent was heard from, so its site is not silent. */
  const refuseForStore = (res: Response, site: string | null): void => {
    const contact = site ? engine.contact(site) : null;
    if (contact) engine.recordContact({ ...contact, lastSeenTs: now() });
    res.setHeader("Retry-After", String(STORE_RETRY_AFTER_S));
    reject(res, 503, "store_unavailable", "the collector cannot store batches now; keep them and retry later");
  };

  const authenticate = (req: AuthedRequest, res: Response, next: NextFunction): void => {
    if (!req.headers.authorization) return reject(res, 401, "missing_token", "Authorization: Bearer <site token> is required");
    const token = parseBearer(req.headers.authorization);
    let site: string | null = null;
    try {
      site = token ? store.siteForTokenHash(hashToken(token)) : null;
    } catch (err) {
      if (!store.isUnavailableError(err)) throw err; // a bug: the error handler answers 500
      if (!tokenReadsFailing) logger.error("ingest tokens cannot be checked: the store cannot be read; pushes refused with 503", { err });
      tokenReadsFailing = true;
      return refuseForStore(res, null);
    }
    tokenReadsFailing = false;
    if (!site) return reject(res, 401, "invalid_token", "the bearer token is not a known site token");
    req.tokenSite = site;
    next();
  };

  const failFast = (req: AuthedRequest, res: Response, next: NextFunction): void => {
    if (breaker.writable) return next();
    refuseForStore(res, req.tokenSite ?? null);
  };

  const limitConcurrency = (_req: Request, res: Response, next: NextFunction): void => {
    if (inFlight >= config.ingest.maxInFlight) {
      res.setHeader("Retry-After", "1");
      return reject(res, 429, "busy", `the collector is handling ${inFlight} batches; retry later`);
    }
    inFlight++;
    metrics.ingestInFlight.set(inFlight);
    res.on("close", () => {
      inFlight--;
      metrics.ingestInFlight.set(inFlight);
    });
    next();
  };

  const parseBody = express.json({ limit: config.ingest.maxBodyBytes, inflate: true, strict: true, type: () => true });

  router.post("/ingest", authenticate, failFast, limitConcurrency, parseBody, (req: AuthedRequest, res: Response) => {
    const parsed = ingestBatchSchema.safeParse(req.body);
    if (!parsed.success) {
      const problems = parsed.error.issues.slice(0, 5).map((issue) => `${formatKeyPath(issue.path) || "(body)"}: ${issue.message}`);
      return reject(res, 400, "invalid_batch", problems.join("; "));
    }
    const batch = parsed.data;
    const siteConfig = config.sites.find((site) => site.id === batch.site);
    const problem = checkBatchFits(batch, req.tokenSite!, siteConfig);
    if (problem) return reject(res, problem.status, problem.error, problem.message);

    const receivedAt = now();
    const clock = readAgentClock(batch.sentAt, receivedAt, config.ingest.clockSkewToleranceMs);
    const stored = toStoredSamples(batch, clock.correctionMs);
    let written;
    let writtenEvents;
    try {
      ({ written, writtenEvents } = breaker.write(() => ({
        written: store.writeSamples(stored),
        writtenEvents: store.writeEvents(toStoredEvents(batch, clock.correctionMs)),
      })));
    } catch (err) {
      // A store failure opened the breaker, which logged it once, or was refused by it without touching the store.
      if (err instanceof StoreUnavailableError || store.isUnavailableError(err)) return refuseForStore(res, batch.site);
      logger.error("batch not stored: the write failed", { site: batch.site, err });
      return reject(res, 500, "internal", "the collector failed to store this batch");
    }
    metrics.ingestSamples.inc({ result: "inserted" }, written.inserted);
    metrics.ingestSamples.inc({ result: "duplicate" }, written.duplicates);

    const records = batch.samples.length + (batch.events?.length ?? 0);
    const wasSilentOrNew = ["silent", "unknown"].includes(engine.siteState(siteConfig!, receivedAt));
    const previous = engine.contact(batch.site);
    engine.recordContact({
      site: batch.site,
      lastSeenTs: receivedAt,
      clockOffsetMs: clock.offsetMs,
      pushIntervalMs: batch.pushIntervalMs,
      // The agent counts this batch's own records as pending (they are not acknowledged when it sends them); once
      // the batch is stored, the backlog still to come is the rest. Otherwise a backfill would never look complete.
      pendingRecords: Math.max(0, batch.spool.pendingRecords - records),
      droppedRecords: batch.spool.droppedRecords,
      lastSeq: lastSeqOf(batch) ?? previous?.lastSeq ?? 0,
      viaLink: batch.viaLink ?? null,
      clockCorrectionMs: clock.correctionMs,
      refusedRecords: previous?.refusedRecords ?? 0,
      agentRefusedRecords: batch.spool.refusedRecords ?? null,
    });
    if (clock.skewed && !previous) logger.warn("agent clock is off", { site: batch.site, offsetMs: clock.offsetMs });
    const changes = wasSilentOrNew && batch.snapshot ? engine.adoptSnapshot(batch.site, batch.snapshot, batch.sentAt + clock.correctionMs, clock.correctionMs) : [];
    changes.push(...engine.observe(batch.site, stored));
    deps.onSiteUpdated(batch.site, changes);

    if (records > 0 && written.inserted + writtenEvents.inserted === 0) {
      metrics.ingestBatches.inc({ result: "replay" });
      sendError(res, 409, "replay", `all ${records} records of the batch are already stored`);
      return;
    }
    metrics.ingestBatches.inc({ result: "accepted" });
    const body: IngestAccepted = {
      accepted: written.inserted + writtenEvents.inserted,
      duplicates: written.duplicates + writtenEvents.duplicates,
      lastSeq: lastSeqOf(batch),
      clockOffsetMs: clock.offsetMs,
      refused: [],
    };
    res.json(body);
  });
  return router;
}

/** The highest seq in the batch (samples and events), or null for an empty batch. */
function lastSeqOf(batch: IngestBatch): number | null {
  const last = Math.max(batch.samples.at(-1)?.seq ?? -1, batch.events?.at(-1)?.seq ?? -1);
  return last >= 0 ? last : null;
}
