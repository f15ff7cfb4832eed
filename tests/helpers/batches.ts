import type { IngestBatch, RefusedRecord } from "../../protocol/ingest.js";
import type { HttpSample, IcmpSample, Sample } from "../../protocol/sample.js";

/**
 * Where {@link icmpSample}'s default timestamps start: a day before the test run, on a 10 s boundary, so samples are
 * within the collector's bounds (no later than their batch's send time, no older than `max_sample_age`).
 */
export const SAMPLE_TS_BASE = Math.floor((Date.now() - 86_400_000) / 10_000) * 10_000;

/** An ICMP sample for tests: ok with 10 ms rtt unless `ok: false`; stamped {@link SAMPLE_TS_BASE} + seq × 10 s. */
export function icmpSample(seq: number, overrides: Partial<IcmpSample> = {}): IcmpSample {
  const ok = overrides.ok ?? true;
  return {
    seq,
    ts: SAMPLE_TS_BASE + seq * 10_000,
    kind: "icmp",
    role: "link",
    link: "tslcd",
    probe: "icmp:192.0.2.1",
    target: "192.0.2.1",
    round: seq,
    roundSize: 1,
    ok,
    sent: 5,
    received: ok ? 5 : 0,
    lossPct: ok ? 0 : 100,
    rttMinMs: ok ? 9 : null,
    rttAvgMs: ok ? 10 : null,
    rttMaxMs: ok ? 11 : null,
    rttStddevMs: ok ? 0.5 : null,
    ...overrides,
  };
}

/** A batch of the given samples for `site`, sent "now" by default. */
export function batchOf(site: string, samples: Sample[], overrides: Partial<IngestBatch> = {}): IngestBatch {
  return {
    version: 1,
    site,
    sentAt: Date.now(),
    pushIntervalMs: 10_000,
    spool: { pendingRecords: 0, droppedRecords: 0 },
    samples,
    ...overrides,
  };
}

/** POSTs a body (object → JSON, string/Buffer as is) to /api/v1/ingest. */
export async function postIngest(
  baseUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: { error?: string; message?: string; accepted?: number; duplicates?: number; refused?: RefusedRecord[] } }> {
  const payload = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const response = await fetch(`${baseUrl}/api/v1/ingest`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: payload,
  });
  return { status: response.status, json: (await response.json()) as never };
}

/** An HTTP sample of application `app` reached through `link`: ok in 40 ms unless `ok: false`. */
export function httpAppSample(seq: number, app: string, link: string, ok: boolean, ts = Date.now()): HttpSample {
  return {
    seq,
    ts,
    kind: "http",
    role: "app",
    link,
    probe: app,
    target: "https://motcua.tinh.example/",
    round: seq,
    roundSize: 1,
    ok,
    statusCode: ok ? 200 : null,
    dnsMs: ok ? 2 : null,
    connectMs: ok ? 10 : null,
    tlsMs: ok ? 25 : null,
    firstByteMs: ok ? 35 : null,
    totalMs: ok ? 40 : null,
    certDaysLeft: ok ? 90 : null,
    redirects: 0,
    bodyBytes: ok ? 1200 : null,
    ...(ok ? {} : { reason: "timeout after 10000 ms (in connect)" }),
  };
}
