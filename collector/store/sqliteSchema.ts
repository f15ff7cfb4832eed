import type Database from "better-sqlite3";
import { z } from "zod";
import { linkStateSchema, type LinkStateMachine } from "../../protocol/linkState.js";

/**
 * Forward migrations of the collector's SQLite schema, oldest first. Migration `i` brings the database to
 * version `i + 1`. Never edit or reorder a released entry: append a new one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  // 1: samples, tokens, link states, site contacts.
  `
  -- WITHOUT ROWID: the (site, seq) key is the table itself, so an insert updates one b-tree plus the series index.
  -- One row per probe round of any kind. ICMP columns are null for other kinds; latency_ms and loss_pct are the
  -- kind-independent figures (see protocol/sample.ts); detail_json keeps the kind's other fields.
  CREATE TABLE samples (
    site          TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    ts            INTEGER NOT NULL,
    agent_ts      INTEGER NOT NULL,
    role          TEXT    NOT NULL,
    link          TEXT,
    kind          TEXT    NOT NULL,
    probe         TEXT    NOT NULL,
    target        TEXT    NOT NULL,
    ok            INTEGER NOT NULL,
    latency_ms    REAL,
    loss_pct      REAL    NOT NULL,
    sent          INTEGER,
    received      INTEGER,
    rtt_min_ms    REAL,
    rtt_avg_ms    REAL,
    rtt_max_ms    REAL,
    rtt_stddev_ms REAL,
    rtt_median_ms REAL,
    rtt_p90_ms    REAL,
    jitter_ms     REAL,
    mos           REAL,
    detail_json   TEXT,
    reason        TEXT,
    round         INTEGER NOT NULL,
    round_size    INTEGER NOT NULL,
    PRIMARY KEY (site, seq)
  ) WITHOUT ROWID;
  CREATE INDEX samples_site_link_ts ON samples (site, link, ts);

  CREATE TABLE events (
    site       TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    ts         INTEGER NOT NULL,
    agent_ts   INTEGER NOT NULL,
    type       TEXT    NOT NULL,
    event_json TEXT    NOT NULL,
    PRIMARY KEY (site, seq)
  ) WITHOUT ROWID;
  CREATE INDEX events_site_ts ON events (site, ts);

  CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    key             TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    body_json       TEXT    NOT NULL,
    start_ts        INTEGER NOT NULL,
    end_ts          INTEGER
  );
  CREATE INDEX incidents_state ON incidents (state, id);
  CREATE UNIQUE INDEX incidents_open_key ON incidents (key) WHERE state = 'open';

  CREATE TABLE deliveries (
    incident_id INTEGER NOT NULL,
    ts          INTEGER NOT NULL,
    body_json   TEXT    NOT NULL
  );
  CREATE INDEX deliveries_incident ON deliveries (incident_id, ts);

  CREATE TABLE tokens (
    site       TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE link_states (
    site         TEXT NOT NULL,
    link         TEXT NOT NULL,
    machine_json TEXT NOT NULL,
    PRIMARY KEY (site, link)
  );

  CREATE TABLE site_contacts (
    site             TEXT PRIMARY KEY,
    last_seen_ts     INTEGER NOT NULL,
    clock_offset_ms  INTEGER NOT NULL,
    push_interval_ms INTEGER NOT NULL,
    pending_records  INTEGER NOT NULL,
    dropped_records  INTEGER NOT NULL,
    last_seq         INTEGER NOT NULL,
    via_link         TEXT
  );
  `,
  // 2: one row the store health probe rewrites while the store is failing (collector/health/storeBreaker.ts).
  `
  CREATE TABLE store_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    ts INTEGER NOT NULL
  );
  `,
  // 3: incidents by start time, for response times per vendor over a window (SqliteIncidentStore.providerIncidentTimes).
  `
  CREATE INDEX incidents_start_ts ON incidents (start_ts);
  `,
  // 4: a stored record's identity is what it measured, not the agent's seq (docs/decisions.md, "Identity"): an agent
  // whose seqs start again (spool lost or replaced) must not have its new samples taken for resends. Samples are keyed
  // by (site, link, probe, ts) — `link_key` is the link or '' for a sample of no link (a LAN device), as a key column
  // cannot be null — and events by (site, ts, type, group); seq is kept for audits. A row whose measurement was
  // already held keeps the copy with the lowest seq. Site contacts gain the clock correction in effect (sticky, see
  // collector/ingest/clockOffset.ts) and the counts of refused records (the collector's, and the agent's own).
  `
  CREATE TABLE samples_by_measurement (
    site          TEXT    NOT NULL,
    link_key      TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    ts            INTEGER NOT NULL,
    agent_ts      INTEGER NOT NULL,
    role          TEXT    NOT NULL,
    link          TEXT,
    kind          TEXT    NOT NULL,
    probe         TEXT    NOT NULL,
    target        TEXT    NOT NULL,
    ok            INTEGER NOT NULL,
    latency_ms    REAL,
    loss_pct      REAL    NOT NULL,
    sent          INTEGER,
    received      INTEGER,
    rtt_min_ms    REAL,
    rtt_avg_ms    REAL,
    rtt_max_ms    REAL,
    rtt_stddev_ms REAL,
    rtt_median_ms REAL,
    rtt_p90_ms    REAL,
    jitter_ms     REAL,
    mos           REAL,
    detail_json   TEXT,
    reason        TEXT,
    round         INTEGER NOT NULL,
    round_size    INTEGER NOT NULL,
    PRIMARY KEY (site, link_key, probe, ts)
  ) WITHOUT ROWID;
  INSERT OR IGNORE INTO samples_by_measurement (link_key, site, seq, ts, agent_ts, role, link, kind, probe, target, ok, latency_ms, loss_pct, sent, received, rtt_min_ms, rtt_avg_ms, rtt_max_ms, rtt_stddev_ms, rtt_median_ms, rtt_p90_ms, jitter_ms, mos, detail_json, reason, round, round_size)
    SELECT IFNULL(link, ''), site, seq, ts, agent_ts, role, link, kind, probe, target, ok, latency_ms, loss_pct, sent, received, rtt_min_ms, rtt_avg_ms, rtt_max_ms, rtt_stddev_ms, rtt_median_ms, rtt_p90_ms, jitter_ms, mos, detail_json, reason, round, round_size FROM samples ORDER BY site, seq;
  DROP TABLE samples;
  ALTER TABLE samples_by_measurement RENAME TO samples;
  CREATE INDEX samples_site_link_ts ON samples (site, link, ts);

  CREATE TABLE events_by_decision (
    site        TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    ts          INTEGER NOT NULL,
    agent_ts    INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    event_group TEXT    NOT NULL,
    event_json  TEXT    NOT NULL,
    PRIMARY KEY (site, ts, type, event_group)
  ) WITHOUT ROWID;
  INSERT OR IGNORE INTO events_by_decision (site, seq, ts, agent_ts, type, event_group, event_json)
    SELECT site, seq, ts, agent_ts, type, IFNULL(json_extract(event_json, '$.group'), ''), event_json FROM events ORDER BY site, seq;
  DROP TABLE events;
  ALTER TABLE events_by_decision RENAME TO events;

  ALTER TABLE site_contacts ADD COLUMN clock_correction_ms INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE site_contacts ADD COLUMN refused_records INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE site_contacts ADD COLUMN agent_refused_records INTEGER;
  `,
  // 5: users, sessions, API tokens and the audit log (collector/auth/, docs/security.md); site tokens can be revoked.
  // Passwords are scrypt hashes; session ids and tokens are kept as SHA-256 digests only.
  `
  CREATE TABLE users (
    name          TEXT PRIMARY KEY,
    role          TEXT    NOT NULL,
    provider      TEXT,
    site          TEXT,
    password_hash TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_name    TEXT    NOT NULL,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_user ON sessions (user_name);
  CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    role         TEXT    NOT NULL,
    provider     TEXT,
    site         TEXT,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
  );
  CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    ts      INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT,
    ip      TEXT,
    outcome TEXT    NOT NULL
  );
  CREATE INDEX audit_log_ts ON audit_log (ts);
  ALTER TABLE tokens ADD COLUMN revoked_at INTEGER;
  `,
];

/**
 * Brings `db` up to the latest schema version, one transaction per migration. Throws when the database was
 * written by a newer build (its version is above the last migration known here), rather than guess at it.
 */
