import type { SampleRecord } from "../../../../collector/store/samples/sampleStore.js";
import type { Sample } from "../../../../protocol/sample.js";

/** An hour boundary four days before now: old enough for a 72 h outage, young enough for InfluxDB's 30-day `raw`. */
export function baseTime(): number {
  return Math.floor(Date.now() / 3_600_000) * 3_600_000 - 4 * 86_400_000;
}

/** An ICMP link sample of `site`/`link` at `ts` (collector time line); rtt from `rttMs` (null: no reply, loss 100 %). */
export function icmpRecord(site: string, link: string, ts: number, seq: number, rttMs: number | null, probe = "icmp:10.0.0.1"): SampleRecord {
  const ok = rttMs !== null;
  const sample: Sample = {
    kind: "icmp",
    seq,
    ts,
    role: "link",
    link,
    probe,
    target: "10.0.0.1",
    round: seq,
    roundSize: 1,
    ok,
    sent: 5,
    received: ok ? 5 : 0,
    lossPct: ok ? 0 : 100,
    rttMinMs: ok ? rttMs - 1 : null,
    rttAvgMs: rttMs,
    rttMaxMs: ok ? rttMs + 2 : null,
    rttStddevMs: ok ? 0.5 : null,
    ...(ok ? {} : { reason: "no reply" }),
  };
  return { site, provider: link === "tslcd" ? "vnpt" : "viettel", ts, agentTs: ts, sample };
}

/** An HTTP application sample of `site` through `link` at `ts`: ok with `totalMs`, or no response (null). */
export function httpAppRecord(site: string, link: string, app: string, ts: number, seq: number, totalMs: number | null): SampleRecord {
  const ok = totalMs !== null;
  return {
    site,
    provider: link === "tslcd" ? "vnpt" : "viettel",
    ts,
    agentTs: ts,
    sample: {
      kind: "http", seq, ts, role: "app", link, probe: app, target: "https://motcua.example.vn/", round: seq, roundSize: 1, ok,
      statusCode: ok ? 200 : null, dnsMs: ok ? 2 : null, connectMs: ok ? 10 : null, tlsMs: ok ? 20 : null, firstByteMs: ok ? totalMs - 5 : null,
      totalMs, certDaysLeft: 90, redirects: 0, bodyBytes: ok ? 1000 : null, ...(ok ? {} : { reason: "timeout" }),
    },
  };
}

/** A LAN TCP sample (no link) of `site` at `ts`. */
export function tcpLanRecord(site: string, ts: number, seq: number, connectMs: number | null): SampleRecord {
  return {
    site,
    provider: null,
    ts,
    agentTs: ts,
    sample: { kind: "tcp", seq, ts, role: "lan", link: null, probe: "camera", target: "192.168.1.20:554", round: seq, roundSize: 1, ok: connectMs !== null, connectMs },
  };
}

/**
 * A site's ICMP samples on two links every `intervalMs` from `from` to `to` (exclusive), seq counting from `firstSeq`;
 * rtt varies with time, and every 17th round of a link gets no reply.
 */
export function icmpSamplesBetween(site: string, from: number, to: number, intervalMs: number, firstSeq = 1): SampleRecord[] {
  const records: SampleRecord[] = [];
  let seq = firstSeq;
  for (let ts = from; ts < to; ts += intervalMs) {
    const round = Math.round((ts - from) / intervalMs);
    for (const link of ["tslcd", "internet"]) {
      const rtt = round % 17 === (link === "tslcd" ? 3 : 9) ? null : 10 + ((round * 7) % 23) / 3 + (link === "tslcd" ? 0 : 15);
      records.push(icmpRecord(site, link, ts, seq++, rtt));
    }
  }
  return records;
}
