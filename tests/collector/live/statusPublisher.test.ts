import { describe, expect, it } from "vitest";
import { StatusPublisher } from "../../../collector/live/statusPublisher.js";
import type { SiteStatus } from "../../../protocol/api.js";

function status(id: string, state: SiteStatus["state"], lastSeenTs: number): SiteStatus {
  return { id, name: id, address: null, simulated: false, state, lastSeenTs, clockOffsetMs: 0, clockSkewed: false, spool: null, refusedRecords: 0, lastPushVia: null, links: [] };
}

describe("collector/live/statusPublisher", () => {
  it("publishes a state change at once, holds back an unchanged state until its refresh is due, then sends the latest", () => {
    const sent: SiteStatus[] = [];
    const publisher = new StatusPublisher((s) => sent.push(s), 5000);
    publisher.offer(status("a", "up", 0), 0);
    publisher.offer(status("a", "up", 2000), 2000);
    publisher.offer(status("a", "degraded", 3000), 3000);
    publisher.offer(status("a", "degraded", 4000), 4000);
    expect(sent.map((s) => [s.state, s.lastSeenTs])).toEqual([["up", 0], ["degraded", 3000]]);
    const latest = { a: status("a", "degraded", 6000) };
    publisher.flushDue(7999, (id) => latest[id as "a"]);
    expect(sent).toHaveLength(2);
    publisher.flushDue(8000, (id) => latest[id as "a"]);
    expect(sent.map((s) => s.lastSeenTs)).toEqual([0, 3000, 6000]);
    publisher.flushDue(20_000, (id) => latest[id as "a"]);
    expect(sent).toHaveLength(3); // nothing held back any more
  });

  it("an offer that was published leaves nothing to flush", () => {
    const sent: SiteStatus[] = [];
    const publisher = new StatusPublisher((s) => sent.push(s), 5000);
    publisher.offer(status("a", "up", 0), 0);
    publisher.offer(status("a", "up", 6000), 6000);
    publisher.flushDue(60_000, () => status("a", "up", 9999));
    expect(sent.map((s) => s.lastSeenTs)).toEqual([0, 6000]);
  });
});
