import Database from "better-sqlite3";
import type { MetadataStore, SiteContact, StoredEvent, StoredLinkState, WriteResult } from "./store.js";
import { agentEventSchema } from "../../protocol/event.js";
import { SqliteIncidentStore } from "./sqliteIncidents.js";
import { SqliteHealth, isSqliteUnavailable } from "./sqliteHealth.js";
import { migrate, storedMachineSchema } from "./sqliteSchema.js";
import { restrictDatabaseFiles } from "./sqliteFileModes.js";
import { LegacySampleTable } from "./legacySamples.js";
import { SqliteAuthStore } from "./sqliteAuth.js";

/** How long a write waits for another connection's lock before failing, ms (the default of `busyTimeoutMs`). */
export const BUSY_TIMEOUT_MS = 5_000;

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
 * The collector's metadata store (wardwatch.db): one SQLite file (or ':memory:') in WAL mode. Its old `samples` table
 * (samples before the sample stores, collector/store/samples/) is no longer written: see legacySamples.ts.
 *
 * Durability: `synchronous = NORMAL` under WAL syncs at checkpoints, not at every commit. A committed write
 * survives a crash of the collector process (the WAL is in the OS page cache); only a power loss or kernel
 * crash may roll back the last transactions. That is the trade DESIGN accepts for ingest throughput.
 *
 * Not safe to share between threads; one instance per process, built in `main.ts`.
 */
export class SqliteMetadataStore implements MetadataStore {
  private readonly writeEventBatch: (events: StoredEvent[]) => number;
  private readonly upsertContact: Database.Statement;
  private readonly saveLinkStatesTx: (states: StoredLinkState[]) => void;
  private readonly saveSiteStateTx: (states: StoredLinkState[], contacts: SiteContact[]) => void;
  private readonly selectTokenSite: Database.Statement<[string], string>;
  private readonly health: SqliteHealth;

  /** Incidents and their delivery attempts, in the same file. */
  readonly incidents: SqliteIncidentStore;
  /** Users, sessions, API tokens, site-token revocation and the audit log, in the same file (sqliteAuth.ts). */
  readonly auth: SqliteAuthStore;
  /** The old `samples` table, copied into the sample store at start (legacySamples.ts). */
  readonly legacySamples: LegacySampleTable;

  private constructor(
    private readonly db: Database.Database,
    busyTimeoutMs: number,
  ) {
    this.incidents = new SqliteIncidentStore(db);
    this.auth = new SqliteAuthStore(db);
    this.legacySamples = new LegacySampleTable(db);
    this.health = new SqliteHealth(db, busyTimeoutMs);
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
    const upsertLinkState = db.prepare(
      `INSERT INTO link_states (site, link, machine_json) VALUES (?, ?, ?)
       ON CONFLICT (site, link) DO UPDATE SET machine_json = excluded.machine_json`,
    );
    this.saveLinkStatesTx = db.transaction((states: StoredLinkState[]) => {
      for (const { site, link, machine } of states) upsertLinkState.run(site, link, JSON.stringify(machine));
    });
    this.saveSiteStateTx = db.transaction((states: StoredLinkState[], contacts: SiteContact[]) => {
      for (const { site, link, machine } of states) upsertLinkState.run(site, link, JSON.stringify(machine));
      for (const contact of contacts) this.saveSiteContact(contact);
    });
    // Prepared once: every push is authenticated with it.
    this.selectTokenSite = db.prepare<[string], string>("SELECT site FROM tokens WHERE token_hash = ? AND revoked_at IS NULL").pluck();
  }

  /**
   * Opens (creating if needed) and migrates the database at `path`; ':memory:' gives a private in-memory one. The
   * file and its -wal and -shm are owner-only (0600, see restrictDatabaseFiles).
   * `busyTimeoutMs`: how long a write waits for another connection's lock (default {@link BUSY_TIMEOUT_MS}).
   */
  static open(path: string, options: { busyTimeoutMs?: number } = {}): SqliteMetadataStore {
    const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
    restrictDatabaseFiles(path);
    const db = new Database(path);
    try {
      db.pragma("journal_mode = WAL"); // ':memory:' answers "memory" and keeps it; nothing to persist there.
      db.pragma("synchronous = NORMAL"); // see the class comment: durable against process crash under WAL.
      db.pragma("foreign_keys = OFF");
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      migrate(db);
      return new SqliteMetadataStore(db, busyTimeoutMs);
    } catch (err) {
      db.close();
      throw err;
    }
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

  /** Throws when the hash is already recorded (for any site): a token belongs to exactly one site. */
  addToken(site: string, tokenHash: string, createdAt: number): void {
    this.db.prepare("INSERT INTO tokens (site, token_hash, created_at) VALUES (?, ?, ?)").run(site, tokenHash, createdAt);
  }

  siteForTokenHash(tokenHash: string): string | null {
    const site = this.selectTokenSite.get(tokenHash);
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

  /** Upserts `states` and `contacts` in one transaction (one commit per push instead of two). */
  saveSiteState(states: StoredLinkState[], contacts: SiteContact[]): void {
    if (states.length > 0 || contacts.length > 0) this.saveSiteStateTx(states, contacts);
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
}
