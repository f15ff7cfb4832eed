import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initialLinkState } from "../../../protocol/linkState.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import { SQLITE_MIGRATIONS } from "../../../collector/store/sqliteSchema.js";
import type { FailoverEvent } from "../../../protocol/event.js";
import type { SiteContact } from "../../../collector/store/store.js";

const T0 = 1_700_000_000_000;

describe("collector/store/sqlite", () => {
  let store: SqliteMetadataStore;

  beforeEach(() => {
    store = SqliteMetadataStore.open(":memory:");
  });

  afterEach(() => {
    store.close();
  });

  describe("writeEvents", () => {
    const failover = (seq: number, ts: number, group = "tinh"): FailoverEvent => ({ seq, ts, type: "failover", group, fromLink: "fiber", toLink: "adsl", reason: "preferred_down", action: "observe", ok: true, detail: "" });
    const storedEvent = (event: FailoverEvent) => ({ site: "ward-1", ts: event.ts, agentTs: event.ts, event });

    it("identifies an event by (site, ts, type, group), not by seq", () => {
      expect(store.writeEvents([storedEvent(failover(5, T0)), storedEvent(failover(6, T0, "internet"))])).toEqual({ inserted: 2, duplicates: 0 });
      expect(store.writeEvents([storedEvent(failover(77, T0))])).toEqual({ inserted: 0, duplicates: 1 });
      expect(store.writeEvents([storedEvent(failover(5, T0 + 1000))])).toEqual({ inserted: 1, duplicates: 0 });
      expect(store.listEvents("ward-1", 0, 10).map((e) => [e.event.seq, e.ts])).toEqual([[5, T0], [6, T0], [5, T0 + 1000]]);
    });
  });

  describe("tokens", () => {
    it("finds the site of a recorded hash", () => {
      store.addToken("ward-1", "a".repeat(64), T0);
      store.addToken("ward-2", "b".repeat(64), T0);
      expect(store.siteForTokenHash("a".repeat(64))).toBe("ward-1");
      expect(store.siteForTokenHash("b".repeat(64))).toBe("ward-2");
    });

    it("answers null for an unknown hash", () => {
      store.addToken("ward-1", "a".repeat(64), T0);
      expect(store.siteForTokenHash("c".repeat(64))).toBeNull();
    });

    it("refuses a hash already recorded", () => {
      store.addToken("ward-1", "a".repeat(64), T0);
      expect(() => store.addToken("ward-2", "a".repeat(64), T0)).toThrow();
      expect(store.siteForTokenHash("a".repeat(64))).toBe("ward-1");
    });
  });

  describe("health", () => {
    it("is reachable while open and not after close, without throwing", () => {
      expect(store.isReachable()).toBe(true);
      store.close();
      expect(store.isReachable()).toBe(false);
      store.close(); // twice is fine
    });
  });
});

