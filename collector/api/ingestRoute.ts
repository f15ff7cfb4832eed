import { Router, type NextFunction, type Request, type Response } from "express";
import type { CollectorConfig } from "../../config/collectorSchema.js";
import type { Logger } from "../../config/logger.js";
import { STORE_RETRY_AFTER_S, type StoreBreaker } from "../health/storeBreaker.js";
import { authenticatePush } from "../ingest/authenticate.js";
import { bodyDeadline } from "../ingest/bodyDeadline.js";
import { ClockOffsetWindows } from "../ingest/clockOffset.js";
import { fitBatch } from "../ingest/fitBatch.js";
import { eventLoopUtilizationMeter } from "../ingest/backfillGovernor.js";
import { IngestSlots, type PushKind } from "../ingest/ingestSlots.js";
import { judgeBatch } from "../ingest/judgeBatch.js";
import { parseBatch, type ParsedBatch } from "../ingest/parseBatch.js";
import { publishBatch } from "../ingest/publishBatch.js";
import { SiteQueues } from "../ingest/siteQueues.js";
import { writeBatch } from "../ingest/writeBatch.js";
import type { CollectorMetrics } from "../metrics.js";
import type { LinkChange, StateEngine } from "../state/stateEngine.js";
import type { SampleStore } from "../store/samples/sampleStore.js";
import type { MetadataStore } from "../store/store.js";
import { BACKLOG_HEADER, backlogHeaderSchema } from "../../protocol/ingest.js";
import { readJsonBody } from "../ingest/readJsonBody.js";
import { bodyReadProblem, sendError, sendJson } from "./httpErrors.js";

/** What the ingest route needs. `now` is the collector's clock (UTC ms). */
export interface IngestDeps {
  config: CollectorConfig;
  /** The metadata store: tokens, events. */
  store: MetadataStore;
  /** The metadata store's breaker: events are written through it, and batches refused at once while it is failing. */
  breaker: Pick<StoreBreaker, "writable" | "write">;
  /** Where samples go. */
  sampleStore: Pick<SampleStore, "write" | "isUnavailableError">;
  /** The sample store's breaker: samples are written through it (awaited), and batches refused at once while it is failing. */
  sampleBreaker: Pick<StoreBreaker, "writable" | "writeAsync">;
  engine: StateEngine;
  metrics: CollectorMetrics;
  logger: Logger;
  now: () => number;
  /** Called after a batch was stored and judged, with the link changes it caused (possibly none). */
  onSiteUpdated: (site: string, changes: LinkChange[]) => void;
}

/** A push as the ingest stages see it: its site once authenticated, and when it arrived (UTC ms, collector clock). */
type AuthedRequest = Request & { tokenSite?: string; arrivedAt?: number };

/**
 * POST /ingest, the ingest pipeline's HTTP face. Its stages, each in collector/ingest/: **authenticate** (before the
 * body is read; a read, which a store that refuses writes still answers), then refuse at once while the store is
 * failing (503 + Retry-After, no write attempted), take a slot (429 + Retry-After beyond `max_in_flight` in all,
 * `max_in_flight_per_site` for the site, or `max_backfill_in_flight`, fewer while the event loop is loaded, for a push
 * whose `Wardwatch-Backlog` header says it carries backlog: live pushes keep the other slots and the loop's time; a malformed header is 400 `bad_header`), read gzip/JSON with a size limit and a time limit (`body_timeout`: 408),
 * **parse** (envelope strictly, then each record alone), **fit** (the token's site, known links, time bounds, clock
 * correction), **write** idempotently (samples to the sample store, awaited; then events to the metadata store),
 * **judge**, **publish**. A site's batches go through fit → publish one at a time, in the order they arrived (a
 * retry may overlap the request it replaces, `max_in_flight_per_site`), so the awaited write never lets a later
 * batch be judged before an earlier one. Batch-level faults are a JSON error naming the problem;
 * a record that cannot be taken is refused alone, listed in the 200 answer.
 *
 * A batch refused for the store's sake (503 `store_unavailable`: the store is failing, or cannot even be read to check
 * the token) is not acknowledged: the agent keeps it in its spool and sends it again, so nothing is lost (and the
 * write being idempotent, nothing is doubled). An authenticated push refused so still counts as contact, so a store
 * outage does not make every site `silent`. A write that fails for another reason (a bug, a constraint the batch
 * breaks) is 500 `internal`: the store is fine, and telling the agent to keep resending that batch would not help.
 */
