import type { SlaReport } from "../../../protocol/sla.js";
import { ApiError } from "../api.js";

/** The CSV download of a month's report (same origin). */
export function slaCsvUrl(month: string, baseUrl = "/api/v1"): string {
  return `${baseUrl}/sla.csv?month=${encodeURIComponent(month)}`;
}

/**
 * GET /sla?month=: the month's report (protocol/sla.ts). ApiError with the collector's code for a refused query,
 * `network` when unreachable, `malformed` when the answer is not a report.
 */
export async function fetchSlaReport(month: string, signal?: AbortSignal, fetchImpl: typeof fetch = (i, init) => fetch(i, init), baseUrl = "/api/v1"): Promise<SlaReport> {
  let res: Response;
  try {
    res = await fetchImpl(`${baseUrl}/sla?month=${encodeURIComponent(month)}`, signal ? { signal } : {});
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError("network", (err as Error).message, 0);
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const problem = body as { error?: unknown; message?: unknown } | null;
    throw new ApiError(typeof problem?.error === "string" ? problem.error : "http", typeof problem?.message === "string" ? problem.message : `HTTP ${res.status}`, res.status);
  }
  const report = body as Partial<SlaReport> | null;
  if (!report || typeof report.month !== "string" || !Array.isArray(report.providers) || !Array.isArray(report.circuits)) throw new ApiError("malformed", "/sla: expected an SLA report", res.status);
  return report as SlaReport;
}