export function migrate(db: Database.Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = db.prepare("SELECT MAX(version) AS version FROM schema_version").get() as { version: number | null };
  const current = row.version ?? 0;
  if (current > SQLITE_MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this build knows (${SQLITE_MIGRATIONS.length})`);
  }
  for (let version = current + 1; version <= SQLITE_MIGRATIONS.length; version++) {
    const ddl = SQLITE_MIGRATIONS[version - 1] as string;
    db.transaction(() => {
      db.exec(ddl);
      db.prepare("DELETE FROM schema_version").run();
      db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(version);
    })();
  }
}

/** Shape of a persisted link state machine, checked on load so a corrupt row fails loudly, naming the link. */
export const storedMachineSchema = z.strictObject({
  state: linkStateSchema,
  sinceTs: z.number(),
  lastTs: z.number(),
  failStreak: z.number().int().nonnegative(),
  reachStreak: z.number().int().nonnegative(),
  goodStreak: z.number().int().nonnegative(),
  poorStreak: z.number().int().nonnegative(),
  streakStarts: z
    .strictObject({ fail: z.number(), reach: z.number(), good: z.number(), poor: z.number() })
    .default({ fail: 0, reach: 0, good: 0, poor: 0 }),
  recent: z.string(),
  flapping: z.boolean(),
}) satisfies z.ZodType<LinkStateMachine>;
