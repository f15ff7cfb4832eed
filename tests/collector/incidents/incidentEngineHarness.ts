/** The incident engine over real stores (in-memory SQLite): the sites' views it reads, a clock, its events. */
import { IncidentEngine } from "../../../collector/incidents/incidentEngine.js";
import type { IncidentStore, NewIncident, StoredIncident } from "../../../collector/incidents/incidentStore.js";
import { IndexedIncidentStore } from "../../../collector/incidents/openIncidentIndex.js";
import type { LinkView, SiteView } from "../../../collector/incidents/siteView.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import { SqliteSampleStore } from "../../../collector/store/samples/sqlite.js";
import type { Sample } from "../../../protocol/sample.js";
import type { LinkStateName } from "../../../protocol/linkState.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

const TZ = "Asia/Ho_Chi_Minh";
export const T0 = Date.parse("2026-11-24T02:00:00Z");

/** A link of a test site: tslcd (VNPT, dedicated) or inet (Viettel). */
export function link(id: "tslcd" | "inet", state: LinkStateName, sinceTs: number): LinkView {
  return { id, kind: id === "tslcd" ? "dedicated" : "internet", provider: id === "tslcd" ? "vnpt" : "viettel", providerName: id === "tslcd" ? "VNPT" : "Viettel", circuit: `${id}-c`, state, sinceTs, lossPct: state === "down" ? 100 : 0, rttMs: state === "down" ? null : 10 };
}

/** A new engine over new in-memory stores; `setSite` sets a site's view and marks it changed. */
export function setup(options: { gapPageSize?: number } = {}) {
  const store = SqliteMetadataStore.open(":memory:");
  const clock = { nowMs: T0 };
  const sampleStore = SqliteSampleStore.open(":memory:", { rawRetentionMs: 30 * 86_400_000, rollupRetentionMs: 400 * 86_400_000, retentionChunkRows: 2000 }, () => clock.nowMs);
  /** How many outcomes each read of the sample store returned. */
  const outcomeReads: number[] = [];
  const samples = {
    linkOutcomes: async (...args: Parameters<SqliteSampleStore["linkOutcomes"]>) => {
      const outcomes = await sampleStore.linkOutcomes(...args);
      outcomeReads.push(outcomes.length);
      return outcomes;
    },
  };
  /** Stores samples of site `a` (their links' providers do not matter here). */
  const writeSamples = (list: Sample[]) => sampleStore.write(list.map((sample) => ({ site: "a", provider: null, ts: sample.ts, agentTs: sample.ts, sample })));
  const views: SiteView[] = [];
  const events: Array<[string, StoredIncident]> = [];
  const viewsRead: string[] = [];
  /** Set to make the store's next incident write fail (the store failing mid-evaluation). */
  const failing = { next: false };
  const writes: IncidentStore = Object.assign(Object.create(store.incidents) as IncidentStore, {
    openIncident: (incident: NewIncident) => {
      if (failing.next) {
        failing.next = false;
        throw new Error("SQLITE_BUSY: database is locked");
      }
      return store.incidents.openIncident(incident);
    },
  });
  const incidents = new IndexedIncidentStore(writes);
  const engine = new IncidentEngine({
    store: incidents,
    open: incidents,
    samples,
    ...options,
    policy: { minSites: 3, minPct: 50, windowMs: 300_000 },
    timeZone: TZ,
    now: () => clock.nowMs,
    sites: [],
    siteView: (id) => {
      viewsRead.push(id);
      return views.find((v) => v.id === id) ?? null;
    },
    listener: { opened: (i) => events.push(["opened", i]), updated: (i) => events.push(["updated", i]), closed: (i) => events.push(["closed", i]) },
    logger: memoryLogger().logger,
  });
  const setSite = (id: string, state: SiteView["state"], links: LinkView[], extra: Partial<SiteView> = {}) => {
    const index = views.findIndex((v) => v.id === id);
    const view: SiteView = { id, name: `Phường ${id}`, state, lastSeenTs: clock.nowMs, backfillPending: false, lastPushVia: "inet", links, ...extra };
    if (index >= 0) views[index] = view;
    else views.push(view);
    engine.siteChanged(id);
  };
  /** A new engine over the same stores, as after a restart with `sites` configured (views of other sites read null). */
  const restart = (sites: readonly string[]) => {
    const reopened = new IndexedIncidentStore(writes);
    return new IncidentEngine({
      store: reopened,
      open: reopened,
      samples,
      policy: { minSites: 3, minPct: 50, windowMs: 300_000 },
      timeZone: TZ,
      now: () => clock.nowMs,
      sites,
      siteView: (id) => (sites.includes(id) ? (views.find((v) => v.id === id) ?? null) : null),
      listener: { opened: (i) => events.push(["opened", i]), updated: (i) => events.push(["updated", i]), closed: (i) => events.push(["closed", i]) },
      logger: memoryLogger().logger,
    });
  };
  return { store, samples, writeSamples, incidents, clock, views, events, engine, setSite, viewsRead, failing, restart, outcomeReads };
}

/** The keys of the open incidents. */
export const openKeys = (t: ReturnType<typeof setup>) => t.store.incidents.openIncidents().map((i) => i.key);
