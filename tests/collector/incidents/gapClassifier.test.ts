import { describe, expect, it } from "vitest";
import { classifyGap } from "../../../collector/incidents/gapClassifier.js";

const TZ = "Asia/Ho_Chi_Minh";
const FROM = Date.parse("2026-11-24T02:00:00Z");
const TO = FROM + 600_000;
const rounds = (fromTs: number, toTs: number, ok: (ts: number) => boolean) =>
  Array.from({ length: Math.floor((toTs - fromTs) / 10_000) }, (_, i) => fromTs + i * 10_000).flatMap((ts) => [
    { ts, link: "tslcd", ok: ok(ts) },
    { ts, link: "inet", ok: ok(ts) },
  ]);

describe("collector/incidents/gapClassifier", () => {
  it("no samples at all: power or agent outage, restored when the gap ends", () => {
    expect(classifyGap([], FROM, TO, TZ)).toMatchObject({ cause: "power_or_agent", restoredTs: TO, failedLinks: [] });
  });

  it("samples only for the last minutes: the agent was off most of the gap", () => {
    expect(classifyGap(rounds(TO - 60_000, TO, () => true), FROM, TO, TZ)).toMatchObject({ cause: "power_or_agent", restoredTs: TO - 60_000 });
  });

  it("a few samples taken just before the agent stopped (sent after its restart) do not count as measuring through the gap", () => {
    const tail = rounds(FROM, FROM + 20_000, () => true);
    expect(classifyGap(tail, FROM, TO, TZ)).toMatchObject({ cause: "power_or_agent", restoredTs: TO });
    const result = classifyGap([...tail, ...rounds(TO - 60_000, TO, () => true)], FROM, TO, TZ);
    expect(result).toMatchObject({ cause: "power_or_agent", restoredTs: TO - 60_000 });
    expect(result.evidence[0]).toContain("09:00");
  });

  it("measured throughout with every link failing: a link outage, restored at the first good round", () => {
    const result = classifyGap(rounds(FROM, TO, (ts) => ts >= TO - 30_000), FROM, TO, TZ);
    expect(result).toMatchObject({ cause: "links_down_while_silent", restoredTs: TO - 30_000, failedLinks: ["tslcd", "inet"] });
    expect(result.evidence[0]).toContain("mọi đường truyền đều không phản hồi");
  });

  it("measured throughout with links answering: the collector was unreachable, not the links", () => {
    expect(classifyGap(rounds(FROM, TO, () => true), FROM, TO, TZ)).toMatchObject({ cause: "agent_silent", failedLinks: [] });
  });
});
