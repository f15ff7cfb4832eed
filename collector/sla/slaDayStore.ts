import Database from "better-sqlite3";
import { z } from "zod";
import { storedMachineSchema } from "../store/sqliteSchema.js";
import { restrictDatabaseFiles } from "../store/sqliteFileModes.js";
import type { SiteDay } from "./siteDayReplay.js";

/** The SLA store's file in data_dir. */
export const SLA_FILE = "sla.db";

const replayStateSchema = z.strictObject({ machine: storedMachineSchema, lastRoundTs: z.number().nullable() });
const timelineSchema = z.strictObject({
  changes: z.array(z.tuple([z.number(), z.enum(["up", "down", "unknown"])])),
  spans: z.array(z.tuple([z.number(), z.number()])),
});
const siteDayBodySchema = z.strictObject({
  fromTs: z.number(),
  toTs: z.number(),
  start: z.record(z.string(), replayStateSchema),
  end: z.record(z.string(), replayStateSchema),
  links: z.record(z.string(), timelineSchema),
});

/** Where a site's replayed days stand: its first and last stored day ("YYYY-MM-DD") and how far the last is replayed (UTC ms). */
export interface SiteDayRange {
  firstDay: string;
  lastDay: string;
  lastThroughTs: number;
}

/**
 * The SLA's store (sla.db in data_dir, owner-only): each site's local days as replayed from its samples (siteDayReplay.ts)
 * and the days a late write made stale (to replay again). It is derived data: deleting the file loses nothing the
 * sample store still holds (the days are replayed again from the start of the previous month), but it keeps the
 * days whose raw samples are past retention. A row that does not parse throws, naming its site and day.
 */
export class SlaDayStore {
  readonly #put: Database.Statement;
  readonly #get: Database.Statement;
  readonly #range: Database.Statement;
  readonly #between: Database.Statement;
  readonly #markDirty: Database.Statement;
  readonly #clearDirty: Database.Statement;
  readonly #dirty: Database.Statement;
  readonly #prune: Database.Statement;

  private constructor(private readonly db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS sla_days (
        site TEXT NOT NULL, day TEXT NOT NULL, through_ts INTEGER NOT NULL, body_json TEXT NOT NULL,
        PRIMARY KEY (site, day)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS sla_stale_days (site TEXT NOT NULL, day TEXT NOT NULL, PRIMARY KEY (site, day)) WITHOUT ROWID;
    `);
    this.#put = db.prepare("INSERT INTO sla_days (site, day, through_ts, body_json) VALUES (?, ?, ?, ?) ON CONFLICT (site, day) DO UPDATE SET through_ts = excluded.through_ts, body_json = excluded.body_json");
    this.#get = db.prepare("SELECT site, day, through_ts, body_json FROM sla_days WHERE site = ? AND day = ?");
    this.#range = db.prepare("SELECT site, MIN(day) AS first_day, MAX(day) AS last_day, (SELECT through_ts FROM sla_days AS d WHERE d.site = sla_days.site ORDER BY day DESC LIMIT 1) AS last_through FROM sla_days GROUP BY site");
    this.#between = db.prepare("SELECT site, day, through_ts, body_json FROM sla_days WHERE site = ? AND day >= ? AND day <= ? ORDER BY day");
    this.#markDirty = db.prepare("INSERT OR IGNORE INTO sla_stale_days (site, day) VALUES (?, ?)");
    this.#clearDirty = db.prepare("DELETE FROM sla_stale_days WHERE site = ? AND day = ?");
    this.#dirty = db.prepare("SELECT site, day FROM sla_stale_days ORDER BY site, day");
    this.#prune = db.prepare("DELETE FROM sla_days WHERE day < ?");
  }

  /** Opens (creating owner-only, 0600) the store at `path`; ':memory:' for a private one. */
  static open(path: string): SlaDayStore {
    restrictDatabaseFiles(path);
    const db = new Database(path);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("busy_timeout = 1000");
      return new SlaDayStore(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Every site's stored range of days. */
  ranges(): Map<string, SiteDayRange> {
    const rows = this.#range.all() as Array<{ site: string; first_day: string; last_day: string; last_through: number }>;
    return new Map(rows.map((row) => [row.site, { firstDay: row.first_day, lastDay: row.last_day, lastThroughTs: row.last_through }]));
  }

  /** One stored day, or null. */
  get(site: string, day: string): SiteDay | null {
    const row = this.#get.get(site, day) as DayRow | undefined;
    return row ? parseRow(row) : null;
  }

  /** A site's stored days from `fromDay` to `toDay` (inclusive, "YYYY-MM-DD"), in order. */
  between(site: string, fromDay: string, toDay: string): SiteDay[] {
    return (this.#between.all(site, fromDay, toDay) as DayRow[]).map(parseRow);
  }

  /** Stores (replaces) a day. */
  put(day: SiteDay): void {
    const { site, day: key, throughTs, ...body } = day;
    this.#put.run(site, key, throughTs, JSON.stringify({ fromTs: body.fromTs, toTs: body.toTs, start: body.start, end: body.end, links: body.links }));
  }

  /** Records that a site's day is to be replayed again (a write landed in what was replayed). */
  markStale(site: string, day: string): void {
    this.#markDirty.run(site, day);
  }

  /** Forgets a stale mark (the day was replayed again). */
  clearStale(site: string, day: string): void {
    this.#clearDirty.run(site, day);
  }

  /** Every stale (site, day), ordered by site then day. */
  staleDays(): Array<{ site: string; day: string }> {
    return this.#dirty.all() as Array<{ site: string; day: string }>;
  }

  /** Removes days before `beforeDay` ("YYYY-MM-DD"); returns how many. */
  prune(beforeDay: string): number {
    return this.#prune.run(beforeDay).changes;
  }

  /** Closes the database. Safe to call twice. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}

interface DayRow {
  site: string;
  day: string;
  through_ts: number;
  body_json: string;
}

function parseRow(row: DayRow): SiteDay {
  const parsed = siteDayBodySchema.safeParse(JSON.parse(row.body_json));
  if (!parsed.success) throw new Error(`stored SLA day ${row.site}/${row.day} is malformed: ${parsed.error.message}`);
  return { site: row.site, day: row.day, throughTs: row.through_ts, ...parsed.data };
}