export function ingestRouter(deps: IngestDeps): Router {
  const { config, store, breaker, sampleBreaker, engine, metrics, logger, now } = deps;
  const stores = { samples: deps.sampleStore, sampleBreaker, metadata: store, metadataBreaker: breaker };
  const queues = new SiteQueues();
  const router = Router();
  const sitesById = new Map(config.sites.map((site) => [site.id, site]));
  const clockWindows = new ClockOffsetWindows();
  const slots = new IngestSlots(
    { maxInFlight: config.ingest.maxInFlight, maxPerSite: config.ingest.maxInFlightPerSite, maxBackfillInFlight: config.ingest.maxBackfillInFlight },
    eventLoopUtilizationMeter(),
  );
  /** Token checks are failing because the store cannot be read: logged once, until one succeeds again. */
  let tokenReadsFailing = false;

  const reject = (res: Response, status: number, error: string, message: string): void => {
    metrics.ingestRejects.inc({ reason: error });
    metrics.ingestBatches.inc({ result: "rejected" });
    sendError(res, status, error, message);
  };

  /** The site's agent was heard from now, though its push is refused: its site is not silent. */
  const recordContact = (site: string | null): void => {
    const contact = site ? engine.contact(site) : null;
    if (contact) engine.recordContact({ ...contact, lastSeenTs: now() });
  };

  /** 503 for a batch the store cannot take now; the agent was heard from, so its site is not silent. */
  const refuseForStore = (res: Response, site: string | null): void => {
    recordContact(site);
    res.setHeader("Retry-After", String(STORE_RETRY_AFTER_S));
    reject(res, 503, "store_unavailable", "the collector cannot store batches now; keep them and retry later");
  };

  /** Each stage before the body is read answers the push itself and returns false when it is refused. */
  const authenticate = (req: AuthedRequest, res: Response): boolean => {
    // The agent's clock is read against the moment the push arrived: reading the body, or waiting behind the site's
    // previous batch, is not transit time (see collector/ingest/clockOffset.ts).
    req.arrivedAt = now();
    const auth = authenticatePush(req.headers.authorization, store); // throws only for a bug: the error handler answers 500
    if (auth.kind === "store_unavailable") {
      if (!tokenReadsFailing) logger.error("ingest tokens cannot be checked: the store cannot be read; pushes refused with 503", { err: auth.err });
      tokenReadsFailing = true;
      refuseForStore(res, null);
      return false;
    }
    tokenReadsFailing = false;
    if (auth.kind === "refused") {
      reject(res, 401, auth.error, auth.message);
      return false;
    }
    req.tokenSite = auth.site;
    return true;
  };

  const failFast = (req: AuthedRequest, res: Response): boolean => {
    if (breaker.writable && sampleBreaker.writable) return true;
    refuseForStore(res, req.tokenSite ?? null);
    return false;
  };

  const takeSlot = (req: AuthedRequest, res: Response): boolean => {
    const header = req.headers[BACKLOG_HEADER.toLowerCase()];
    let kind: PushKind = "live"; // no header: an agent from before it, whose pushes all count as live
    if (header !== undefined) {
      const backlog = backlogHeaderSchema.safeParse(header);
      if (!backlog.success) {
        reject(res, 400, "bad_header", `${BACKLOG_HEADER} must be a whole number of records (digits only), got '${String(header).slice(0, 40)}'`);
        return false;
      }
      if (backlog.data > 0) kind = "backfill";
    }
    const taken = slots.take(req.tokenSite!, kind, now());
    if (kind === "backfill") metrics.ingestBackfillAllowed.set(slots.backfillAllowed(now()));
    if ("refusal" in taken) {
      // The agent was heard from (its token checked): a site waiting for room to backfill is not silent.
      recordContact(req.tokenSite!);
      res.setHeader("Retry-After", String(taken.retryAfterS));
      reject(res, 429, "busy", taken.refusal);
      return false;
    }
    const showSlots = (): void => {
      metrics.ingestInFlight.set(slots.inFlight);
      metrics.ingestBackfillInFlight.set(slots.backfillInFlight);
    };
    showSlots();
    res.on("close", () => {
      taken.slot.release();
      showSlots();
    });
    return true;
  };

  const limitBodyTime = bodyDeadline(config.ingest.bodyTimeoutMs, (res) =>
    reject(res, 408, "body_timeout", `the request body did not arrive within ${config.ingest.bodyTimeoutMs} ms`),
  );
  const readBody = readJsonBody(config.ingest.maxBodyBytes);

  /** Fit → write → judge → publish for one parsed batch; one site's batches run one at a time (see above). */
  const ingest = async (parsedBatch: ParsedBatch, tokenSite: string, arrivedAt: number, res: Response): Promise<void> => {
    const site = parsedBatch.envelope.site;
    const contact = engine.contact(site);
    const clockHistory = { correctionMs: contact?.clockCorrectionMs ?? 0, recentOffsetsMs: clockWindows.recent(site, contact?.clockCorrectionMs ?? null) };
    const fitted = fitBatch(parsedBatch, tokenSite, sitesById.get(site), config.ingest, arrivedAt, clockHistory);
    if ("problem" in fitted) return reject(res, fitted.problem.status, fitted.problem.error, fitted.problem.message);
    const batch = fitted.batch;
    clockWindows.record(site, batch.clock.offsetMs);

    const written = await writeBatch(batch, stores);
    if (written.kind === "store_unavailable") return refuseForStore(res, site);
    if (written.kind === "failed") {
      logger.error("batch not stored: the write failed", { site, err: written.err });
      return reject(res, 500, "internal", "the collector failed to store this batch");
    }

    const { changes, firstContact } = judgeBatch(batch, engine);
    if (batch.clock.skewed && firstContact) logger.warn("agent clock is off", { site, offsetMs: batch.clock.offsetMs });
    const answer = publishBatch(deps, batch, written, changes);
    sendJson(res, answer.status, answer.body);
  };

  /**
   * A body that could not be read is answered with its error (counted) and its connection closed once the answer is
   * out: the rest of a refused body is not read (a client still sending would hold the connection until Node's
   * request time-out).
   */
  const refuseBody = (req: AuthedRequest, res: Response, err: unknown, next: NextFunction): void => {
    const problem = bodyReadProblem(err);
    if (!problem) return next(err);
    if (res.headersSent) return; // answered already: the body deadline (408)
    res.setHeader("Connection", "close");
    res.once("finish", () => req.socket.destroy());
    reject(res, problem.status, problem.error, problem.message);
  };

  const handleBody = async (req: AuthedRequest, res: Response): Promise<void> => {
    const parsed = parseBatch(req.body);
    if ("problem" in parsed) return reject(res, parsed.problem.status, parsed.problem.error, parsed.problem.message);
    // Queued by the token's site: a batch naming another site is refused by fit without touching anything.
    await queues.run(req.tokenSite!, () => ingest(parsed.batch, req.tokenSite!, req.arrivedAt!, res));
  };

  // The stages run in one handler rather than as six express middlewares: a push is small and there are hundreds a
  // second, and each layer costs express's dispatch (measured in bench/ingest: docs/benchmarks.md).
  router.post("/ingest", (req: AuthedRequest, res: Response, next: NextFunction) => {
    if (!authenticate(req, res) || !failFast(req, res) || !takeSlot(req, res)) return;
    limitBodyTime(req, res, () =>
      readBody(req, res, (err?: unknown) => {
        if (err) return refuseBody(req, res, err, next);
        handleBody(req, res).catch(next);
      }),
    );
  });
  return router;
}
