import { SAMPLE_KIND_NAMES } from "../../../protocol/kinds/registry.js";
import { literal, rowsOf, seriesQuery, source, timeRange, type InfluxSeries } from "./influxQueries.js";
import { MAIN_LATENCY_FIELD, MAX_PATH_SUMMARIES, checkPathSummaryQuery, sortPathSummaries, type PathSummary, type PathSummaryQuery } from "./pathSummary.js";
import { bucketsToAnswer, planSeries } from "./seriesPlan.js";
import { StoredRowReader } from "./storedRows.js";
import { MAX_LINK_OUTCOMES, type LinkOutcome, type LinkOutcomePage, type SeriesAnswer, type SeriesRequest } from "./sampleStore.js";

/** Runs one InfluxQL query and answers its series (influxdb.ts: errors classified as the store's). */
export type InfluxSelect = (query: string) => Promise<InfluxSeries[]>;

/** See SampleStore.querySeries: one query, grouped by time in buckets of the request's step. */
export async function influxQuerySeries(select: InfluxSelect, request: SeriesRequest): Promise<SeriesAnswer> {
  const plan = planSeries(request);
  const reader = new StoredRowReader(`InfluxDB series of ${source(plan.resolution, request.kind)}`);
  const rows = rowsOf(await select(seriesQuery(request, plan.resolution)));
  const buckets = rows.map((row) => ({
    bucket: Math.round((reader.number(row, "time") - request.from) / request.stepMs),
    values: request.metrics.map((_, m) => reader.numberOrNull(row, `m${m}`)),
  }));
  return bucketsToAnswer(request, plan, buckets);
}

/**
 * See SampleStore.linkOutcomes, a page at a time. InfluxDB orders by time only, so per kind: the rows at the cursor's
 * time (at most one per link and probe) after the cursor, the first `limit` rows after that time, and, when those are
 * `limit`, every row at the last of their times (LIMIT may have cut among them). Each kind then holds all its rows up
 * to the time it reached, enough for the first `limit` of all kinds in the order ts, link, probe: merged, sorted, cut.
 */
export async function influxLinkOutcomes(select: InfluxSelect, site: string, from: number, to: number, page?: LinkOutcomePage): Promise<LinkOutcome[]> {
  const limit = Math.max(0, Math.min(page?.limit ?? MAX_LINK_OUTCOMES, MAX_LINK_OUTCOMES));
  const after = page?.after ?? null;
  const order = (a: LinkOutcome, b: Pick<LinkOutcome, "ts" | "link" | "probe">): number => a.ts - b.ts || cmp(a.link, b.link) || cmp(a.probe, b.probe);
  const outcomes: LinkOutcome[] = [];
  for (const kind of SAMPLE_KIND_NAMES) {
    const reader = new StoredRowReader(`InfluxDB ${source("raw", kind)}`);
    const read = async (times: string): Promise<LinkOutcome[]> =>
      rowsOf(await select(`SELECT "ok", "link", "probe" FROM ${source("raw", kind)} WHERE "site" = ${literal(site)} AND "role" = 'link' AND ${times}`)).map((row) => ({
        ts: reader.number(row, "time"),
        link: reader.text(row, "link"),
        probe: reader.text(row, "probe"),
        ok: reader.numberOrNull(row, "ok") === 1,
      }));
    const at = (ts: number): Promise<LinkOutcome[]> => read(`time = ${Math.trunc(ts)}ms`);
    if (after) outcomes.push(...(await at(after.ts)).filter((o) => o.ts >= from && o.ts <= to && order(o, after) > 0));
    const next = await read(`${timeRange(after ? Math.trunc(after.ts) + 1 : from, to, true)} LIMIT ${limit}`);
    const lastTs = next.at(-1)?.ts;
    if (next.length < limit || lastTs === undefined) outcomes.push(...next);
    else outcomes.push(...next.filter((o) => o.ts < lastTs), ...(await at(lastTs)));
  }
  return outcomes.sort(order).slice(0, limit);
}

