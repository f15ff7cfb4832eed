/**
 * The API load of bench/dashboard.ts: requests sent at a fixed rate whatever the answers (open loop: a slow answer
 * does not delay the next request), each to an endpoint of a weighted mix, timed from its send to the end of its body.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** One endpoint of the mix: its name, its share of the requests, and the path of the i-th request to it. */
export interface MixEntry {
  name: string;
  weight: number;
  path: (i: number) => string;
}

/**
 * What the dashboard asks while people use it: a site page (status, its series), the open incidents, and the whole
 * list of sites (an overview load) for a tenth of the requests.
 */
export function apiMix(siteIds: readonly string[]): MixEntry[] {
  const site = (i: number) => siteIds[(i * 7919) % siteIds.length]!;
  const hourAgo = () => Date.now() - 3_600_000;
  return [
    { name: "GET /sites/:id", weight: 4, path: (i) => `/api/v1/sites/${site(i)}` },
    { name: "GET /sites/:id/series (1 h, icmp, 4 metrics)", weight: 3, path: (i) => `/api/v1/sites/${site(i)}/series?link=tslcd&kind=icmp&metrics=rtt_avg_ms:mean,rtt_min_ms:min,rtt_max_ms:max,loss_pct:mean&from=${hourAgo()}&step=15000` },
    { name: "GET /incidents?state=open", weight: 2, path: () => "/api/v1/incidents?state=open&limit=500" },
    { name: "GET /sites (every site)", weight: 1, path: () => "/api/v1/sites" },
  ];
}

/** Per endpoint and in all: `p50 … ms, p95 … ms, max … ms (n)`; and the count of answers other than 200. */
export interface ApiLoadResult {
  byEndpoint: Record<string, string>;
  all: string;
  failures: number;
}

/**
 * Sends `count` requests to `baseUrl` at `ratePerS` with `headers` (the credential), cycling through the mix by
 * weight; resolves when all answered.
 */
export async function runApiLoad(baseUrl: string, mix: MixEntry[], count: number, ratePerS: number, headers: Record<string, string>): Promise<ApiLoadResult> {
  const cycle = mix.flatMap((entry) => Array.from({ length: entry.weight }, () => entry));
  const latencies = new Map<string, number[]>(mix.map((entry) => [entry.name, []]));
  let failures = 0;
  const started = performance.now();
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / ratePerS;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const entry = cycle[i % cycle.length]!;
    pending.push(
      (async () => {
        const sent = performance.now();
        try {
          const response = await fetch(baseUrl + entry.path(i), { headers, signal: AbortSignal.timeout(30_000) });
          await response.arrayBuffer();
          if (response.status !== 200) failures += 1;
        } catch {
          failures += 1;
        }
        latencies.get(entry.name)!.push(performance.now() - sent);
      })(),
    );
  }
  await Promise.all(pending);
  const summary = (values: number[]): string => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
    return `p50 ${at(50).toFixed(1)} ms, p95 ${at(95).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms (${sorted.length})`;
  };
  return {
    byEndpoint: Object.fromEntries([...latencies].map(([name, values]) => [name, summary(values)])),
    all: summary([...latencies.values()].flat()),
    failures,
  };
}
