/**
 * The exact check of the load benches: for every simulated site, the samples in the collector's SQLite sample store (samples.db) are
 * exactly seqs 1 … the seq the collector acknowledged (none lost, none duplicated, none stored unacknowledged).
 * Read after the collector stopped.
 */
import { SAMPLE_KIND_NAMES } from "../protocol/kinds/registry.js";
import Database from "better-sqlite3";
import type { SimulatedAgent } from "../simulator/pushLoop.js";

/** Totals over all sites, and the sites whose stored samples differ from what was acknowledged. */
export interface StoredCheck {
  /** Samples ever sent at least once (the highest seq read from each spool, summed). */
  sentSamples: number;
  acknowledgedSamples: number;
  storedSamples: number;
  /** Sites whose last attempt got no answer (the drain was cut short): stored may lie between acknowledged and sent. */
  uncertainSites: number;
  /** "site: what is wrong", first few. */
  mismatches: string[];
  mismatchCount: number;
}

/** Every sample of the SQLite sample store (samples.db), each kind's raw table, as one table: site, seq, ts, agent_ts. */
export const STORED_SAMPLES_SQL = `(${SAMPLE_KIND_NAMES.map((kind) => `SELECT site, seq, ts, agent_ts FROM raw_${kind}`).join(" UNION ALL ")})`;

/** Compares the collector's `samples` table (read-only) with what every agent's spool says was acknowledged. */
export function checkStoredSamples(dbFile: string, agents: readonly SimulatedAgent[]): StoredCheck {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  let rows: Array<{ site: string; n: number; lo: number; hi: number }>;
  try {
    rows = db.prepare(`SELECT site, COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi FROM ${STORED_SAMPLES_SQL} GROUP BY site`).all() as typeof rows;
  } finally {
    db.close();
  }
  const stored = new Map(rows.map((row) => [row.site, row]));
  const check: StoredCheck = { sentSamples: 0, acknowledgedSamples: 0, storedSamples: 0, uncertainSites: 0, mismatches: [], mismatchCount: 0 };
  const mismatch = (text: string): void => {
    check.mismatchCount++;
    if (check.mismatches.length < 10) check.mismatches.push(text);
  };
  for (const agent of agents) {
    const acked = agent.spool.acknowledgedSeq();
    const sent = agent.spool.sentThroughSeq();
    const row = stored.get(agent.site.id) ?? { n: 0, lo: 0, hi: 0 };
    stored.delete(agent.site.id);
    check.sentSamples += sent;
    check.acknowledgedSamples += acked;
    check.storedSamples += row.n;
    const contiguous = row.n === 0 || (row.lo === 1 && row.hi === row.n);
    if (agent.uncertain()) {
      check.uncertainSites++;
      if (!contiguous || row.n < acked || row.n > sent) mismatch(`${agent.site.id}: stored ${row.n} (seq ${row.lo}–${row.hi}), acknowledged ${acked}, sent ${sent}, last attempt unanswered`);
    } else if (!contiguous || row.n !== acked) {
      mismatch(`${agent.site.id}: stored ${row.n} (seq ${row.lo}–${row.hi}), acknowledged ${acked}`);
    }
  }
  for (const [site, row] of stored) mismatch(`${site}: ${row.n} stored samples for a site no agent simulated`);
  return check;
}
