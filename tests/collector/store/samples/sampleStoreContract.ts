import { afterEach, describe, expect, it } from "vitest";
import type { SampleRecord, SampleStore, SeriesRequest } from "../../../../collector/store/samples/sampleStore.js";
import { baseTime, httpAppRecord, icmpRecord, icmpSamplesBetween, tcpLanRecord } from "./sampleFixtures.js";

/** A store made for one test, its clock (UTC ms) settable by the test. */
export interface StoreUnderTest {
  store: SampleStore;
  clock: { now: number };
}

/**
 * What a backend keys a sample's time on (docs/storage.md, Identity): `agentTs`, the agent's own timestamp (SQLite),
 * or `ts`, the corrected time (InfluxDB, whose point identity is the time queries range over).
 */
export type IdentityTime = "agentTs" | "ts";

/** Makes a fresh, empty store with the given retention (ms) and its clock; the suite closes it after the test. */
export type SampleStoreFactory = (retention: { rawRetentionMs: number; rollupRetentionMs: number }) => Promise<StoreUnderTest>;

const DAY = 86_400_000;
const HOUR = 3_600_000;
const DEFAULT_RETENTION = { rawRetentionMs: 30 * DAY, rollupRetentionMs: 400 * DAY };

function series(overrides: Partial<SeriesRequest> & Pick<SeriesRequest, "from" | "to" | "stepMs">): SeriesRequest {
  return { site: "ward-1", link: "tslcd", kind: "icmp", metrics: [{ field: "rtt_avg_ms", stat: "mean" }], ...overrides };
}

/** Writes `records` in batches of `size` (an agent push), oldest first. */
async function writeInBatches(store: SampleStore, records: SampleRecord[], size = 500): Promise<void> {
  for (let i = 0; i < records.length; i += size) await store.write(records.slice(i, i + size));
}

/**
 * The behaviour every sample store backend must have (collector/store/samples/sampleStore.ts), run against a backend
 * through `factory`: identity and idempotent writes, series with buckets and nulls, several metrics, rollups, late data,
 * retention, bounds.
 */
