import Database from "better-sqlite3";
import type { SeriesMetric } from "../../protocol/api.js";
import { sampleLatencyMs, sampleLossPct, type Sample } from "../../protocol/sample.js";
import type { AppPathSummary, SeriesQuery, SiteContact, Store, StoredEvent, StoredLinkState, StoredSample, WriteResult } from "./store.js";
import { agentEventSchema } from "../../protocol/event.js";
import { SqliteIncidentStore } from "./sqliteIncidents.js";
import { SqliteHealth, isSqliteUnavailable } from "./sqliteHealth.js";
import { migrate, storedMachineSchema } from "./sqliteSchema.js";
import { restrictDatabaseFiles } from "./sqliteFileModes.js";

/** Most buckets one series query may ask for; more is a client error (a RangeError), not a slow query. */
export const MAX_SERIES_BUCKETS = 10_000;

/** How long a write waits for another connection's lock before failing, ms (the default of `busyTimeoutMs`). */
export const BUSY_TIMEOUT_MS = 5_000;

/** Column holding each series metric. A fixed map, so no caller-supplied text ever reaches the SQL. */
const METRIC_COLUMNS = {
  rtt_avg: "rtt_avg_ms",
  rtt_min: "rtt_min_ms",
  rtt_max: "rtt_max_ms",
  rtt_median: "rtt_median_ms",
  rtt_p90: "rtt_p90_ms",
  jitter: "jitter_ms",
  mos: "mos",
  loss: "loss_pct",
} as const satisfies Record<SeriesMetric, string>;

