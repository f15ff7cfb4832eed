import { describe, expect, it } from "vitest";
import { icmpSample } from "../../helpers/batches.js";
import { T0, link, setup } from "./incidentEngineHarness.js";

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

});