describe("collector/store/sqlite on a file", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "wardwatch-store-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps tokens, link states and site contacts across close and reopen", () => {
    const path = join(dir, "collector.db");
    const machine = { ...initialLinkState(), state: "down" as const, sinceTs: T0, lastTs: T0 + 3000, failStreak: 3, recent: "ggfff" };
    const contact: SiteContact = {
      site: "ward-1",
      lastSeenTs: T0 + 5000,
      clockOffsetMs: -1200,
      pushIntervalMs: 10_000,
      pendingRecords: 4,
      droppedRecords: 1,
      lastSeq: 42,
      viaLink: "inet",
      clockCorrectionMs: -1180,
      refusedRecords: 3,
      agentRefusedRecords: 2,
    };

    const first = SqliteMetadataStore.open(path);
    first.addToken("ward-1", "d".repeat(64), T0);
    first.saveLinkStates([
      { site: "ward-1", link: "fiber", machine: initialLinkState() },
      { site: "ward-1", link: "adsl", machine: initialLinkState() },
    ]);
    first.saveSiteContact({ ...contact, lastSeq: 1 });
    // What the collector saves after each push: both upserts in one transaction, over the earlier saves.
    first.saveSiteState([{ site: "ward-1", link: "fiber", machine }], [contact]);
    first.saveSiteState([], []);
    first.close();

    const second = SqliteMetadataStore.open(path);
    try {
      expect(second.siteForTokenHash("d".repeat(64))).toBe("ward-1");
      expect(second.loadLinkStates()).toEqual([
        { site: "ward-1", link: "adsl", machine: initialLinkState() },
        { site: "ward-1", link: "fiber", machine },
      ]);
      expect(second.loadSiteContacts()).toEqual([contact]);
    } finally {
      second.close();
    }
  });

  it("runs in WAL mode", () => {
    const store = SqliteMetadataStore.open(join(dir, "wal.db"));
    try {
      store.addToken("ward-1", "e".repeat(64), T0);
      // The -wal file exists while a WAL-mode connection is open.
      expect(existsSync(join(dir, "wal.db-wal"))).toBe(true);
    } finally {
      store.close();
    }
  });

  it("names the link when a stored link state does not parse", async () => {
    const path = join(dir, "corrupt.db");
    SqliteMetadataStore.open(path).close();
    const { default: Database } = await import("better-sqlite3");
    const raw = new Database(path);
    raw.prepare("INSERT INTO link_states (site, link, machine_json) VALUES ('ward-1', 'fiber', '{\"state\":\"sideways\"}')").run();
    raw.close();
    const store = SqliteMetadataStore.open(path);
    try {
      expect(() => store.loadLinkStates()).toThrow(/ward-1\/fiber/);
    } finally {
      store.close();
    }
  });

  it("refuses a database written by a newer schema version", async () => {
    const path = join(dir, "future.db");
    SqliteMetadataStore.open(path).close();
    const { default: Database } = await import("better-sqlite3");
    const raw = new Database(path);
    raw.prepare("UPDATE schema_version SET version = 999").run();
    raw.close();
    expect(() => SqliteMetadataStore.open(path)).toThrow(/newer/);
  });

  it("migrates a version-3 database to identity by measurement, keeping every row's seq and the first copy of a measurement held twice", async () => {
    const path = join(dir, "v3.db");
    const { default: Database } = await import("better-sqlite3");
    const raw = new Database(path);
    raw.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
    for (const ddl of SQLITE_MIGRATIONS.slice(0, 3)) raw.exec(ddl);
    raw.prepare("INSERT INTO schema_version (version) VALUES (3)").run();
    const insert = raw.prepare(
      `INSERT INTO samples (site, seq, ts, agent_ts, role, link, kind, probe, target, ok, loss_pct, rtt_avg_ms, round, round_size)
       VALUES ('ward-1', ?, ?, ?, ?, ?, 'icmp', ?, '10.0.0.1', 1, 0, ?, 1, 1)`,
    );
    insert.run(1, T0, T0, "link", "fiber", "gw", 12);
    insert.run(2, T0 + 1000, T0 + 1000, "link", "fiber", "gw", 13);
    insert.run(3, T0, T0, "link", "fiber", "gw", 99); // the same measurement as seq 1
    insert.run(4, T0, T0, "lan", null, "camera", 5);
    raw.prepare("INSERT INTO events (site, seq, ts, agent_ts, type, event_json) VALUES ('ward-1', 5, ?, ?, 'failover', ?)").run(
      T0, T0, JSON.stringify({ seq: 5, ts: T0, type: "failover", group: "tinh", fromLink: "fiber", toLink: "adsl", reason: "preferred_down", action: "observe", ok: true, detail: "" }),
    );
    raw.prepare("INSERT INTO site_contacts VALUES ('ward-1', ?, 0, 10000, 0, 0, 5, NULL)").run(T0);
    raw.close();

    const store = SqliteMetadataStore.open(path);
    try {
      // The old samples table as migrated: read by legacySamples.ts, which copies it into the sample store.
      const check = new Database(path, { readonly: true });
      expect(check.prepare("SELECT seq FROM samples ORDER BY seq").pluck().all()).toEqual([1, 2, 4]);
      expect(check.prepare("SELECT rtt_avg_ms FROM samples WHERE link = 'fiber' AND ts = ?").pluck().all(T0)).toEqual([12]);
      check.close();
      expect(store.legacySamples.readChunk(10)).toHaveLength(3);
      expect(store.listEvents("ward-1", 0, 10).map((e) => e.event.seq)).toEqual([5]);
      expect(store.loadSiteContacts()).toEqual([
        { site: "ward-1", lastSeenTs: T0, clockOffsetMs: 0, pushIntervalMs: 10_000, pendingRecords: 0, droppedRecords: 0, lastSeq: 5, viaLink: null, clockCorrectionMs: 0, refusedRecords: 0, agentRefusedRecords: null },
      ]);
    } finally {
      store.close();
    }
  });
});
