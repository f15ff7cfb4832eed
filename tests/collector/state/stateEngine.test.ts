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
  engine.recordContact({ site: "a", lastSeenTs: nowMs, clockOffsetMs: 0, pushIntervalMs: 10_000, pendingRecords: 0, droppedRecords: 0, lastSeq: 0, viaLink: null });
  return engine;
}

describe("collector/state/stateEngine", () => {
  it("judges a round only when all its samples are in, and fails it only when all fail", () => {
    const engine = engineWithContact(0);
    const samples = [1, 2, 3].flatMap((round) => [
      icmpSample(round * 2 - 1, { round, roundSize: 2, ok: false, ts: round * 1000 }),
      icmpSample(round * 2, { round, roundSize: 2, ok: round !== 2, target: "192.0.2.2", ts: round * 1000 }),
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

  it("ignores samples at or below the last judged seq (a resend judges nothing twice)", () => {
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
    const contact = (id: string, lastSeenTs: number) => engine.recordContact({ site: id, lastSeenTs, clockOffsetMs: 0, pushIntervalMs: 10_000, pendingRecords: 0, droppedRecords: 0, lastSeq: 0, viaLink: null });
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

  it("a site whose saved contact is already old is reported silent at the first look after a restart", () => {
    const saved = { site: "a", lastSeenTs: 0, clockOffsetMs: 0, pushIntervalMs: 10_000, pendingRecords: 0, droppedRecords: 0, lastSeq: 5, viaLink: null };
    const engine = new StateEngine([site], DEFAULT_LINK_STATE_POLICY, 3, { links: [], contacts: [saved] });
    expect(engine.takeChangedSites(60_000)).toEqual(["a"]);
  });
});
