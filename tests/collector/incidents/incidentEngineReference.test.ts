import { describe, expect, it } from "vitest";
import { IncidentEngine } from "../../../collector/incidents/incidentEngine.js";
import { reconcile } from "../../../collector/incidents/incidentReconciler.js";
import { desiredIncidents } from "../../../collector/incidents/incidentRules.js";
import type { StoredIncident } from "../../../collector/incidents/incidentStore.js";
import { IndexedIncidentStore } from "../../../collector/incidents/openIncidentIndex.js";
import type { LinkView, SiteView } from "../../../collector/incidents/siteView.js";
import { siteStateOf } from "../../../collector/state/siteState.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import type { LinkStateName } from "../../../protocol/linkState.js";
import { seededRandom as random } from "../../../simulator/seededRandom.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

const TZ = "Asia/Ho_Chi_Minh";
const T0 = Date.parse("2026-11-24T02:00:00Z");
const POLICY = { minSites: 3, minPct: 50, windowMs: 300_000 };
const PROVIDERS = [
  { id: "vnpt", name: "VNPT" },
  { id: "viettel", name: "Viettel" },
  { id: "fpt", name: "FPT" },
];
const LINK_STATES: LinkStateName[] = ["up", "up", "down", "down", "degraded", "unknown"];


interface SimSite {
  id: string;
  contacted: boolean;
  silent: boolean;
  backfillPending: boolean;
  links: LinkView[];
}

function viewOf(site: SimSite, nowMs: number): SiteView {
  const contact = site.contacted ? { lastSeenTs: site.silent ? nowMs - 60_000 : nowMs, pushIntervalMs: 10_000 } : null;
  return {
    id: site.id,
    name: `Phường ${site.id}`,
    state: siteStateOf(site.links.map((l) => l.state), contact, nowMs, 3),
    lastSeenTs: site.contacted ? T0 : null,
    backfillPending: site.backfillPending,
    lastPushVia: site.links[0]!.id,
    links: site.links.map((l) => ({ ...l })),
  };
}

function simSites(next: () => number, count: number, providers: number): SimSite[] {
  return Array.from({ length: count }, (_, i) => {
    const linkCount = 1 + Math.floor(next() * 3);
    const links = Array.from({ length: linkCount }, (_, j): LinkView => {
      const provider = PROVIDERS[Math.floor(next() * providers)]!;
      return { id: `l${j}`, kind: j === 0 ? "dedicated" : "internet", provider: provider.id, providerName: provider.name, circuit: `C-${i}-${j}`, state: "unknown", sinceTs: 0, lossPct: null, rttMs: null };
    });
    return { id: `s${i}`, contacted: false, silent: false, backfillPending: false, links };
  });
}

/** What must be equal between the two: everything of an incident but its id and number (opening order may differ). */
function shapeOf(incident: StoredIncident, keyOf: Map<number, string>) {
  const { id: _id, number: _number, deliveries: _deliveries, mergedInto, ...rest } = incident;
  return { ...rest, mergedInto: mergedInto === null ? null : keyOf.get(mergedInto) };
}

function everything(store: SqliteMetadataStore) {
  const all = store.incidents.listIncidents({ limit: 1000 });
  const keyOf = new Map(all.map((incident) => [incident.id, incident.key]));
  return all.map((incident) => shapeOf(incident, keyOf)).sort((a, b) => a.key.localeCompare(b.key) || a.timeline.startTs - b.timeline.startTs || a.timeline.detectedTs - b.timeline.detectedTs);
}

/** What a sequence went through, so the tests can show the cases that matter came up. */
interface Coverage {
  providerIncidents: number;
  merged: number;
  classified: number;
}

/**
 * Runs `steps` random changes through the incremental engine and through a full recomputation; compares every
 * incident (open and closed) after each step. Returns what the reference went through.
 */
