import { afterEach, describe, expect, it } from "vitest";
import { HOUR_MS, rounds, slaSetup, vn, type Pattern } from "./slaHarness.js";

/** tslcd down 09:00–11:00 on the 11th, and again 10:00–10:30 on the 13th (inside the agent's silence); inet always up. */
const pattern: Pattern = (link, ts) => {
  if (link !== "tslcd") return true;
  const down1 = ts >= vn("2026-03-11T09:00") && ts < vn("2026-03-11T11:00");
  const down2 = ts >= vn("2026-03-13T10:00") && ts < vn("2026-03-13T10:30");
  return !(down1 || down2);
};

const START = vn("2026-03-10T00:00");
const SILENCE_FROM = vn("2026-03-12T06:00");
const SILENCE_TO = SILENCE_FROM + 72 * HOUR_MS;
const END = vn("2026-03-16T00:00");

const open: Array<ReturnType<typeof slaSetup>> = [];
afterEach(async () => {
  for (const setup of open.splice(0)) await setup.close();
});

function setupAt(startMs: number) {
  const setup = slaSetup({ startMs });
  open.push(setup);
  return setup;
}

describe("SLA reports after a backfill", () => {
  it("equal the report of the same samples arriving live, after a 72 h backfill", async () => {
    const live = setupAt(START);
    for (let t = START; t < END; t += HOUR_MS) {
      await live.write(rounds("a", t, t + HOUR_MS, pattern));
      await live.refreshAt(t + HOUR_MS);
    }
    const liveReport = await live.reports.report("2026-03", { kind: "all" });

    const late = setupAt(START);
    for (let t = START; t < END; t += HOUR_MS) {
      // Silent for 72 h: nothing arrives, yet passes run (and fill the time as unknown).
      if (t < SILENCE_FROM || t >= SILENCE_TO) await late.write(rounds("a", t, t + HOUR_MS, pattern));
      if (t + HOUR_MS === SILENCE_TO) {
        const during = await late.reports.report("2026-03", { kind: "all" });
        const tslcd = during.circuits.find((c) => c.link === "tslcd")!;
        expect(tslcd.allHours.unknownMs).toBeGreaterThanOrEqual(72 * HOUR_MS - 120_000);
        // Back: the backlog comes oldest first, after the snapshot.
        await late.write(rounds("a", SILENCE_FROM, SILENCE_TO, pattern));
      }
      await late.refreshAt(t + HOUR_MS);
    }
    const lateReport = await late.reports.report("2026-03", { kind: "all" });

    expect(lateReport).toEqual(liveReport);
    const tslcd = liveReport.circuits.find((c) => c.link === "tslcd")!;
    expect(tslcd.outages).toBe(2);
    expect(tslcd.outageMs).toBe(2 * HOUR_MS + 30 * 60_000);
    expect(tslcd.outageList.map((o) => o.startTs)).toEqual([vn("2026-03-11T09:00"), vn("2026-03-13T10:00")]);
    // Measured from the first round to how far the days are replayed (the 16th at 00:00): the rest of the month is not counted yet.
    expect(tslcd.allHours.upMs + tslcd.allHours.downMs).toBe(END - START);
    expect(liveReport.throughTs).toBe(END);
    expect(liveReport.partial).toBe(true);
  });
});
