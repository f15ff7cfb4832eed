/**
 * Cost of SLA reports for the whole country (3,321 sites × 2 links), in two parts, on real SQLite files:
 * 1. Replay: one local day of `replaySites` sites (rounds every 10 s on both links, an outage on one link) written to
 *    a SqliteSampleStore, then replayed by the SlaRefresher into sla.db; CPU time per site-day, and what a month of
 *    the country costs at that rate (the refresher spreads it over the month: each day is replayed once, as it passes).
 * 2. Report: a month of replayed days for every site of the country (built directly, a few outages each) in sla.db,
 *    then SlaReports.report for the whole country: wall time, and the longest time the event loop was held.
 * Prints figures only; asserts nothing. `npm run build && node dist/bench/sla.js [replaySites] [reportSites]`
 * (defaults 100 and 3,321).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { SiteConfig } from "../config/collectorSchema.js";
import { createLogger } from "../config/logger.js";
import { LocalCalendar } from "../collector/sla/localCalendar.js";
import type { Weekday } from "../collector/alerts/officeHours.js";
import { calendarOfficeTime } from "../collector/sla/officeMask.js";
import { loadWorkingCalendar } from "../config/calendar/workingCalendar.js";
import { toOfficeSchedule } from "../config/calendar/officeSchedule.js";
import { emptySiteDay } from "../collector/sla/siteDayReplay.js";
import { SlaDayStore } from "../collector/sla/slaDayStore.js";
import { SlaRefresher } from "../collector/sla/slaRefresher.js";
import { SlaReports } from "../collector/sla/slaReports.js";
import type { SampleRecord } from "../collector/store/samples/sampleStore.js";
import { SqliteSampleStore } from "../collector/store/samples/sqlite.js";
import { DEFAULT_LINK_STATE_POLICY, initialLinkState } from "../protocol/linkState.js";

const TZ = "Asia/Ho_Chi_Minh";
const ROUND_MS = 10_000;
const replaySites = Number(process.argv[2] ?? 100);
const reportSites = Number(process.argv[3] ?? 3321);
const calendar = new LocalCalendar(TZ);
const logger = createLogger("error", "bench");
const policy = { linkPolicy: DEFAULT_LINK_STATE_POLICY, maxRoundGapMs: 120_000 };
const providers = [
  { id: "vnpt", name: "VNPT", notify: [], slaTargetPct: 99.5 },
  { id: "viettel", name: "Viettel", notify: [], slaTargetPct: 99.5 },
];

function siteConfig(i: number): SiteConfig {
  const id = `s${i}`;
  return { id, name: `Xã ${i}`, address: null, location: null, contacts: [], simulated: true, links: [
    { id: "tslcd", kind: "dedicated", provider: "vnpt", circuit: `TSL-${i}`, bandwidthMbps: 200 },
    { id: "inet", kind: "internet", provider: "viettel", circuit: `INET-${i}`, bandwidthMbps: 100 },
  ] };
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function benchReplay(dir: string): Promise<void> {
  const day = "2026-03-02";
  const { fromTs, toTs } = calendar.dayBounds(day);
  const clock = { now: fromTs };
  const samples = SqliteSampleStore.open(join(dir, "samples.db"), { rawRetentionMs: 3650 * 86_400_000, rollupRetentionMs: 3650 * 86_400_000, retentionChunkRows: 2000 }, () => clock.now);
  const sites = Array.from({ length: replaySites }, (_, i) => siteConfig(i));
  let seq = 0;
  for (const site of sites) {
    const records: SampleRecord[] = [];
    for (let ts = fromTs; ts < toTs; ts += ROUND_MS) {
      for (const link of ["inet", "tslcd"]) {
        const ok = !(link === "tslcd" && ts % 86_400_000 > 36_000_000 && ts % 86_400_000 < 39_600_000);
        records.push({ site: site.id, provider: link === "tslcd" ? "vnpt" : "viettel", ts, agentTs: ts, sample: { seq: ++seq, ts, role: "link", link, probe: `${link}-gw`, target: "10.0.0.1", round: ts / ROUND_MS, roundSize: 1, ok, kind: "icmp", sent: 5, received: ok ? 5 : 0, lossPct: ok ? 0 : 100, rttMinMs: ok ? 9 : null, rttAvgMs: ok ? 10 : null, rttMaxMs: ok ? 11 : null, rttStddevMs: ok ? 1 : null } });
      }
    }
    for (let i = 0; i < records.length; i += 500) await samples.write(records.slice(i, i + 500));
  }
  const days = SlaDayStore.open(join(dir, "sla-replay.db"));
  // The refresher starts a site at the 1st of the previous month: let it lay down those empty days first, untimed.
  const refresher = new SlaRefresher({ days, samples, sites, calendar, policy, settleMs: 0, now: () => clock.now, logger, daysPerPass: 1_000_000 });
  await refresher.refresh();
  clock.now = toTs;
  const startCpu = cpuMs();
  const startWall = performance.now();
  const result = await refresher.refresh();
  const cpu = cpuMs() - startCpu;
  const wall = performance.now() - startWall;
  const perSiteDay = cpu / replaySites;
  const countryMonthS = (perSiteDay * 3321 * 31) / 1000;
  console.log(`replay: ${replaySites} site-days (${(replaySites * 2 * 8640).toLocaleString("en")} samples) in ${wall.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU: ${perSiteDay.toFixed(2)} ms CPU per site-day (${result.replayed} replayed)`);
  console.log(`replay: a month of the country (3,321 sites × 31 days) at that rate: ${countryMonthS.toFixed(0)} s CPU, spread over the month: ${((countryMonthS / (31 * 86_400)) * 100).toFixed(3)} % of one core`);
  days.close();
  await samples.close();
}

async function benchReport(dir: string): Promise<void> {
  const month = "2026-03";
  const days = SlaDayStore.open(join(dir, "sla-report.db"));
  const sites = Array.from({ length: reportSites }, (_, i) => siteConfig(i));
  const fresh = { machine: initialLinkState(), lastRoundTs: null };
  const dayKeys = calendar.daysOf(month);
  const insertStart = performance.now();
  for (const site of sites) {
    for (const [d, key] of dayKeys.entries()) {
      const bounds = calendar.dayBounds(key);
      const day = emptySiteDay(site.id, key, bounds, ["tslcd", "inet"], { tslcd: fresh, inet: fresh });
      day.throughTs = bounds.toTs;
      for (const link of ["tslcd", "inet"]) {
        const timeline = day.links[link]!;
        timeline.changes.push([bounds.fromTs, "up"]);
        // Two outages a week on the TSLCD link, a gap of unknown once a week on both.
        if (link === "tslcd" && d % 3 === 0) timeline.changes.push([bounds.fromTs + 36_000_000, "down"], [bounds.fromTs + 37_800_000, "up"]);
        timeline.spans.push(d % 7 === 0 ? [bounds.fromTs, bounds.fromTs + 7_200_000] : [bounds.fromTs, bounds.toTs - ROUND_MS], ...(d % 7 === 0 ? [[bounds.fromTs + 10_800_000, bounds.toTs - ROUND_MS] as [number, number]] : []));
      }
      days.put(day);
    }
  }
  console.log(`report: ${(reportSites * dayKeys.length).toLocaleString("en")} site-days stored in ${(performance.now() - insertStart).toFixed(0)} ms`);
  const { toTs } = calendar.monthBounds(month);
  const reports = new SlaReports({
    sites,
    providers,
    maintenance: [],
    maxRoundGapMs: policy.maxRoundGapMs,
    calendar,
    days: (site, from, to) => days.between(site, from, to),
    replay: { throughTs: () => toTs, version: () => 1, isStale: () => false },
    incidents: { incidentsStartedIn: () => [] },
    isOfficeTime: calendarOfficeTime(loadWorkingCalendar({ schedule: toOfficeSchedule({ days: ["mon", "tue", "wed", "thu", "fri"] as Weekday[], start: "07:30", end: "17:00" }), timeZone: "Asia/Ho_Chi_Minh", holidaysFile: null }), calendar),
    now: () => toTs + 3_600_000,
    cacheMs: 0,
  });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const start = performance.now();
  const startCpu = cpuMs();
  const report = await reports.report(month, { kind: "all" });
  const wall = performance.now() - start;
  const cpu = cpuMs() - startCpu;
  delay.disable();
  const provider = await reports.report(month, { kind: "provider", provider: "vnpt" });
  console.log(`report: the whole country's month (${report.circuits.length.toLocaleString("en")} circuits) in ${wall.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU; event loop held at most ${(delay.max / 1e6).toFixed(1)} ms; a provider's part then (cached) ${provider.circuits.length} circuits`);
  days.close();
}

const dir = mkdtempSync(join(tmpdir(), "wardwatch-sla-bench-"));
try {
  await benchReplay(dir);
  await benchReport(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