const INSERT_SAMPLE_SQL = `INSERT OR IGNORE INTO samples
  (site, link_key, seq, ts, agent_ts, role, link, kind, probe, target, ok, latency_ms, loss_pct, sent, received,
   rtt_min_ms, rtt_avg_ms, rtt_max_ms, rtt_stddev_ms, rtt_median_ms, rtt_p90_ms, jitter_ms, mos,
   detail_json, reason, round, round_size)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

interface SiteContactRow {
  site: string;
  last_seen_ts: number;
  clock_offset_ms: number;
  push_interval_ms: number;
  pending_records: number;
  dropped_records: number;
  last_seq: number;
  via_link: string | null;
  clock_correction_ms: number;
  refused_records: number;
  agent_refused_records: number | null;
}

/**
 * The collector's embedded store: one SQLite file (or ':memory:') in WAL mode.
 *
 * Durability: `synchronous = NORMAL` under WAL syncs at checkpoints, not at every commit. A committed write
 * survives a crash of the collector process (the WAL is in the OS page cache); only a power loss or kernel
 * crash may roll back the last transactions. That is the trade DESIGN accepts for ingest throughput.
 *
 * Not safe to share between threads; one instance per process, built in `main.ts`.
 */
export class SqliteStore implements Store {
  private readonly insertSample: Database.Statement;
  private readonly writeBatch: (samples: StoredSample[]) => number;
  private readonly writeEventBatch: (events: StoredEvent[]) => number;
  private readonly upsertContact: Database.Statement;
  private readonly seriesStatements: Record<SeriesMetric, Database.Statement>;
  private readonly saveLinkStatesTx: (states: StoredLinkState[]) => void;
  private readonly health: SqliteHealth;

  /** Incidents and their delivery attempts, in the same file. */
  readonly incidents: SqliteIncidentStore;

  private constructor(
    private readonly db: Database.Database,
    busyTimeoutMs: number,
  ) {
    this.incidents = new SqliteIncidentStore(db);
    this.health = new SqliteHealth(db, busyTimeoutMs);
    this.insertSample = db.prepare(INSERT_SAMPLE_SQL);
    this.writeBatch = db.transaction((samples: StoredSample[]) => {
      let inserted = 0;
      for (const stored of samples) inserted += this.insertSample.run(sampleRow(stored)).changes;
      return inserted;
    });
    this.upsertContact = db.prepare(
      `INSERT INTO site_contacts (site, last_seen_ts, clock_offset_ms, push_interval_ms, pending_records, dropped_records, last_seq, via_link,
         clock_correction_ms, refused_records, agent_refused_records)
       VALUES (@site, @lastSeenTs, @clockOffsetMs, @pushIntervalMs, @pendingRecords, @droppedRecords, @lastSeq, @viaLink,
         @clockCorrectionMs, @refusedRecords, @agentRefusedRecords)
       ON CONFLICT (site) DO UPDATE SET
         last_seen_ts = excluded.last_seen_ts, clock_offset_ms = excluded.clock_offset_ms,
         push_interval_ms = excluded.push_interval_ms, pending_records = excluded.pending_records,
         dropped_records = excluded.dropped_records, last_seq = excluded.last_seq, via_link = excluded.via_link,
         clock_correction_ms = excluded.clock_correction_ms, refused_records = excluded.refused_records,
         agent_refused_records = excluded.agent_refused_records`,
    );
    const insertEvent = db.prepare("INSERT OR IGNORE INTO events (site, seq, ts, agent_ts, type, event_group, event_json) VALUES (?, ?, ?, ?, ?, ?, ?)");
    this.writeEventBatch = db.transaction((events: StoredEvent[]) => {
      let inserted = 0;
      for (const { site, ts, agentTs, event } of events) inserted += insertEvent.run(site, event.seq, ts, agentTs, event.type, event.group, JSON.stringify(event)).changes;
      return inserted;
    });
    this.seriesStatements = Object.fromEntries(
      (Object.keys(METRIC_COLUMNS) as SeriesMetric[]).map((metric) => [metric, this.prepareSeries(metric)]),
    ) as Record<SeriesMetric, Database.Statement>;
    const upsertLinkState = db.prepare(
      `INSERT INTO link_states (site, link, machine_json) VALUES (?, ?, ?)
       ON CONFLICT (site, link) DO UPDATE SET machine_json = excluded.machine_json`,
    );
    this.saveLinkStatesTx = db.transaction((states: StoredLinkState[]) => {
      for (const { site, link, machine } of states) upsertLinkState.run(site, link, JSON.stringify(machine));
    });
  }

  /**
   * Opens (creating if needed) and migrates the database at `path`; ':memory:' gives a private in-memory one. The
   * file and its -wal and -shm are owner-only (0600, see restrictDatabaseFiles).
   * `busyTimeoutMs`: how long a write waits for another connection's lock (default {@link BUSY_TIMEOUT_MS}).
   */
  static open(path: string, options: { busyTimeoutMs?: number } = {}): SqliteStore {
    const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
    restrictDatabaseFiles(path);
    const db = new Database(path);
    try {
      db.pragma("journal_mode = WAL"); // ':memory:' answers "memory" and keeps it; nothing to persist there.
      db.pragma("synchronous = NORMAL"); // see the class comment: durable against process crash under WAL.
      db.pragma("foreign_keys = OFF");
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      migrate(db);
      return new SqliteStore(db, busyTimeoutMs);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  writeSamples(samples: StoredSample[]): WriteResult {
    if (samples.length === 0) return { inserted: 0, duplicates: 0 };
    const inserted = this.writeBatch(samples);
    return { inserted, duplicates: samples.length - inserted };
  }

  /**
   * Bucket `i` covers [from + i·stepMs, from + (i+1)·stepMs); the last one may be cut short by `to`.
   * Throws a RangeError for non-integer bounds, `stepMs` ≤ 0, `to` < `from`, or more than
   * {@link MAX_SERIES_BUCKETS} buckets. Null values (rtt of failed rounds) are left out of the averages.
   */
  querySeries(query: SeriesQuery): Array<[number, number | null]> {
    const { site, link, metric, from, to, stepMs } = query;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || !Number.isSafeInteger(stepMs)) {
      throw new RangeError("series from, to and stepMs must be integers (ms)");
    }
    if (stepMs <= 0) throw new RangeError(`series stepMs must be positive, got ${stepMs}`);
    if (to < from) throw new RangeError(`series to (${to}) is before from (${from})`);
    const bucketCount = Math.ceil((to - from) / stepMs);
    if (bucketCount > MAX_SERIES_BUCKETS) {
      throw new RangeError(`series asks for ${bucketCount} buckets, at most ${MAX_SERIES_BUCKETS} allowed`);
    }
    const statement = this.seriesStatements[metric];
    if (statement === undefined) throw new RangeError(`unknown series metric ${String(metric)}`);
    const points: Array<[number, number | null]> = [];
    for (let i = 0; i < bucketCount; i++) points.push([from + i * stepMs, null]);
    const rows = statement.all({ site, link, from, to, step: stepMs }) as Array<{ bucket: number; value: number | null }>;
    for (const { bucket, value } of rows) {
      const point = points[bucket];
      if (point !== undefined) point[1] = value;
    }
    return points;
  }

  writeEvents(events: StoredEvent[]): WriteResult {
    if (events.length === 0) return { inserted: 0, duplicates: 0 };
    const inserted = this.writeEventBatch(events);
    return { inserted, duplicates: events.length - inserted };
  }

  listEvents(site: string, fromTs: number, limit: number): StoredEvent[] {
    const rows = this.db
      .prepare("SELECT site, ts, agent_ts, event_json FROM events WHERE site = ? AND ts >= ? ORDER BY ts, seq LIMIT ?")
      .all(site, fromTs, limit) as Array<{ site: string; ts: number; agent_ts: number; event_json: string }>;
    return rows.map((row) => ({ site: row.site, ts: row.ts, agentTs: row.agent_ts, event: agentEventSchema.parse(JSON.parse(row.event_json)) }));
  }

  appPathSummaries(from: number, to: number, site?: string): AppPathSummary[] {
    const rows = this.db
      .prepare(
        `SELECT site, probe AS app, link, COUNT(*) AS rounds, AVG(ok) * 100 AS okPct,
                AVG(CASE WHEN ok = 1 THEN latency_ms END) AS latencyAvgMs
         FROM samples
         WHERE role = 'app' AND ts >= @from AND ts < @to AND (@site IS NULL OR site = @site)
         GROUP BY site, probe, link
         ORDER BY site, probe, link`,
      )
      .all({ from, to, site: site ?? null }) as AppPathSummary[];
    return rows;
  }

  linkSamplesBetween(site: string, from: number, to: number): Array<{ ts: number; link: string; ok: boolean }> {
    const rows = this.db
      .prepare("SELECT ts, link, ok FROM samples WHERE site = ? AND role = 'link' AND ts >= ? AND ts <= ? ORDER BY ts, seq")
      .all(site, from, to) as Array<{ ts: number; link: string; ok: number }>;
    return rows.map((row) => ({ ts: row.ts, link: row.link, ok: row.ok === 1 }));
  }

  countSamples(site?: string): number {
    const row =
      site === undefined
        ? this.db.prepare("SELECT COUNT(*) AS n FROM samples").get()
        : this.db.prepare("SELECT COUNT(*) AS n FROM samples WHERE site = ?").get(site);
    return (row as { n: number }).n;
  }

  /** Ascending; a seq appears once per stored record that carries it (an agent whose seqs started again repeats them). */
  listSeqs(site: string): number[] {
    return this.db.prepare("SELECT seq FROM samples WHERE site = ? ORDER BY seq").pluck().all(site) as number[];
  }

  /** Throws when the hash is already recorded (for any site): a token belongs to exactly one site. */
  addToken(site: string, tokenHash: string, createdAt: number): void {
    this.db.prepare("INSERT INTO tokens (site, token_hash, created_at) VALUES (?, ?, ?)").run(site, tokenHash, createdAt);
  }

  siteForTokenHash(tokenHash: string): string | null {
    const site = this.db.prepare("SELECT site FROM tokens WHERE token_hash = ?").pluck().get(tokenHash);
    return typeof site === "string" ? site : null;
  }

  /** Upserts every state in one transaction: all are saved or none. */
  saveLinkStates(states: StoredLinkState[]): void {
    if (states.length > 0) this.saveLinkStatesTx(states);
  }

  /** Every saved link state, ordered by site then link. Throws, naming the link, if a row does not parse. */
  loadLinkStates(): StoredLinkState[] {
    const rows = this.db.prepare("SELECT site, link, machine_json FROM link_states ORDER BY site, link").all() as Array<{
      site: string;
      link: string;
      machine_json: string;
    }>;
    return rows.map(({ site, link, machine_json }) => {
      const parsed = storedMachineSchema.safeParse(JSON.parse(machine_json));
      if (!parsed.success) throw new Error(`stored link state ${site}/${link} is malformed: ${parsed.error.message}`);
      return { site, link, machine: parsed.data };
    });
  }

  /** Upserts the contact for `contact.site`. */
  saveSiteContact(contact: SiteContact): void {
    const { site, lastSeenTs, clockOffsetMs, pushIntervalMs, pendingRecords, droppedRecords, lastSeq, viaLink, clockCorrectionMs, refusedRecords, agentRefusedRecords } = contact;
    this.upsertContact.run({ site, lastSeenTs, clockOffsetMs, pushIntervalMs, pendingRecords, droppedRecords, lastSeq, viaLink, clockCorrectionMs, refusedRecords, agentRefusedRecords });
  }

  /** Every saved site contact, ordered by site. */
  loadSiteContacts(): SiteContact[] {
    const rows = this.db.prepare("SELECT * FROM site_contacts ORDER BY site").all() as SiteContactRow[];
    return rows.map((row) => ({
      site: row.site,
      lastSeenTs: row.last_seen_ts,
      clockOffsetMs: row.clock_offset_ms,
      pushIntervalMs: row.push_interval_ms,
      pendingRecords: row.pending_records,
      droppedRecords: row.dropped_records,
      lastSeq: row.last_seq,
      viaLink: row.via_link,
      clockCorrectionMs: row.clock_correction_ms,
      refusedRecords: row.refused_records,
      agentRefusedRecords: row.agent_refused_records,
    }));
  }

  /** Never throws: a closed or broken database is simply not reachable. */
  isReachable(): boolean {
    try {
      return this.db.prepare("SELECT 1").pluck().get() === 1;
    } catch {
      return false;
    }
  }

  /** Rewrites the one row of `store_probe` (sqliteHealth.ts), with the short lock wait. */
  probeWrite(nowMs: number): void {
    this.health.probeWrite(nowMs);
  }

  /** Runs `work` waiting at most the probe's lock wait (sqliteHealth.ts); returns its result. */
  withShortLockWait<T>(work: () => T): T {
    return this.health.withShortLockWait(work);
  }

  /** One SQLite transaction (nested calls become savepoints). */
  atomically<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /** See sqliteHealth.ts: locked, disk full, I/O error, read-only, damaged, closed… */
  isUnavailableError(err: unknown): boolean {
    return isSqliteUnavailable(err);
  }

  /** Closes the database (checkpointing the WAL). Safe to call twice. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  private prepareSeries(metric: SeriesMetric): Database.Statement {
    const column = METRIC_COLUMNS[metric];
    // CAST keeps the bucket an integer even if a corrected ts was stored as a REAL.
    return this.db.prepare(
      `SELECT CAST((ts - @from) / @step AS INTEGER) AS bucket, AVG(${column}) AS value
       FROM samples
       WHERE site = @site AND link = @link AND role = 'link' AND ts >= @from AND ts < @to
       GROUP BY bucket`,
    );
  }
}

/** The positional parameters of INSERT_SAMPLE_SQL for one sample (SQLite has no boolean: ok is 0/1). */
function sampleRow({ site, ts, agentTs, sample }: StoredSample): unknown[] {
  const icmp = sample.kind === "icmp" ? sample : null;
  return [
    site,
    sample.link ?? "", // link_key: a key column cannot be null (sqliteSchema.ts, migration 4)
    sample.seq,
    ts,
    agentTs,
    sample.role,
    sample.link,
    sample.kind,
    sample.probe,
    sample.target,
    sample.ok ? 1 : 0,
    sampleLatencyMs(sample),
    sampleLossPct(sample),
    icmp?.sent ?? null,
    icmp?.received ?? null,
    icmp?.rttMinMs ?? null,
    icmp?.rttAvgMs ?? null,
    icmp?.rttMaxMs ?? null,
    icmp?.rttStddevMs ?? null,
    icmp?.rttMedianMs ?? null,
    icmp?.rttP90Ms ?? null,
    icmp?.jitterMs ?? null,
    icmp?.mos ?? null,
    icmp ? null : JSON.stringify(kindDetail(sample)),
    sample.reason ?? null,
    sample.round,
    sample.roundSize,
  ];
}

/** The fields of a non-ICMP sample beyond the common envelope, kept as JSON. */
function kindDetail(sample: Sample): Record<string, unknown> {
  const { seq: _seq, ts: _ts, role: _role, link: _link, probe: _probe, target: _target, round: _round, roundSize: _size, ok: _ok, reason: _reason, kind: _kind, ...detail } = sample;
  return detail;
}
