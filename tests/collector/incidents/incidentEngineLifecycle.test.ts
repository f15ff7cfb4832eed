import { describe, expect, it } from "vitest";
import { icmpSample } from "../../helpers/batches.js";
import { T0, link, openKeys, setup } from "./incidentEngineHarness.js";

describe("collector/incidents/incidentEngine: configuration changes, incidents resolved by hand, restarts", () => {
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
