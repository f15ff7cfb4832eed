import type { ComparisonApp, ComparisonFigures, ComparisonResponse, ComparisonTotal } from "../../../protocol/api.js";
import type { ApiClient } from "../api.js";
import { isRecord, malformed } from "../api.js";

/** GET /comparison?from&to: every application over TSLCD against the Internet over [fromMs, toMs) (UTC ms). */
export async function fetchComparison(api: ApiClient, fromMs: number, toMs: number, signal?: AbortSignal): Promise<ComparisonResponse> {
  const path = `/comparison?${new URLSearchParams({ from: String(fromMs), to: String(toMs)}).toString()}`;
  return parseComparison(await api.requestJson(path, { signal }), path);
}

/** Checks a comparison answer; throws ApiError("malformed") naming the first bad part. */
export function parseComparison(value: unknown, where: string): ComparisonResponse {
  if (!isRecord(value)) throw malformed(`${where}: expected an object`);
  number(value.from, `${where}.from`);
  number(value.to, `${where}.to`);
  if (value.resolution !== "raw" && value.resolution !== "1h") throw malformed(`${where}.resolution: unknown resolution`);
  if (!Array.isArray(value.apps)) throw malformed(`${where}.apps: expected a list`);
  value.apps.forEach((app, a) => checkApp(app, `${where}.apps[${a}]`));
  return value as unknown as ComparisonResponse;
}

function checkApp(value: unknown, where: string): asserts value is ComparisonApp {
  if (!isRecord(value) || typeof value.app !== "string" || typeof value.kind !== "string") throw malformed(`${where}: expected an application with app and kind`);
  if (!isRecord(value.total)) throw malformed(`${where}.total: expected an object`);
  for (const kind of ["dedicated", "internet"] as const) {
    const total = value.total[kind];
    if (total === null) continue;
    checkFigures(total, `${where}.total.${kind}`);
    const t = total as unknown as ComparisonTotal;
    number(t.sites, `${where}.total.${kind}.sites`);
    numberOrNull(t.siteLatencyP50Ms, `${where}.total.${kind}.siteLatencyP50Ms`);
  }
  if (!Array.isArray(value.sites)) throw malformed(`${where}.sites: expected a list`);
  value.sites.forEach((site: unknown, s) => {
    const at = `${where}.sites[${s}]`;
    if (!isRecord(site) || typeof site.site !== "string" || typeof site.siteName !== "string") throw malformed(`${at}: expected a site with site and siteName`);
    for (const kind of ["dedicated", "internet"] as const) if (site[kind] !== null) checkFigures(site[kind], `${at}.${kind}`);
  });
}

function checkFigures(value: unknown, where: string): asserts value is ComparisonFigures {
  if (!isRecord(value)) throw malformed(`${where}: expected an object or null`);
  number(value.rounds, `${where}.rounds`);
  numberOrNull(value.availabilityPct, `${where}.availabilityPct`);
  numberOrNull(value.latencyMeanMs, `${where}.latencyMeanMs`);
}

function number(value: unknown, where: string): void {
  if (typeof value !== "number" || !Number.isFinite(value)) throw malformed(`${where}: expected a number`);
}

function numberOrNull(value: unknown, where: string): void {
  if (value !== null) number(value, where);
}
