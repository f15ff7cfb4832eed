import { describe, expect, it } from "vitest";
import { StatusPublisher } from "../../../collector/live/statusPublisher.js";
import type { SiteStatus } from "../../../protocol/api.js";

function status(id: string, state: SiteStatus["state"], lastSeenTs: number, lastPushVia: string | null = null): SiteStatus {
  return { id, name: id, address: null, simulated: false, state, lastSeenTs, clockOffsetMs: 0, clockSkewed: false, spool: null, refusedRecords: 0, lastPushVia, links: [] };
}

/** A publisher and the sites' current statuses, which the test changes as pushes would. */
function setUp(refreshMs: number) {
  const current = new Map<string, SiteStatus>();
  const publisher = new StatusPublisher(refreshMs);
  const change = (next: SiteStatus): void => {
    current.set(next.id, next);
    publisher.offer(next.id);
  };
  const frame = (nowMs: number) => publisher.frame(nowMs, (id) => current.get(id) ?? null).map((s) => [s.id, s.state, s.lastSeenTs]);
  return { change, frame };
}

describe("collector/live/statusPublisher", () => {
  it("sends a state change in the next frame, holds an unchanged state back until its refresh is due, then sends the latest", () => {
    const { change, frame } = setUp(20_000);
    change(status("a", "up", 0));
    expect(frame(250)).toEqual([["a", "up", 0]]);
    change(status("a", "up", 2000));
    expect(frame(2250)).toEqual([]);
    change(status("a", "degraded", 3000));
    expect(frame(3250)).toEqual([["a", "degraded", 3000]]);
    change(status("a", "degraded", 4000));
    change(status("a", "degraded", 6000));
    expect(frame(23_000)).toEqual([]);
    expect(frame(23_250)).toEqual([["a", "degraded", 6000]]);
    expect(frame(60_000)).toEqual([]); // nothing held back any more
  });

  it("gives each site at most once per frame, however often it was offered, as it is at the frame", () => {
    const { change, frame } = setUp(20_000);
    for (let i = 0; i < 50; i++) change(status("a", i % 2 === 0 ? "up" : "down", i));
    change(status("b", "up", 7));
    expect(frame(250)).toEqual([["a", "down", 49], ["b", "up", 7]]);
  });

  it("sends a change of the link the pushes come through at once (failover is news)", () => {
    const { change, frame } = setUp(20_000);
    change(status("a", "up", 0, "tslcd"));
    frame(250);
    change(status("a", "up", 1000, "inet"));
    expect(frame(1250)).toEqual([["a", "up", 1000]]);
  });

  it("a site sent because its state changed leaves no refresh due from before", () => {
    const { change, frame } = setUp(5000);
    change(status("a", "up", 0));
    frame(0);
    change(status("a", "up", 1000));
    expect(frame(1000)).toEqual([]);
    change(status("a", "down", 2000));
    expect(frame(2000)).toEqual([["a", "down", 2000]]);
    expect(frame(5000)).toEqual([]); // the held refresh (due at 5000) went out with the change
  });
});