function runSequence(seed: number, steps: number, siteCount: number, providers = PROVIDERS.length, maxStepMs = 120_000): Coverage {
  const next = random(seed);
  const sites = simSites(next, siteCount, providers);
  const clock = { nowMs: T0 };
  const views = new Map(sites.map((site) => [site.id, viewOf(site, clock.nowMs)]));
  const logger = memoryLogger().logger;
  const listener = { opened: () => {}, updated: () => {}, closed: () => {} };

  const incrementalStore = SqliteMetadataStore.open(":memory:");
  const incremental = new IndexedIncidentStore(incrementalStore.incidents);
  const engine = new IncidentEngine({
    store: incremental,
    open: incremental,
    samples: { linkOutcomes: async () => [] },
    policy: POLICY,
    timeZone: TZ,
    now: () => clock.nowMs,
    sites: sites.map((site) => site.id),
    siteView: (id) => views.get(id) ?? null,
    listener,
    logger,
  });

  const referenceStore = SqliteMetadataStore.open(":memory:");
  const reference = new IndexedIncidentStore(referenceStore.incidents);
  const evaluateEverything = (): void => {
    const open = reference.all();
    const all = [...views.values()];
    const desired = desiredIncidents(all, POLICY, new Set(open.filter((i) => i.kind === "provider").map((i) => i.provider!)), TZ);
    const keys = new Set([...open.map((i) => i.key), ...desired.map((d) => d.key)]);
    reconcile({ store: reference, open: reference, gapOutcomes: () => null, timeZone: TZ, listener, logger }, { keys, desired }, (id) => views.get(id), clock.nowMs);
  };

  for (let step = 0; step < steps; step++) {
    clock.nowMs += Math.floor(next() * maxStepMs);
    const changed = new Set<string>();
    const changes = 1 + Math.floor(next() * 3);
    for (let c = 0; c < changes; c++) {
      const site = sites[Math.floor(next() * sites.length)]!;
      const roll = next();
      if (roll < 0.6) {
        const link = site.links[Math.floor(next() * site.links.length)]!;
        const state = LINK_STATES[Math.floor(next() * LINK_STATES.length)]!;
        if (state !== link.state) Object.assign(link, { state, sinceTs: clock.nowMs - Math.floor(next() * 60_000), lossPct: state === "down" ? 100 : 0, rttMs: state === "down" ? null : 10 });
        site.contacted = true;
        site.silent = false;
      } else if (roll < 0.75) {
        site.silent = site.contacted; // its silence deadline passed
      } else if (roll < 0.9) {
        site.backfillPending = !site.backfillPending;
      } else {
        // Someone resolves an open incident by hand, in both.
        const open = reference.all();
        const chosen = open[Math.floor(next() * open.length)];
        if (chosen) {
          reference.updateIncident(chosen.id, { endTs: clock.nowMs });
          const mine = incremental.byKey(chosen.key);
          if (mine) incremental.updateIncident(mine.id, { endTs: clock.nowMs });
        }
        continue;
      }
      changed.add(site.id);
    }
    for (const id of changed) {
      views.set(id, viewOf(sites.find((s) => s.id === id)!, clock.nowMs));
      engine.siteChanged(id);
    }
    engine.evaluate();
    evaluateEverything();
    expect(everything(incrementalStore), `seed ${seed}, step ${step}`).toEqual(everything(referenceStore));
  }
  const all = referenceStore.incidents.listIncidents({ limit: 1000 });
  return {
    providerIncidents: all.filter((i) => i.kind === "provider").length,
    merged: all.filter((i) => i.mergedInto !== null).length,
    classified: all.filter((i) => i.kind === "site" && i.state === "closed" && i.cause !== "all_links_down").length,
  };
}

function total(coverages: Coverage[]): Coverage {
  return coverages.reduce((sum, c) => ({ providerIncidents: sum.providerIncidents + c.providerIncidents, merged: sum.merged + c.merged, classified: sum.classified + c.classified }));
}

describe("collector/incidents/incidentEngine: incremental evaluation against a full recomputation", () => {
  it("random link, silence, backfill and resolve-by-hand sequences give identical incidents, open and closed", () => {
    const coverage = total(Array.from({ length: 25 }, (_, i) => runSequence(i + 1, 40, 10)));
    expect(coverage.providerIncidents).toBeGreaterThan(0);
    expect(coverage.merged).toBeGreaterThan(0);
    expect(coverage.classified).toBeGreaterThan(0);
  });

  it("holds with many sites of few providers, where provider outages start and end often", () => {
    const coverage = total(Array.from({ length: 5 }, (_, i) => runSequence(i + 100, 80, 24, 2, 20_000)));
    expect(coverage.providerIncidents).toBeGreaterThanOrEqual(5);
    expect(coverage.merged).toBeGreaterThanOrEqual(5);
  });
});
