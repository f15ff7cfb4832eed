import { describe, expect, it } from "vitest";
import { StateEngine } from "../../../collector/state/stateEngine.js";
import { DEFAULT_LINK_STATE_POLICY } from "../../../protocol/linkState.js";
import type { SiteConfig } from "../../../config/collectorSchema.js";
import type { StoredSample } from "../../../collector/store/store.js";
import { icmpSample } from "../../helpers/batches.js";

const site: SiteConfig = {
  id: "a",
  name: "A",
  address: null,
  location: null,
  simulated: false,
  contacts: [],
  links: [
    { id: "tslcd", kind: "dedicated", provider: "vnpt", circuit: "C1", bandwidthMbps: 200 },
    { id: "inet", kind: "internet", provider: "viettel", circuit: "C2", bandwidthMbps: 100 },
  ],
};

function stored(sample: ReturnType<typeof icmpSample>): StoredSample {
  return { site: "a", ts: sample.ts, agentTs: sample.ts, sample };
}

function engineWithContact(nowMs: number): StateEngine {
  const engine = new StateEngine([site], DEFAULT_LINK_STATE_POLICY, 3, { links: [], contacts: [] });
  engine.recordContact({ site: "a", lastSeenTs: nowMs, clockOffsetMs: 0, pushIntervalMs: 10_000, pendingRecords: 0, droppedRecords: 0, lastSeq: 0, viaLink: null, clockCorrectionMs: 0, refusedRecords: 0, agentRefusedRecords: null });
  return engine;
}