/** See SampleStore.pathSummaries. Two queries per kind (InfluxQL has no conditional mean): all samples, then the main latency of the ok ones. */
export async function influxPathSummaries(select: InfluxSelect, query: PathSummaryQuery): Promise<PathSummary[]> {
  checkPathSummaryQuery(query);
  if (query.resolution === "1h") return influxHourlyPathSummaries(select, query);
  const where = [`"role" = ${literal(query.role)}`, timeRange(query.from, query.to)];
  if (query.site !== undefined) where.push(`"site" = ${literal(query.site)}`);
  const groupBy = `GROUP BY "site", "probe", "link" SLIMIT ${MAX_PATH_SUMMARIES}`;
  const key = (tags: Record<string, string> | undefined): string => JSON.stringify([tags?.site ?? "", tags?.probe ?? "", tags?.link ?? ""]);
  const summaries: PathSummary[] = [];
  for (const kind of SAMPLE_KIND_NAMES) {
    const reader = new StoredRowReader(`InfluxDB path summaries of ${source("raw", kind)}`);
    const counts = await select(`SELECT count("ok") AS "rounds", mean("ok") AS "ok" FROM ${source("raw", kind)} WHERE ${where.join(" AND ")} ${groupBy}`);
    if (counts.length === 0) continue;
    const latencies = await select(`SELECT mean("${MAIN_LATENCY_FIELD[kind]}") AS "latency" FROM ${source("raw", kind)} WHERE ${where.join(" AND ")} AND "ok" = 1 ${groupBy}`);
    const latencyOf = new Map(latencies.map((series) => [key(series.tags), rowsOf([series])[0]]));
    for (const series of counts) {
      const row = rowsOf([series])[0];
      if (!row) continue;
      const latency = latencyOf.get(key(series.tags));
      summaries.push({
        site: series.tags?.site ?? "",
        probe: series.tags?.probe ?? "",
        link: series.tags?.link || null,
        kind,
        rounds: reader.number(row, "rounds"),
        okPct: (reader.numberOrNull(row, "ok") ?? 0) * 100,
        latencyAvgMs: latency ? reader.numberOrNull(latency, "latency") : null,
      });
    }
  }
  return sortPathSummaries(summaries);
}

/** Path summaries from the hourly rollups: one query per kind, sums of the windows' counts and sums. */
async function influxHourlyPathSummaries(select: InfluxSelect, query: PathSummaryQuery): Promise<PathSummary[]> {
  const where = [`"role" = ${literal(query.role)}`, timeRange(query.from, query.to)];
  if (query.site !== undefined) where.push(`"site" = ${literal(query.site)}`);
  const summaries: PathSummary[] = [];
  for (const kind of SAMPLE_KIND_NAMES) {
    const latency = MAIN_LATENCY_FIELD[kind];
    const reader = new StoredRowReader(`InfluxDB path summaries of ${source("1h", kind)}`);
    const answer = await select(
      `SELECT sum("ok_count") AS "rounds", sum("ok_sum") AS "oks", sum("${latency}_sum") AS "latencySum", sum("${latency}_count") AS "latencyCount" FROM ${source("1h", kind)} WHERE ${where.join(" AND ")} GROUP BY "site", "probe", "link" SLIMIT ${MAX_PATH_SUMMARIES}`,
    );
    for (const series of answer) {
      const row = rowsOf([series])[0];
      const rounds = row ? (reader.numberOrNull(row, "rounds") ?? 0) : 0;
      if (!row || rounds === 0) continue;
      const latencyCount = reader.numberOrNull(row, "latencyCount") ?? 0;
      summaries.push({
        site: series.tags?.site ?? "",
        probe: series.tags?.probe ?? "",
        link: series.tags?.link || null,
        kind,
        rounds,
        okPct: ((reader.numberOrNull(row, "oks") ?? 0) * 100) / rounds,
        latencyAvgMs: latencyCount > 0 ? (reader.numberOrNull(row, "latencySum") ?? 0) / latencyCount : null,
      });
    }
  }
  return sortPathSummaries(summaries);
}

/** See SampleStore.listSeqs. */
export async function influxListSeqs(select: InfluxSelect, site: string, from: number, to: number): Promise<number[]> {
  const seqs: number[] = [];
  for (const kind of SAMPLE_KIND_NAMES) {
    const reader = new StoredRowReader(`InfluxDB ${source("raw", kind)}`);
    const rows = rowsOf(await select(`SELECT "seq" FROM ${source("raw", kind)} WHERE "site" = ${literal(site)} AND ${timeRange(from, to)}`));
    for (const row of rows) seqs.push(reader.number(row, "seq"));
  }
  return seqs.sort((a, b) => a - b);
}

/** Orders strings by code unit (as SQLite's default collation). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
