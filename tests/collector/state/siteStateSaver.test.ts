import { afterEach, describe, expect, it } from "vitest";
import type { SiteConfig } from "../../../config/collectorSchema.js";
import { DEFAULT_LINK_STATE_POLICY } from "../../../protocol/linkState.js";
import { StoreBreaker } from "../../../collector/health/storeBreaker.js";
import { SiteStateSaver } from "../../../collector/state/siteStateSaver.js";
import { StateEngine } from "../../../collector/state/stateEngine.js";
import type { SiteContact } from "../../../collector/store/store.js";
import { icmpSample } from "../../helpers/batches.js";
import { lockableStore, type LockableStore } from "../../helpers/lockableStore.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

const site = (id: string): SiteConfig => ({
  id,
  name: id,
  address: null,
  location: null,
  simulated: false,
  contacts: [],
  links: [{ id: "tslcd", kind: "dedicated", provider: "vnpt", circuit: `C-${id}`, bandwidthMbps: 200 }],
});
const contact = (siteId: string, lastSeq: number): SiteContact => ({ site: siteId, lastSeenTs: lastSeq * 10_000, clockOffsetMs: 0, pushIntervalMs: 10_000, pendingRecords: 0, droppedRecords: 0, lastSeq, viaLink: null, clockCorrectionMs: 0, refusedRecords: 0, agentRefusedRecords: null });

describe("collector/state/siteStateSaver (a real SQLite store, locked by another connection)", () => {
  let db: LockableStore;
  afterEach(() => db.remove());

  it("keeps a push's link states and contact through a failed save and saves them with the next site's push", () => {
    db = lockableStore();
    const now = { ts: 1_000_000 };
    const breaker = new StoreBreaker({
      probe: (ms) => db.store.probeWrite(ms),
      isUnavailable: (err) => db.store.isUnavailableError(err),
      policy: { probeIntervalMs: 1000, outageAfterMs: 30_000 },
      now: () => now.ts,
      monotonicNow: () => now.ts,
      logger: memoryLogger("breaker").logger,
    });
    const engine = new StateEngine([site("a"), site("b")], DEFAULT_LINK_STATE_POLICY, 3, { links: [], contacts: [] });
    const saver = new SiteStateSaver(engine, db.store, breaker, memoryLogger("saver").logger);

    engine.recordContact(contact("a", 7));
    engine.observe("a", [{ site: "a", ts: 10_000, agentTs: 10_000, sample: icmpSample(7, { ts: 10_000 }) }]);
    db.lock();
    saver.afterPush("a");
    expect(breaker.writable).toBe(false);
    db.unlock();
    // The store is back (a good probe; then a write closes the breaker): b's push saves a's state too.
    now.ts += 2000;
    breaker.tick();
    engine.recordContact(contact("b", 3));
    saver.afterPush("b");
    expect(db.store.loadSiteContacts().map((c) => [c.site, c.lastSeq])).toEqual([["a", 7], ["b", 3]]);
    expect(db.store.loadLinkStates().map((s) => `${s.site}/${s.link}`)).toEqual(["a/tslcd"]);
  });
});