describe("collector/state/stateEngine", () => {
  it("judges a round only when all its samples are in, and fails it only when all fail", () => {
    const engine = engineWithContact(0);
    const samples = [1, 2, 3].flatMap((round) => [
      icmpSample(round * 2 - 1, { round, roundSize: 2, ok: false, ts: round * 1000 }),
      icmpSample(round * 2, { round, roundSize: 2, ok: round !== 2, probe: "icmp:192.0.2.2", target: "192.0.2.2", ts: round * 1000 }),
    ]);
    engine.observe("a", samples.map(stored));
    // Rounds 1 and 3: one target of two answers (loss 50 %: poor); round 2: none answers (failed).
    expect(engine.track("a", "tslcd").machine.recent).toBe("pfp");
    expect(engine.track("a", "tslcd").machine.state).toBe("degraded");
  });

  it("makes the link down after 3 failed rounds and the site degraded while the other link is up", () => {
    const engine = engineWithContact(100_000);
    const samples = [
      icmpSample(1, { link: "inet", round: 1, ts: 10 }),
      icmpSample(2, { round: 1, ts: 10 }),
      ...[2, 3, 4].map((round) => icmpSample(round + 1, { round, ok: false, ts: round * 10 })),
    ];
    const changes = engine.observe("a", samples.map(stored));
    expect(changes.filter((c) => c.event.type === "state").map((c) => [c.link, c.event.type === "state" && c.event.to])).toEqual([
      ["inet", "up"],
      ["tslcd", "up"],
      ["tslcd", "down"],
    ]);
    expect(engine.siteState(site, 100_000)).toBe("degraded");
  });

  it("ignores samples no newer than the last judged round (a resend judges nothing twice)", () => {
    const engine = engineWithContact(0);
    const samples = [1, 2, 3].map((seq) => stored(icmpSample(seq, { ok: false })));
    engine.observe("a", samples);
    const again = engine.observe("a", samples);
    expect(again).toEqual([]);
    expect(engine.track("a", "tslcd").machine.failStreak).toBe(3);
  });

  it("calls the site silent after 3 push intervals without a push", () => {
    const engine = engineWithContact(0);
    engine.observe("a", [stored(icmpSample(1)), stored(icmpSample(2, { link: "inet" }))]);
    expect(engine.siteState(site, 30_000)).toBe("up");
    expect(engine.siteState(site, 30_001)).toBe("silent");
  });

  it("adopts the agent's snapshot after silence, so the older backlog cannot flip the state", () => {
    const engine = engineWithContact(0);
    const changes = engine.adoptSnapshot("a", [{ link: "tslcd", state: "up", sinceTs: 500 }], 1000, 0);
    expect(changes).toHaveLength(1);
    engine.observe("a", [1, 2, 3].map((seq) => stored(icmpSample(seq, { ok: false, ts: 100 + seq }))));
    expect(engine.track("a", "tslcd").machine.state).toBe("up");
  });

  it("reports the sites that changed once each, and a site again when its silence deadline passes, not before", () => {
    const other: SiteConfig = { ...site, id: "b" };
    const engine = new StateEngine([site, other], DEFAULT_LINK_STATE_POLICY, 3, { links: [], contacts: [] });
    const contact = (id: string, lastSeenTs: number) => engine.recordContact({ site: id, lastSeenTs, clockOffsetMs: 0, pushIntervalMs: 10_000, pendingRecords: 0, droppedRecords: 0, lastSeq: 0, viaLink: null, clockCorrectionMs: 0, refusedRecords: 0, agentRefusedRecords: null });
    contact("a", 0);
    contact("b", 5_000);
    engine.observe("a", [stored(icmpSample(1))]);
    expect(engine.takeChangedSites(1_000).sort()).toEqual(["a", "b"]);
    expect(engine.takeChangedSites(2_000)).toEqual([]);
    // a is silent after 30 000 ms; b pushed again at 20 000, so its first deadline no longer counts.
    contact("b", 20_000);
    expect(engine.takeChangedSites(30_000)).toEqual(["b"]);
    expect(engine.takeChangedSites(30_001)).toEqual(["a"]);
    expect(engine.siteState(site, 30_001)).toBe("silent");
    expect(engine.takeChangedSites(45_000)).toEqual([]);
    expect(engine.takeChangedSites(50_001)).toEqual(["b"]);
    expect(engine.takeChangedSites(999_999)).toEqual([]);
  });

  it("a collector clock stepping back over a silence deadline neither ends the silence nor loses it", () => {
    const engine = engineWithContact(0);
    expect(engine.takeChangedSites(1_000)).toEqual(["a"]);
    expect(engine.takeChangedSites(30_001)).toEqual(["a"]);
    // The clock steps back 20 s: the site is not reported (its agent has not pushed), though its state reads "not
    // silent" for now; whoever judges it meanwhile (a resolve by hand) sees that.
    expect(engine.takeChangedSites(10_001)).toEqual([]);
    expect(engine.siteState(site, 10_001)).not.toBe("silent");
    // Passing its deadline again reports it again, so a silence undone meanwhile is judged once more.
    expect(engine.takeChangedSites(30_001)).toEqual(["a"]);
    expect(engine.siteState(site, 30_001)).toBe("silent");
    expect(engine.takeChangedSites(40_000)).toEqual([]);
  });

  it("a site whose saved contact is already old is reported silent at the first look after a restart", () => {
    const saved = { site: "a", lastSeenTs: 0, clockOffsetMs: 0, pushIntervalMs: 10_000, pendingRecords: 0, droppedRecords: 0, lastSeq: 5, viaLink: null, clockCorrectionMs: 0, refusedRecords: 0, agentRefusedRecords: null };
    const engine = new StateEngine([site], DEFAULT_LINK_STATE_POLICY, 3, { links: [], contacts: [saved] });
    expect(engine.takeChangedSites(60_000)).toEqual(["a"]);
  });

  it("judges by time: an agent whose seqs started again is judged, its link goes down", () => {
    const engine = engineWithContact(0);
    engine.observe("a", [1, 2, 3].map((seq) => stored(icmpSample(seq, { ts: seq * 1000 }))));
    expect(engine.track("a", "tslcd").machine.state).toBe("up");
    // Spool lost: seqs 1, 2, 3 again, for later rounds that fail.
    const changes = engine.observe("a", [1, 2, 3].map((seq) => stored(icmpSample(seq, { ok: false, round: 10 + seq, ts: 10_000 + seq * 1000 }))));
    expect(changes.map((c) => c.event.type === "state" && c.event.to)).toEqual(["down"]);
  });

  it("a seq near 2^53 does not freeze judgement of the rounds that follow", () => {
    const engine = engineWithContact(0);
    engine.observe("a", [stored(icmpSample(Number.MAX_SAFE_INTEGER - 1, { ts: 1000 }))]);
    engine.observe("a", [1, 2, 3].map((seq) => stored(icmpSample(seq, { ok: false, round: 10 + seq, ts: 2000 + seq * 1000 }))));
    expect(engine.track("a", "tslcd").machine.state).toBe("down");
  });

  it("a resent part of a round still pending does not cut the round short", () => {
    const engine = engineWithContact(0);
    const first = stored(icmpSample(1, { round: 1, roundSize: 2, ok: false, ts: 1000 }));
    engine.observe("a", [first]);
    engine.observe("a", [first, stored(icmpSample(2, { round: 1, roundSize: 2, ok: true, probe: "icmp:192.0.2.2", target: "192.0.2.2", ts: 1000 }))]);
    // One round of two parts, one of which answered: reachable (no failed round).
    expect(engine.track("a", "tslcd").machine).toMatchObject({ failStreak: 0, recent: "p" });
  });

  it("creates nothing for links or sites the configuration does not list", () => {
    const engine = engineWithContact(0);
    const snapshot = Array.from({ length: 64 }, (_, i) => ({ link: `ghost-${i}`, state: "up" as const, sinceTs: 1 }));
    expect(engine.adoptSnapshot("a", snapshot, 1000, 0)).toEqual([]);
    expect(engine.adoptSnapshot("nowhere", [{ link: "tslcd", state: "up", sinceTs: 1 }], 1000, 0)).toEqual([]);
    expect(engine.observe("a", [stored(icmpSample(1, { link: "ghost" }))])).toEqual([]);
    engine.track("a", "ghost");
    engine.recordContact({ ...engine.contact("a")!, site: "nowhere" });
    expect(engine.takeDirty()).toEqual([]);
    expect(engine.contact("nowhere")).toBeNull();
    expect(engine.allContacts().map((c) => c.site)).toEqual(["a"]);
    // The engine's own map of tracks: nothing was kept for a ghost.
    expect((engine as unknown as { tracks: Map<string, unknown> }).tracks.size).toBe(0);
  });

  it("after adopting a snapshot, judges a round that began the moment the batch was sent (not in the snapshot)", () => {
    const engine = engineWithContact(0);
    engine.adoptSnapshot("a", [{ link: "tslcd", state: "unknown", sinceTs: 0 }], 1000, 0);
    engine.observe("a", [stored(icmpSample(1, { ts: 999 })), stored(icmpSample(2, { ts: 1000 }))]);
    expect(engine.track("a", "tslcd").machine).toMatchObject({ lastTs: 1000, recent: "g" });
  });
});
