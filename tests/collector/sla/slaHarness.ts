/** SLA components over real stores (in-memory SQLite sample, metadata and SLA stores), a clock, and a sample generator. */
import type { MaintenanceWindow, ProviderConfig, SiteConfig } from "../../../config/collectorSchema.js";
import { LocalCalendar } from "../../../collector/sla/localCalendar.js";
import { SlaDayStore } from "../../../collector/sla/slaDayStore.js";
import { SlaRefresher } from "../../../collector/sla/slaRefresher.js";
import { SlaReports } from "../../../collector/sla/slaReports.js";
import type { Weekday } from "../../../collector/alerts/officeHours.js";
import { calendarOfficeTime } from "../../../collector/sla/officeMask.js";
import { WorkingCalendar } from "../../../config/calendar/workingCalendar.js";
import { toOfficeSchedule } from "../../../config/calendar/officeSchedule.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import { SqliteSampleStore } from "../../../collector/store/samples/sqlite.js";
import type { SampleRecord } from "../../../collector/store/samples/sampleStore.js";
import { DEFAULT_LINK_STATE_POLICY } from "../../../protocol/linkState.js";
import type { Sample } from "../../../protocol/sample.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

export const TZ = "Asia/Ho_Chi_Minh";
export const ROUND_MS = 10_000;
export const HOUR_MS = 3_600_000;

/** Monday to Friday, 07:30–17:00 (the configuration's default). */
export const OFFICE_HOURS = { days: ["mon", "tue", "wed", "thu", "fri"] as Weekday[], start: "07:30", end: "17:00" };

/** Local time in Vietnam (UTC+7) to UTC ms: "2026-03-10T08:00". */
export function vn(local: string): number {
  return Date.parse(`${local}:00+07:00`);
}

export const PROVIDERS: ProviderConfig[] = [
  { id: "vnpt", name: "VNPT", notify: [], slaTargetPct: 99.5 },
  { id: "viettel", name: "Viettel", notify: [], slaTargetPct: 99 },
];

/** A site with a VNPT TSLCD link and a Viettel Internet link. */
export function site(id: string): SiteConfig {
  return {
    id,
    name: `Phường ${id}`,
    address: null,
    location: null,
    simulated: false,
    contacts: [],
    links: [
      { id: "tslcd", kind: "dedicated", provider: "vnpt", circuit: `TSL-${id}`, bandwidthMbps: 200 },
      { id: "inet", kind: "internet", provider: "viettel", circuit: `INET-${id}`, bandwidthMbps: 100 },
    ],
  };
}

/** Whether a link's round at `ts` got through; null: no round (the agent was off). */
export type Pattern = (link: string, ts: number) => boolean | null;

let seq = 0;

/** The samples of one site's rounds every 10 s in [fromTs, toTs), one ICMP probe per link, as stored. */
export function rounds(siteId: string, fromTs: number, toTs: number, pattern: Pattern): SampleRecord[] {
  const records: SampleRecord[] = [];
  const first = Math.ceil(fromTs / ROUND_MS) * ROUND_MS;
  for (let ts = first; ts < toTs; ts += ROUND_MS) {
    for (const link of ["inet", "tslcd"]) {
      const ok = pattern(link, ts);
      if (ok === null) continue;
      const sample: Sample = {
        seq: ++seq,
        ts,
        role: "link",
        link,
        probe: `${link}-gw`,
        target: "10.0.0.1",
        round: Math.floor(ts / ROUND_MS),
        roundSize: 1,
        ok,
        kind: "icmp",
        sent: 5,
        received: ok ? 5 : 0,
        lossPct: ok ? 0 : 100,
        rttMinMs: ok ? 9 : null,
        rttAvgMs: ok ? 10 : null,
        rttMaxMs: ok ? 11 : null,
        rttStddevMs: ok ? 1 : null,
      };
      records.push({ site: siteId, provider: link === "tslcd" ? "vnpt" : "viettel", ts, agentTs: ts, sample });
    }
  }
  return records;
}

/** Everything an SLA test works with. */
export function slaSetup(options: { sites?: SiteConfig[]; maintenance?: MaintenanceWindow[]; startMs: number; minCoveragePct?: number }) {
  const clock = { nowMs: options.startMs };
  const sites = options.sites ?? [site("a")];
  const samples = SqliteSampleStore.open(":memory:", { rawRetentionMs: 3650 * 86_400_000, rollupRetentionMs: 3650 * 86_400_000, retentionChunkRows: 2000 }, () => clock.nowMs);
  const metadata = SqliteMetadataStore.open(":memory:");
  const days = SlaDayStore.open(":memory:");
  const calendar = new LocalCalendar(TZ);
  const { logger } = memoryLogger("sla");
  const policy = { linkPolicy: DEFAULT_LINK_STATE_POLICY, maxRoundGapMs: 120_000 };
  const refresher = new SlaRefresher({ days, samples, sites, calendar, policy, settleMs: 0, now: () => clock.nowMs, logger, daysPerPass: 10_000 });
  const reports = new SlaReports({
    sites,
    providers: PROVIDERS,
    maintenance: options.maintenance ?? [],
    maxRoundGapMs: policy.maxRoundGapMs,
    // The tests below a month's worth of samples judge the figures they build; the coverage rule has its own test.
    minCoveragePct: options.minCoveragePct ?? 0,
    calendar,
    days: (s, from, to) => days.between(s, from, to),
    replay: refresher,
    incidents: metadata.incidents,
    isOfficeTime: calendarOfficeTime(new WorkingCalendar({ schedule: toOfficeSchedule(OFFICE_HOURS), timeZone: TZ }), calendar),
    now: () => clock.nowMs,
    cacheMs: 0,
  });
  /** Stores samples (in batches of 500, as agents send them) and tells the refresher, as the ingest path does. */
  const write = async (records: SampleRecord[]): Promise<void> => {
    for (let i = 0; i < records.length; i += 500) {
      const batch = records.slice(i, i + 500);
      await samples.write(batch);
      refresher.noteWritten(batch);
    }
  };
  /** Sets the clock and runs passes until no work is left. */
  const refreshAt = async (nowMs: number): Promise<void> => {
    clock.nowMs = nowMs;
    while ((await refresher.refresh()).pending);
  };
  const close = async (): Promise<void> => {
    await refresher.stop();
    days.close();
    metadata.close();
    await samples.close();
  };
  return { clock, sites, samples, metadata, days, calendar, refresher, reports, write, refreshAt, close };
}
