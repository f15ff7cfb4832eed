import { SAMPLE_KIND_NAMES } from "../../../protocol/kinds/registry.js";
import { literal, rowsOf, seriesQuery, source, timeRange, type InfluxSeries } from "./influxQueries.js";
import { MAIN_LATENCY_FIELD, MAX_PATH_SUMMARIES, checkPathSummaryQuery, sortPathSummaries, type PathSummary, type PathSummaryQuery } from "./pathSummary.js";
import { bucketsToAnswer, planSeries } from "./seriesPlan.js";
import { StoredRowReader } from "./storedRows.js";
import { MAX_LINK_OUTCOMES, type LinkOutcome, type SeriesAnswer, type SeriesRequest } from "./sampleStore.js";

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

/** See SampleStore.linkOutcomes: one query per kind, merged in time, link, probe order. */
export async function influxLinkOutcomes(select: InfluxSelect, site: string, from: number, to: number): Promise<LinkOutcome[]> {
  const outcomes: Array<LinkOutcome & { probe: string }> = [];
  for (const kind of SAMPLE_KIND_NAMES) {
    const reader = new StoredRowReader(`InfluxDB ${source("raw", kind)}`);
    const rows = rowsOf(
      await select(`SELECT "ok", "link", "probe" FROM ${source("raw", kind)} WHERE "site" = ${literal(site)} AND "role" = 'link' AND ${timeRange(from, to, true)} LIMIT ${MAX_LINK_OUTCOMES}`),
    );
    for (const row of rows) outcomes.push({ ts: reader.number(row, "time"), link: reader.text(row, "link"), ok: reader.numberOrNull(row, "ok") === 1, probe: reader.text(row, "probe") });
  }
  outcomes.sort((a, b) => a.ts - b.ts || cmp(a.link, b.link) || cmp(a.probe, b.probe));
  return outcomes.slice(0, MAX_LINK_OUTCOMES).map(({ ts, link, ok }) => ({ ts, link, ok }));
}

/** See SampleStore.pathSummaries. Two queries per kind (InfluxQL has no conditional mean): all samples, then the main latency of the ok ones. */
export async function influxPathSummaries(select: InfluxSelect, query: PathSummaryQuery): Promise<PathSummary[]> {
  checkPathSummaryQuery(query);
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
