import { describe, expect, it } from "vitest";
import { IncidentEngine } from "../../../collector/incidents/incidentEngine.js";
import type { IncidentStore, NewIncident, StoredIncident } from "../../../collector/incidents/incidentStore.js";
import { IndexedIncidentStore } from "../../../collector/incidents/openIncidentIndex.js";
import type { LinkView, SiteView } from "../../../collector/incidents/siteView.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import { SqliteSampleStore } from "../../../collector/store/samples/sqlite.js";
import type { Sample } from "../../../protocol/sample.js";
import type { LinkStateName } from "../../../protocol/linkState.js";
import { icmpSample } from "../../helpers/batches.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

const TZ = "Asia/Ho_Chi_Minh";
const T0 = Date.parse("2026-11-24T02:00:00Z");

function link(id: "tslcd" | "inet", state: LinkStateName, sinceTs: number): LinkView {
  return { id, kind: id === "tslcd" ? "dedicated" : "internet", provider: id === "tslcd" ? "vnpt" : "viettel", providerName: id === "tslcd" ? "VNPT" : "Viettel", circuit: `${id}-c`, state, sinceTs, lossPct: state === "down" ? 100 : 0, rttMs: state === "down" ? null : 10 };
}

function setup(options: { gapPageSize?: number } = {}) {
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

const openKeys = (t: ReturnType<typeof setup>) => t.store.incidents.openIncidents().map((i) => i.key);

describe("collector/incidents/incidentEngine", () => {
  it("opens one link incident, keeps it while down, closes it restored when the link is back", () => {
    const t = setup();
    t.setSite("a", "degraded", [link("tslcd", "down", T0 - 30_000), link("inet", "up", T0 - 999_000)]);
    t.engine.evaluate();
    t.clock.nowMs += 10_000;
    t.engine.evaluate();
    expect(t.events.map(([what, i]) => `${what}:${i.key}`)).toEqual(["opened:link:a:tslcd"]);
    expect(t.events[0]![1].timeline).toMatchObject({ startTs: T0 - 30_000, detectedTs: T0 });
    t.setSite("a", "up", [link("tslcd", "up", T0 + 20_000), link("inet", "up", T0 - 999_000)]);
    t.clock.nowMs = T0 + 25_000;
    t.engine.evaluate();
    expect(t.events.at(-1)![0]).toBe("closed");
    expect(t.events.at(-1)![1].timeline).toMatchObject({ restoredTs: T0 + 20_000, endTs: T0 + 25_000 });
  });

  it("merges single-link incidents into a provider incident when the burst grows", () => {
    const t = setup();
    t.setSite("a", "degraded", [link("tslcd", "down", T0), link("inet", "up", 1)]);
    t.engine.evaluate();
    for (const id of ["b", "c", "d", "e"]) t.setSite(id, "degraded", [link("tslcd", "down", T0 + 5000), link("inet", "up", 1)]);
    t.clock.nowMs += 5000;
    t.engine.evaluate();
    const provider = t.events.find(([what, i]) => what === "opened" && i.kind === "provider")![1];
    expect(provider.sites.map((s) => s.site)).toEqual(["a", "b", "c", "d", "e"]);
    const merged = t.events.find(([what, i]) => what === "closed" && i.key === "link:a:tslcd")![1];
    expect(merged.mergedInto).toBe(provider.id);
    expect(merged.timeline.restoredTs).toBeNull();
    expect(t.store.incidents.openIncidents().map((i) => i.key)).toEqual(["provider:vnpt"]);
  });

  it("records when a provider incident's scope grew: the site it gained, not evaluations that changed nothing or shrank it", () => {
    const t = setup();
    for (const id of ["a", "b", "c"]) t.setSite(id, "degraded", [link("tslcd", "down", T0), link("inet", "up", 1)]);
    t.engine.evaluate();
    const opened = t.store.incidents.openIncidents()[0]!;
    expect(opened.scopeChangedTs).toBeNull();
    t.clock.nowMs = T0 + 30_000;
    t.engine.evaluate();
    expect(t.store.incidents.getIncident(opened.id)!.scopeChangedTs).toBeNull();
    t.setSite("d", "degraded", [link("tslcd", "down", T0 + 40_000), link("inet", "up", 1)]);
    t.clock.nowMs = T0 + 45_000;
    t.engine.evaluate();
    const grown = t.store.incidents.getIncident(opened.id)!;
    expect(grown.sites.map((s) => s.site)).toEqual(["a", "b", "c", "d"]);
    expect(grown.scopeChangedTs).toBe(T0 + 45_000);
    // Sites coming back one by one shrink it: no change of scope to tell anyone about (the recovery notice will).
    t.setSite("a", "up", [link("tslcd", "up", T0 + 50_000), link("inet", "up", 1)]);
    t.clock.nowMs = T0 + 55_000;
    t.engine.evaluate();
    const shrunk = t.store.incidents.getIncident(opened.id)!;
    expect(shrunk.sites.map((s) => s.site)).toEqual(["b", "c", "d"]);
    expect(shrunk.scopeChangedTs).toBe(T0 + 45_000);
  });

  it("a provider incident is restored when its own links are back, not when the sites' other links were", () => {
    const t = setup();
    for (const id of ["a", "b", "c"]) t.setSite(id, "degraded", [link("tslcd", "down", T0), link("inet", "up", 1)]);
    t.engine.evaluate();
    t.clock.nowMs = T0 + 60_000;
    for (const id of ["a", "b", "c"]) t.setSite(id, "up", [link("tslcd", "up", T0 + 50_000), link("inet", "up", 1)]);
    t.engine.evaluate();
    const closed = t.events.at(-1)![1];
    expect(closed).toMatchObject({ kind: "provider", state: "closed" });
    expect(closed.timeline).toMatchObject({ startTs: T0, restoredTs: T0 + 50_000, endTs: T0 + 60_000 });
  });

  it("a silent site stays open until the backfill is in, then is classified as a link outage from the samples", async () => {
    const t = setup();
    t.setSite("a", "silent", [link("tslcd", "up", 1), link("inet", "up", 1)], { lastSeenTs: T0 });
    t.engine.evaluate();
    // The agent kept measuring: every round of both links failed for 10 minutes.
    const samples = Array.from({ length: 60 }, (_, i) => [
      icmpSample(i * 2 + 1, { ts: T0 + i * 10_000, ok: false, round: i }),
      icmpSample(i * 2 + 2, { ts: T0 + i * 10_000, ok: false, link: "inet", round: i }),
    ]).flat();
    await t.writeSamples(samples);
    t.clock.nowMs = T0 + 610_000;
    t.setSite("a", "up", [link("tslcd", "up", T0 + 600_000), link("inet", "up", T0 + 600_000)], { backfillPending: true });
    t.engine.evaluate();
    expect(t.store.incidents.openIncidents()).toHaveLength(1);
    await t.writeSamples([icmpSample(200, { ts: T0 + 605_000, round: 61 })]);
    t.setSite("a", "up", [link("tslcd", "up", T0 + 600_000), link("inet", "up", T0 + 600_000)], { backfillPending: false });
    t.engine.evaluate();
    // The evaluation did not wait for the sample store: the outcomes are being read, the incident is still open.
    expect(t.store.incidents.openIncidents()).toHaveLength(1);
    await t.engine.outcomesLoaded();
    t.engine.evaluate();
    const closed = t.events.at(-1)![1];
    expect(closed).toMatchObject({ kind: "site", cause: "links_down_while_silent", state: "closed" });
    expect(closed.timeline.restoredTs).toBe(T0 + 605_000);
    expect(closed.sites[0]!.links).toEqual(["tslcd", "inet"]);
  });

  it("an agent back from silence that still judges both links down leaves the incident to the backfill's classification", async () => {
    const t = setup();
    t.setSite("a", "silent", [link("tslcd", "up", 1), link("inet", "up", 1)], { lastSeenTs: T0 });
    t.engine.evaluate();
    const samples = Array.from({ length: 20 }, (_, i) => [
      icmpSample(i * 2 + 1, { ts: T0 + i * 10_000, ok: false, round: i }),
      icmpSample(i * 2 + 2, { ts: T0 + i * 10_000, ok: false, link: "inet", round: i }),
    ]).flat();
    await t.writeSamples(samples);
    // The first push after the silence: the agent's snapshot still has both links down (recover_after not yet met).
    t.clock.nowMs = T0 + 200_000;
    t.setSite("a", "down", [link("tslcd", "down", T0 + 20_000), link("inet", "down", T0 + 20_000)], { backfillPending: true });
    t.engine.evaluate();
    t.setSite("a", "down", [link("tslcd", "down", T0 + 20_000), link("inet", "down", T0 + 20_000)], { backfillPending: false });
    t.engine.evaluate();
    expect(t.store.incidents.openIncidents().map((i) => [i.key, i.cause])).toEqual([["site:a", "agent_silent"]]);
    await t.writeSamples([icmpSample(100, { ts: T0 + 201_000, round: 21 })]);
    t.clock.nowMs = T0 + 203_000;
    t.setSite("a", "up", [link("tslcd", "up", T0 + 202_000), link("inet", "up", T0 + 202_000)]);
    t.engine.evaluate();
    await t.engine.outcomesLoaded();
    t.engine.evaluate();
    expect(t.events.at(-1)![1]).toMatchObject({ kind: "site", cause: "links_down_while_silent", state: "closed" });
    expect(t.events.filter(([what]) => what === "updated")).toEqual([]);
  });

  it("a silent site with no samples in the gap was a power or agent outage", async () => {
    const t = setup();
    t.setSite("a", "silent", [link("tslcd", "up", 1), link("inet", "up", 1)], { lastSeenTs: T0 });
    t.engine.evaluate();
    t.clock.nowMs = T0 + 600_000;
    t.setSite("a", "up", [link("tslcd", "up", 1), link("inet", "up", 1)]);
    t.engine.evaluate();
    await t.engine.outcomesLoaded();
    t.engine.evaluate();
    expect(t.events.at(-1)![1]).toMatchObject({ cause: "power_or_agent", provider: null });
  });

  it("a link incident is merged into the site incident when the whole site goes dark", () => {
    const t = setup();
    t.setSite("a", "degraded", [link("tslcd", "down", T0), link("inet", "up", 1)]);
    t.engine.evaluate();
    t.setSite("a", "silent", [link("tslcd", "down", T0), link("inet", "up", 1)]);
    t.engine.evaluate();
    const site = t.store.incidents.openIncidents()[0]!;
    expect(site.key).toBe("site:a");
    expect(t.store.incidents.getIncident(1)!.mergedInto).toBe(site.id);
  });

  it("an evaluation looks only at the sites reported changed, and at nothing when none was", () => {
    const t = setup();
    for (const id of ["a", "b", "c", "d"]) t.setSite(id, "up", [link("tslcd", "up", 1), link("inet", "up", 1)]);
    t.engine.evaluate();
    t.viewsRead.length = 0;
    t.setSite("b", "degraded", [link("tslcd", "down", T0), link("inet", "up", 1)]);
    t.engine.evaluate();
    t.engine.evaluate();
    expect(t.viewsRead).toEqual(["b"]);
    expect(t.store.incidents.openIncidents().map((i) => i.key)).toEqual(["link:b:tslcd"]);
  });

  it("an incident resolved by hand while its cause remains is opened again at the next evaluation", () => {
    const t = setup();
    t.setSite("a", "degraded", [link("tslcd", "down", T0), link("inet", "up", 1)]);
    t.engine.evaluate();
    const first = t.store.incidents.openIncidents()[0]!;
    // The resolve API writes through the same store as the engine (alerting.ts).
    t.incidents.updateIncident(first.id, { endTs: T0 + 1000 });
    t.engine.evaluate();
    expect(t.store.incidents.openIncidents().map((i) => [i.key, i.id !== first.id])).toEqual([["link:a:tslcd", true]]);
  });

  it("an evaluation the store failed part-way is made up by the next one", () => {
    const t = setup();
    t.setSite("a", "degraded", [link("tslcd", "down", T0), link("inet", "up", 1)]);
    t.failing.next = true;
    expect(() => t.engine.evaluate()).toThrow(/SQLITE_BUSY/);
    expect(t.store.incidents.openIncidents()).toEqual([]);
    t.engine.evaluate();
    expect(t.store.incidents.openIncidents().map((i) => i.key)).toEqual(["link:a:tslcd"]);
  });

  it("a link incident of a site gone from the configuration ends: it is not merged into its provider's outage", () => {
    const t = setup();
    for (const id of ["a", "b", "c"]) t.setSite(id, "degraded", [link("tslcd", "down", T0), link("inet", "up", 1)]);
    t.setSite("x", "degraded", [link("tslcd", "degraded", T0), link("inet", "up", 1)]);
    t.engine.evaluate();
    expect(openKeys(t)).toEqual(["provider:vnpt", "link:x:tslcd"]);
    const linkIncident = t.store.incidents.openIncidents()[1]!;
    // Site x is taken out of collector.yaml; the collector restarts.
    t.clock.nowMs = T0 + 60_000;
    t.restart(["a", "b", "c"]).evaluate();
    const ended = t.store.incidents.getIncident(linkIncident.id)!;
    expect(ended).toMatchObject({ state: "closed", mergedInto: null });
    expect(ended.timeline.endTs).toBe(T0 + 60_000);
    expect(ended.evidence.at(-1)).toContain("không còn trong cấu hình");
    expect(openKeys(t)).toEqual(["provider:vnpt"]);
  });

  it("a link gone from its site's configuration ends its incident, even with the site's own incident opening", () => {
    const t = setup();
    t.setSite("y", "degraded", [link("tslcd", "degraded", T0), link("inet", "up", 1)]);
    t.engine.evaluate();
    const linkIncident = t.store.incidents.openIncidents()[0]!;
    // tslcd is taken out of site y's links; after the restart its only link, inet, is down: a site incident.
    t.clock.nowMs = T0 + 60_000;
    t.views[0] = { ...t.views[0]!, state: "down", links: [link("inet", "down", T0 + 30_000)] };
    t.restart(["y"]).evaluate();
    expect(openKeys(t)).toEqual(["site:y"]);
    expect(t.store.incidents.getIncident(linkIncident.id)).toMatchObject({ state: "closed", mergedInto: null });
  });

  it("a degraded link that recovers during its provider's outage elsewhere is restored, not merged into the outage", () => {
    const t = setup();
    t.setSite("x", "degraded", [link("tslcd", "degraded", T0), link("inet", "up", 1)]);
    for (const id of ["a", "b", "c"]) t.setSite(id, "degraded", [link("tslcd", "down", T0), link("inet", "up", 1)]);
    t.engine.evaluate();
    expect(openKeys(t)).toEqual(["provider:vnpt", "link:x:tslcd"]);
    const linkIncident = t.store.incidents.openIncidents()[1]!;
    t.clock.nowMs = T0 + 60_000;
    t.setSite("x", "up", [link("tslcd", "up", T0 + 50_000), link("inet", "up", 1)]);
    t.engine.evaluate();
    const restored = t.store.incidents.getIncident(linkIncident.id)!;
    expect(restored).toMatchObject({ key: "link:x:tslcd", state: "closed", mergedInto: null });
    expect(restored.timeline.restoredTs).toBe(T0 + 50_000);
    expect(openKeys(t)).toEqual(["provider:vnpt"]);
  });

  it("a silence with more outcomes than a page is read page after page and classified as when read at once", async () => {
    const classified = async (gapPageSize?: number) => {
      const t = setup(gapPageSize ? { gapPageSize } : {});
      t.setSite("a", "silent", [link("tslcd", "up", 1), link("inet", "up", 1)], { lastSeenTs: T0 });
      t.engine.evaluate();
      // Both links failing for 10 minutes, then tslcd answering for the last minute before the agent came back.
      const samples = Array.from({ length: 66 }, (_, i) => [
        icmpSample(i * 2 + 1, { ts: T0 + i * 10_000, ok: i >= 60, round: i }),
        icmpSample(i * 2 + 2, { ts: T0 + i * 10_000, ok: false, link: "inet", round: i }),
      ]).flat();
      await t.writeSamples(samples);
      t.clock.nowMs = T0 + 660_000;
      t.setSite("a", "up", [link("tslcd", "up", T0 + 600_000), link("inet", "up", T0 + 650_000)]);
      t.engine.evaluate();
      await t.engine.outcomesLoaded();
      t.engine.evaluate();
      const closed = t.events.at(-1)![1];
      return { closed: { cause: closed.cause, state: closed.state, timeline: closed.timeline, sites: closed.sites, evidence: closed.evidence }, reads: t.outcomeReads };
    };
    const atOnce = await classified();
    expect(atOnce.reads).toEqual([132]);
    expect(atOnce.closed).toMatchObject({ cause: "links_down_while_silent", state: "closed", timeline: { restoredTs: T0 + 600_000 } });
    // 7 per page: pages end between the two links of one round, too.
    const paged = await classified(7);
    expect(paged.reads.length).toBe(Math.ceil(133 / 7));
    expect(paged.reads.every((n) => n <= 7)).toBe(true);
    expect(paged.closed).toEqual(atOnce.closed);
  });

  it("a provider incident resolved by hand while its burst still qualifies opens again as a new incident, its links still absorbed", () => {
    const t = setup();
    for (const id of ["a", "b", "c"]) t.setSite(id, "degraded", [link("tslcd", "down", T0), link("inet", "up", 1)]);
    t.engine.evaluate();
    const first = t.store.incidents.openIncidents()[0]!;
    expect(first.key).toBe("provider:vnpt");
    t.clock.nowMs = T0 + 60_000;
    t.incidents.updateIncident(first.id, { restoredTs: T0 + 60_000, endTs: T0 + 60_000 }); // as POST /incidents/:id/resolve
    t.engine.evaluate();
    const again = t.store.incidents.openIncidents();
    expect(again.map((i) => i.key)).toEqual(["provider:vnpt"]);
    expect(again[0]!.id).not.toBe(first.id);
    expect(again[0]!.sites.map((s) => s.site)).toEqual(["a", "b", "c"]);
    expect(again[0]!.timeline).toMatchObject({ startTs: T0, detectedTs: T0 + 60_000 });
  });

  it("a provider incident resolved by hand once its burst no longer qualifies releases its links still down as link incidents", () => {
    const t = setup();
    for (const id of ["a", "b", "c"]) t.setSite(id, "degraded", [link("tslcd", "down", T0), link("inet", "up", 1)]);
    t.engine.evaluate();
    const first = t.store.incidents.openIncidents()[0]!;
    // Two sites are back; the incident stays open while c's link is down (the provider rule's "any still down").
    t.clock.nowMs = T0 + 60_000;
    for (const id of ["a", "b"]) t.setSite(id, "up", [link("tslcd", "up", T0 + 50_000), link("inet", "up", 1)]);
    t.engine.evaluate();
    expect(t.store.incidents.openIncidents().map((i) => [i.key, i.sites.map((s) => s.site)])).toEqual([["provider:vnpt", ["c"]]]);
    t.incidents.updateIncident(first.id, { restoredTs: T0 + 70_000, endTs: T0 + 70_000 });
    t.engine.evaluate();
    expect(t.store.incidents.openIncidents().map((i) => i.key)).toEqual(["link:c:tslcd"]);
  });

  it("after a restart with a silent site's incident open and its backfill pending, it is classified once the backfill is in: not before, not twice", async () => {
    const t = setup();
    t.setSite("a", "silent", [link("tslcd", "up", 1), link("inet", "up", 1)], { lastSeenTs: T0 });
    t.engine.evaluate();
    const silent = t.store.incidents.openIncidents()[0]!;
    expect(silent).toMatchObject({ key: "site:a", cause: "agent_silent" });
    const rounds = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => from + k).flatMap((i) => [
        icmpSample(i * 2 + 1, { ts: T0 + i * 10_000, ok: i >= 60, round: i }),
        icmpSample(i * 2 + 2, { ts: T0 + i * 10_000, ok: i >= 60, link: "inet", round: i }),
      ]);
    // The agent is back and has sent part of its backlog when the collector restarts.
    await t.writeSamples(rounds(0, 20));
    t.clock.nowMs = T0 + 700_000;
    t.views[0] = { ...t.views[0]!, state: "up", lastSeenTs: T0 + 690_000, backfillPending: true, links: [link("tslcd", "up", T0 + 600_000), link("inet", "up", T0 + 600_000)] };
    const restarted = t.restart(["a"]);
    restarted.evaluate();
    await restarted.outcomesLoaded();
    restarted.evaluate();
    expect(t.store.incidents.getIncident(silent.id)).toMatchObject({ state: "open", cause: "agent_silent" });
    expect(t.outcomeReads).toEqual([]); // nothing read while the backlog is still coming
    await t.writeSamples(rounds(20, 66));
    t.views[0] = { ...t.views[0]!, backfillPending: false };
    restarted.siteChanged("a");
    restarted.evaluate();
    expect(t.store.incidents.getIncident(silent.id)!.state).toBe("open"); // being read
    await restarted.outcomesLoaded();
    restarted.evaluate();
    const closed = t.store.incidents.getIncident(silent.id)!;
    expect(closed).toMatchObject({ state: "closed", cause: "links_down_while_silent", timeline: { restoredTs: T0 + 600_000 } });
    // Later changes of the site classify nothing again.
    t.clock.nowMs = T0 + 710_000;
    restarted.siteChanged("a");
    restarted.evaluate();
    await restarted.outcomesLoaded();
    restarted.evaluate();
    expect(t.outcomeReads).toEqual([132]);
    expect(t.events.filter(([what, i]) => what === "closed" && i.id === silent.id)).toHaveLength(1);
    expect(t.store.incidents.getIncident(silent.id)).toEqual(closed);
    expect(t.store.incidents.openIncidents()).toEqual([]);
  });
});
