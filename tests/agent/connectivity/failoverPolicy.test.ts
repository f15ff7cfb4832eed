import { describe, expect, it } from "vitest";
import { decideGroupLink, type LinkCondition } from "../../../agent/connectivity/failoverPolicy.js";

const LINKS = ["tslcd", "inet"];
const HOLD = 300_000;
const conditions = (entries: Record<string, LinkCondition>) => new Map(Object.entries(entries));

describe("agent/connectivity/failoverPolicy", () => {
  it("stays on the preferred link while it is up or only degraded", () => {
    expect(decideGroupLink(LINKS, "tslcd", conditions({ tslcd: { state: "up", sinceTs: 0 }, inet: { state: "up", sinceTs: 0 } }), 1000, HOLD)).toBeNull();
    expect(decideGroupLink(LINKS, "tslcd", conditions({ tslcd: { state: "degraded", sinceTs: 0 }, inet: { state: "up", sinceTs: 0 } }), 1000, HOLD)).toBeNull();
  });

  it("moves to the next link that is not down when the active one is down", () => {
    expect(decideGroupLink(LINKS, "tslcd", conditions({ tslcd: { state: "down", sinceTs: 0 }, inet: { state: "up", sinceTs: 0 } }), 1000, HOLD)).toEqual({
      from: "tslcd",
      to: "inet",
      reason: "preferred_down",
    });
  });

  it("stays put when every link is down", () => {
    expect(decideGroupLink(LINKS, "tslcd", conditions({ tslcd: { state: "down", sinceTs: 0 }, inet: { state: "down", sinceTs: 0 } }), 1000, HOLD)).toBeNull();
  });

  it("moves back only after the preferred link has been up for the hold time", () => {
    const back = conditions({ tslcd: { state: "up", sinceTs: 10_000 }, inet: { state: "up", sinceTs: 0 } });
    expect(decideGroupLink(LINKS, "inet", back, 10_000 + HOLD - 1, HOLD)).toBeNull();
    expect(decideGroupLink(LINKS, "inet", back, 10_000 + HOLD, HOLD)).toEqual({ from: "inet", to: "tslcd", reason: "preferred_back" });
  });

  it("does not move back to a preferred link that is only degraded", () => {
    const degraded = conditions({ tslcd: { state: "degraded", sinceTs: 0 }, inet: { state: "up", sinceTs: 0 } });
    expect(decideGroupLink(LINKS, "inet", degraded, 10 * HOLD, HOLD)).toBeNull();
  });
});