export function describeSampleStoreContract(backend: string, factory: SampleStoreFactory, identityTime: IdentityTime): void {
  describe(`SampleStore contract: ${backend}`, () => {
    const opened: SampleStore[] = [];
    const open = async (retention = DEFAULT_RETENTION): Promise<StoreUnderTest> => {
      const made = await factory(retention);
      opened.push(made.store);
      return made;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    it("stores a measurement once: a resend, even under another seq, is a duplicate; a reused seq with a new ts is stored", async () => {
      const { store, clock } = await open();
      const t0 = baseTime();
      clock.now = t0 + HOUR;
      const first = icmpRecord("ward-1", "tslcd", t0, 1, 12);
      expect(await store.write([first])).toEqual({ written: 1, duplicates: store.reportsDuplicates ? 0 : null, expired: 0 });
      const again = await store.write([first]);
      const underAnotherSeq = await store.write([{ ...first, sample: { ...first.sample, seq: 7 } }]);
      if (store.reportsDuplicates) {
        expect(again).toEqual({ written: 0, duplicates: 1, expired: 0 });
        expect(underAnotherSeq).toEqual({ written: 0, duplicates: 1, expired: 0 });
      } else {
        expect(again).toEqual({ written: 1, duplicates: null, expired: 0 });
        expect(underAnotherSeq).toEqual({ written: 1, duplicates: null, expired: 0 });
      }
      expect(await store.listSeqs("ward-1", t0, t0 + HOUR)).toHaveLength(1);
      const reused = icmpRecord("ward-1", "tslcd", t0 + 10_000, 1, 14);
      expect((await store.write([reused])).written).toBe(1);
      expect(await store.listSeqs("ward-1", t0, t0 + HOUR)).toHaveLength(2);
      // Another site, link or probe at the same ts is another sample.
      await store.write([icmpRecord("ward-2", "tslcd", t0, 1, 12), icmpRecord("ward-1", "internet", t0, 2, 30), icmpRecord("ward-1", "tslcd", t0, 3, 13, "icmp:10.0.0.2")]);
      expect(await store.listSeqs("ward-1", t0, t0 + HOUR)).toHaveLength(4);
      expect(await store.listSeqs("ward-2", t0, t0 + HOUR)).toEqual([1]);
    });

    it(`a resend after the site's clock correction moved: ${identityTime === "agentTs" ? "the same sample (keyed on the agent's own time), counted once by the rollups" : "a second point (keyed on the corrected time), as documented"}`, async () => {
      const { store, clock } = await open();
      const t0 = baseTime();
      clock.now = t0 + HOUR;
      // Sent with the agent's clock 60 s behind (corrected by +60 s), the answer lost; sent again once NTP fixed it.
      const measured = icmpRecord("ward-1", "tslcd", t0 + 60_000, 1, 12);
      const first = { ...measured, agentTs: t0 };
      const resent = { ...measured, ts: t0, agentTs: t0 };
      await store.write([first]);
      const again = await store.write([resent]);
      await store.rollUp(t0 + HOUR);
      const [rollup, ...more] = await store.readRollups({ site: "ward-1", kind: "icmp", resolution: "5m", from: t0, to: t0 + HOUR });
      expect(more).toEqual([]);
      if (identityTime === "agentTs") {
        expect(again).toEqual({ written: 0, duplicates: 1, expired: 0 });
        expect(await store.listSeqs("ward-1", t0, t0 + HOUR)).toEqual([1]);
        expect(rollup!.fields.rtt_avg_ms).toMatchObject({ count: 1, sum: 12 });
        // Stored at the time it was first stored under.
        expect(await store.linkOutcomes("ward-1", t0, t0 + HOUR)).toMatchObject([{ ts: t0 + 60_000, link: "tslcd", ok: true }]);
      } else {
        expect(again.written).toBe(1);
        expect(await store.listSeqs("ward-1", t0, t0 + HOUR)).toEqual([1, 1]);
        expect(rollup!.fields.rtt_avg_ms).toMatchObject({ count: 2, sum: 24 });
      }
    });

    it("answers series in buckets, null where no sample had the field, several metrics in one request", async () => {
      const { store, clock } = await open();
      const t0 = baseTime();
      clock.now = t0 + HOUR;
      await store.write([
        icmpRecord("ward-1", "tslcd", t0, 1, 10),
        icmpRecord("ward-1", "tslcd", t0 + 10_000, 2, 20),
        icmpRecord("ward-1", "tslcd", t0 + 20_000, 3, null),
        // bucket [30 s, 60 s) empty
        icmpRecord("ward-1", "tslcd", t0 + 60_000, 4, null),
        icmpRecord("ward-1", "internet", t0, 5, 99), // another link: not in this series
      ]);
      const answer = await store.querySeries(
        series({
          from: t0,
          to: t0 + 90_000,
          stepMs: 30_000,
          metrics: [
            { field: "rtt_avg_ms", stat: "mean" },
            { field: "loss_pct", stat: "max" },
            { field: "ok", stat: "mean" },
            { field: "rtt_avg_ms", stat: "count" },
          ],
        }),
      );
      expect(answer.resolution).toBe("raw");
      expect(answer.timestamps).toEqual([t0, t0 + 30_000, t0 + 60_000]);
      expect(answer.values[0]).toEqual([15, null, null]);
      expect(answer.values[1]).toEqual([100, null, 100]);
      expect(answer.values[2]![0]).toBeCloseTo(2 / 3, 12);
      expect(answer.values[2]!.slice(1)).toEqual([null, 0]);
      expect(answer.values[3]).toEqual([2, null, null]);
    });

    it("keeps samples without a link (LAN devices) apart, queried with link null", async () => {
      const { store, clock } = await open();
      const t0 = baseTime();
      clock.now = t0 + HOUR;
      await store.write([tcpLanRecord("ward-1", t0, 1, 3), tcpLanRecord("ward-1", t0 + 10_000, 2, 5)]);
      const answer = await store.querySeries({ site: "ward-1", link: null, kind: "tcp", metrics: [{ field: "connect_ms", stat: "mean" }], from: t0, to: t0 + 60_000, stepMs: 60_000 });
      expect(answer.values[0]).toEqual([4]);
    });

    it("rolls closed windows up (count, mean, min, max per field) and reads long ranges from the rollups", async () => {
      const { store, clock } = await open();
      const t0 = baseTime();
      const records = icmpSamplesBetween("ward-1", t0, t0 + 8 * HOUR, 60_000);
      clock.now = t0 + 8 * HOUR;
      await writeInBatches(store, records);
      // Open windows are not rolled up yet: at t0 + 30 min only the first six 5-minute windows have closed.
      expect(await store.rollUp(t0 + 30 * 60_000, 10_000)).toMatchObject({ recomputed: 6 });
      await store.rollUp(t0 + 8 * HOUR, 10_000);
      const fiveMinute = await store.readRollups({ site: "ward-1", kind: "icmp", resolution: "5m", from: t0, to: t0 + 8 * HOUR });
      expect(fiveMinute).toHaveLength(2 * 96);
      const firstWindow = records.filter((r) => r.sample.link === "tslcd" && r.ts < t0 + 300_000);
      const rtts = firstWindow.map((r) => (r.sample as { rttAvgMs: number | null }).rttAvgMs).filter((v): v is number => v !== null);
      const row = fiveMinute.find((r) => r.link === "tslcd" && r.windowTs === t0)!;
      expect(row.fields.rtt_avg_ms!.count).toBe(rtts.length);
      expect(row.fields.rtt_avg_ms!.mean).toBeCloseTo(rtts.reduce((a, b) => a + b, 0) / rtts.length, 9);
      expect(row.fields.rtt_avg_ms!.min).toBe(Math.min(...rtts));
      expect(row.fields.rtt_avg_ms!.max).toBe(Math.max(...rtts));
      expect(row.fields.ok!.count).toBe(5);
      const hours = await store.readRollups({ site: "ward-1", kind: "icmp", resolution: "1h", from: t0, to: t0 + 8 * HOUR });
      expect(hours).toHaveLength(2 * 8);

      const longRange = series({ from: t0, to: t0 + 8 * HOUR, stepMs: HOUR, metrics: [{ field: "rtt_avg_ms", stat: "mean" }, { field: "rtt_max_ms", stat: "max" }] });
      const fromRollups = await store.querySeries(longRange);
      expect(fromRollups.resolution).toBe("1h");
      // The same buckets from raw samples (a 5-hour range is read raw) agree.
      const fromRaw = await store.querySeries({ ...longRange, to: t0 + 5 * HOUR });
      expect(fromRaw.resolution).toBe("raw");
      fromRaw.values[0]!.forEach((value, i) => expect(fromRollups.values[0]![i]).toBeCloseTo(value!, 9));
      expect(fromRollups.values[1]!.slice(0, 5)).toEqual(fromRaw.values[1]);
      const fiveMinuteSteps = await store.querySeries({ ...longRange, stepMs: 15 * 60_000 });
      expect(fiveMinuteSteps.resolution).toBe("5m");
    });

    it("recomputes the rollups of a window that late samples fill", async () => {
      const { store, clock } = await open();
      const t0 = baseTime();
      clock.now = t0 + 2 * HOUR;
      await store.write([icmpRecord("ward-1", "tslcd", t0, 1, 10)]);
      await store.rollUp(t0 + 2 * HOUR);
      await store.write([icmpRecord("ward-1", "tslcd", t0 + 60_000, 2, 30)]);
      await store.rollUp(t0 + 2 * HOUR);
      const [fiveMinute] = await store.readRollups({ site: "ward-1", kind: "icmp", resolution: "5m", from: t0, to: t0 + HOUR });
      expect(fiveMinute!.fields.rtt_avg_ms).toEqual({ count: 2, sum: 40, mean: 20, min: 10, max: 30 });
      const [hour] = await store.readRollups({ site: "ward-1", kind: "icmp", resolution: "1h", from: t0, to: t0 + HOUR });
      expect(hour!.fields.rtt_avg_ms).toEqual({ count: 2, sum: 40, mean: 20, min: 10, max: 30 });
    });

    it("gives the same rollups after a 72 h outage and its backfill as for the same samples arriving live", async () => {
      const live = await open();
      const late = await open();
      const t0 = baseTime() - 3 * DAY + 4 * HOUR; // 76 h of samples ending before now
      const end = t0 + 76 * HOUR;
      const outageFrom = t0 + 2 * HOUR;
      const outageTo = outageFrom + 72 * HOUR;
      const records = icmpSamplesBetween("ward-1", t0, end, 60_000);
      const PUSH_MS = 10 * 60_000;
      for (let pushTs = t0 + PUSH_MS; pushTs <= end; pushTs += PUSH_MS) {
        const due = records.filter((r) => r.ts >= pushTs - PUSH_MS && r.ts < pushTs);
        live.clock.now = pushTs;
        await live.store.write(due);
        await live.store.rollUp(pushTs, 10_000);
        late.clock.now = pushTs;
        if (pushTs <= outageFrom || pushTs > outageTo) {
          // Back after the outage: the agent sends its spool (oldest first, pushes of 500) before the new samples.
          const backlog = pushTs > outageTo && pushTs - PUSH_MS <= outageTo ? records.filter((r) => r.ts >= outageFrom && r.ts < pushTs - PUSH_MS) : [];
          await writeInBatches(late.store, backlog);
          await late.store.write(due);
        }
        await late.store.rollUp(pushTs, 10_000);
      }
      await live.store.rollUp(end + HOUR, 10_000);
      await late.store.rollUp(end + HOUR, 10_000);
      for (const resolution of ["5m", "1h"] as const) {
        const query = { site: "ward-1", kind: "icmp" as const, resolution, from: t0, to: end };
        const liveRows = await live.store.readRollups(query);
        expect(liveRows.length).toBe(resolution === "5m" ? 2 * 76 * 12 : 2 * 76);
        expect(await late.store.readRollups(query)).toEqual(liveRows);
      }
    });

    it("refuses samples older than the raw retention (counted as expired, never returned)", async () => {
      const { store, clock } = await open({ rawRetentionMs: 2 * HOUR, rollupRetentionMs: 400 * DAY });
      // Near the real now: an engine that retains by its own clock (InfluxDB) must agree with the store's clock here.
      const t0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
      clock.now = t0 + 3 * HOUR;
      const result = await store.write([icmpRecord("ward-1", "tslcd", t0, 1, 10), icmpRecord("ward-1", "tslcd", t0 + 2 * HOUR, 2, 10)]);
      expect(result).toMatchObject({ written: 1, expired: 1 });
      expect(await store.listSeqs("ward-1", t0 - HOUR, t0 + 4 * HOUR)).toEqual([2]);
    });

    it("bounds every query: points, metrics, range, unknown fields, unaligned long ranges", async () => {
      const { store } = await open();
      const t0 = baseTime();
      await expect(store.querySeries(series({ from: t0, to: t0 + 20_000_000, stepMs: 1000 }))).rejects.toThrow(/at most 10000 allowed/);
      await expect(store.querySeries(series({ from: t0, to: t0 + 60_000, stepMs: 1000, metrics: [{ field: "status_code", stat: "mean" }] }))).rejects.toThrow(/not a stored field of icmp/);
      await expect(store.querySeries(series({ from: t0, to: t0 + 60_000, stepMs: 1000, metrics: [] }))).rejects.toThrow(/1 to 8 allowed/);
      await expect(store.querySeries(series({ from: t0 + 1, to: t0 + 10 * DAY, stepMs: HOUR }))).rejects.toThrow(/multiples of 5 minutes/);
      await expect(store.querySeries(series({ from: t0, to: t0 + 500 * DAY, stepMs: DAY }))).rejects.toThrow(/longer than/);
      await expect(store.querySeries(series({ from: t0, to: t0, stepMs: 1000 }))).rejects.toThrow(RangeError);
    });

    it("summarizes application paths from the hourly rollups as from raw samples (rounds, % ok, mean latency), on whole hours only", async () => {
      const { store, clock } = await open();
      const t0 = baseTime();
      const records: SampleRecord[] = [];
      let seq = 1;
      for (let ts = t0; ts < t0 + 3 * HOUR; ts += 60_000) {
        const minute = (ts - t0) / 60_000;
        // Over TSLCD every 10th round fails (no response, so no latency either); over the Internet every 4th.
        records.push(httpAppRecord("ward-1", "tslcd", "motcua", ts, seq++, minute % 10 === 0 ? null : 100 + (minute % 7)));
        records.push(httpAppRecord("ward-1", "internet", "motcua", ts, seq++, minute % 4 === 0 ? null : 300 + (minute % 5)));
      }
      clock.now = t0 + 4 * HOUR;
      await writeInBatches(store, records);
      await store.rollUp(t0 + 4 * HOUR, 10_000);
      const raw = await store.pathSummaries({ role: "app", from: t0, to: t0 + 3 * HOUR });
      const hourly = await store.pathSummaries({ role: "app", from: t0, to: t0 + 3 * HOUR, resolution: "1h" });
      expect(raw.map((p) => [p.link, p.rounds])).toEqual([["internet", 180], ["tslcd", 180]]);
      expect(hourly.map((p) => [p.site, p.probe, p.link, p.kind, p.rounds])).toEqual(raw.map((p) => [p.site, p.probe, p.link, p.kind, p.rounds]));
      hourly.forEach((path, i) => {
        expect(path.okPct).toBeCloseTo(raw[i]!.okPct, 9);
        expect(path.latencyAvgMs).toBeCloseTo(raw[i]!.latencyAvgMs!, 9);
      });
      expect(raw.find((p) => p.link === "tslcd")!.okPct).toBeCloseTo(90, 9);
      await expect(store.pathSummaries({ role: "app", from: t0 + 1, to: t0 + 3 * HOUR, resolution: "1h" })).rejects.toThrow(/whole hours/);
      await expect(store.pathSummaries({ role: "app", from: t0, to: t0 + 8 * DAY })).rejects.toThrow(/7 days/);
    });

    it("lists a site's link outcomes in time order, for classifying a silence", async () => {
      const { store, clock } = await open();
      const t0 = baseTime();
      clock.now = t0 + HOUR;
      await store.write([icmpRecord("ward-1", "tslcd", t0 + 20_000, 2, null), icmpRecord("ward-1", "internet", t0, 1, 30), tcpLanRecord("ward-1", t0 + 5000, 3, 2)]);
      expect(await store.linkOutcomes("ward-1", t0, t0 + 20_000)).toEqual([
        { ts: t0, link: "internet", probe: "icmp:10.0.0.1", ok: true },
        { ts: t0 + 20_000, link: "tslcd", probe: "icmp:10.0.0.1", ok: false },
      ]);
    });

    it("lists link outcomes page after page, each after the last of the one before: nothing cut, nothing twice", async () => {
      const { store, clock } = await open();
      const t0 = baseTime();
      clock.now = t0 + HOUR;
      // Ties at one time across links and probes, so a page can end between two outcomes of the same ts.
      const records = [0, 10_000, 20_000].flatMap((offset, round) =>
        ["internet", "tslcd"].flatMap((link, l) => ["icmp:10.0.0.1", "icmp:10.0.0.2"].map((probe, p) => icmpRecord("ward-1", link, t0 + offset, round * 4 + l * 2 + p + 1, p === 0 ? 20 : null, probe))),
      );
      await store.write([...records, tcpLanRecord("ward-1", t0 + 10_000, 99, 3)]);
      const whole = await store.linkOutcomes("ward-1", t0, t0 + 20_000);
      expect(whole).toHaveLength(12);
      expect(whole.slice(0, 4).map((o) => `${o.link} ${o.probe} ${o.ok}`)).toEqual(["internet icmp:10.0.0.1 true", "internet icmp:10.0.0.2 false", "tslcd icmp:10.0.0.1 true", "tslcd icmp:10.0.0.2 false"]);
      for (const limit of [1, 3, 5]) {
        const paged = [];
        let after: (typeof whole)[number] | null = null;
        for (let page = await store.linkOutcomes("ward-1", t0, t0 + 20_000, { after, limit }); page.length > 0; page = await store.linkOutcomes("ward-1", t0, t0 + 20_000, { after, limit })) {
          expect(page.length).toBeLessThanOrEqual(limit);
          paged.push(...page);
          after = page.at(-1)!;
        }
        expect(paged).toEqual(whole);
      }
    });
  });
}
