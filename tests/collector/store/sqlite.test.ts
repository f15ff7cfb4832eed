import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initialLinkState } from "../../../protocol/linkState.js";
import type { IcmpSample } from "../../../protocol/sample.js";
import { MAX_SERIES_BUCKETS, SqliteStore } from "../../../collector/store/sqlite.js";
import { SQLITE_MIGRATIONS } from "../../../collector/store/sqliteSchema.js";
import type { FailoverEvent } from "../../../protocol/event.js";
import type { SiteContact, StoredSample } from "../../../collector/store/store.js";

const T0 = 1_700_000_000_000;

function icmp(seq: number, overrides: Partial<IcmpSample> = {}): IcmpSample {
  return {
    seq,
    ts: T0 + seq * 1000,
    kind: "icmp",
    role: "link",
    link: "fiber",
    probe: "gw",
    target: "10.0.0.1",
    round: seq,
    roundSize: 1,
    ok: true,
    sent: 5,
    received: 5,
    lossPct: 0,
    rttMinMs: 10,
    rttAvgMs: 12,
    rttMaxMs: 15,
    rttStddevMs: 1,
    ...overrides,
  };
}

function stored(site: string, sample: IcmpSample, offsetMs = 0): StoredSample {
  return { site, ts: sample.ts + offsetMs, agentTs: sample.ts, sample };
}

describe("collector/store/sqlite", () => {
  let store: SqliteStore;

  beforeEach(() => {
    store = SqliteStore.open(":memory:");
  });

  afterEach(() => {
    store.close();
  });

  describe("writeSamples", () => {
    it("is idempotent: a resend inserts nothing and leaves the count unchanged", () => {
      const batch = [1, 2, 3, 4, 5].map((seq) => stored("ward-1", icmp(seq)));
      expect(store.writeSamples(batch)).toEqual({ inserted: 5, duplicates: 0 });
      expect(store.writeSamples(batch)).toEqual({ inserted: 0, duplicates: 5 });
      expect(store.countSamples()).toBe(5);
      expect(store.listSeqs("ward-1")).toEqual([1, 2, 3, 4, 5]);
    });

    it("stores the new part of a mixed batch and keeps the first copy of a known (site, seq)", () => {
      store.writeSamples([1, 2, 3].map((seq) => stored("ward-1", icmp(seq))));
      const mixed = [2, 3, 4, 5].map((seq) => stored("ward-1", icmp(seq, { rttAvgMs: 999 })));
      expect(store.writeSamples(mixed)).toEqual({ inserted: 2, duplicates: 2 });
      expect(store.countSamples("ward-1")).toBe(5);
      // seq 2 keeps its original rtt (12), seq 4 is the new one (999).
      const points = store.querySeries({ site: "ward-1", link: "fiber", metric: "rtt_avg", from: T0, to: T0 + 5000, stepMs: 1000 });
      expect(points[2]).toEqual([T0 + 2000, 12]);
      expect(points[4]).toEqual([T0 + 4000, 999]);
    });

    it("keys on the site too: the same measurement at another site is a different sample", () => {
      expect(store.writeSamples([stored("ward-1", icmp(1)), stored("ward-2", icmp(1))])).toEqual({ inserted: 2, duplicates: 0 });
      expect(store.countSamples("ward-1")).toBe(1);
      expect(store.countSamples("ward-2")).toBe(1);
      expect(store.countSamples("ward-3")).toBe(0);
    });

    it("identifies a sample by what it measured (site, link, probe, ts), not by seq: a restarted seq is new, a resend under another seq is not", () => {
      store.writeSamples([1, 2, 3].map((seq) => stored("ward-1", icmp(seq))));
      // The agent lost its spool: seqs 1–3 again, for later rounds.
      expect(store.writeSamples([1, 2, 3].map((seq) => stored("ward-1", icmp(seq, { ts: T0 + 60_000 + seq * 1000 }))))).toEqual({ inserted: 3, duplicates: 0 });
      expect(store.listSeqs("ward-1")).toEqual([1, 1, 2, 2, 3, 3]);
      // The same round of the same probe, whatever seq it comes with, is held once.
      expect(store.writeSamples([stored("ward-1", icmp(42, { ts: T0 + 2000 }))])).toEqual({ inserted: 0, duplicates: 1 });
      // Another probe of the same link and round, or the same probe on another link, is another measurement.
      expect(store.writeSamples([stored("ward-1", icmp(43, { ts: T0 + 2000, probe: "gw2" })), stored("ward-1", icmp(44, { ts: T0 + 2000, link: "adsl" }))])).toEqual({ inserted: 2, duplicates: 0 });
    });

    it("identifies a sample of no link (a LAN device) by (site, probe, ts)", () => {
      const lan = (seq: number, probe: string) => stored("ward-1", icmp(seq, { role: "lan", link: null, probe, ts: T0 }));
      expect(store.writeSamples([lan(1, "camera"), lan(2, "camera"), lan(3, "printer")])).toEqual({ inserted: 2, duplicates: 1 });
    });

    it("counts duplicates inside one batch", () => {
      expect(store.writeSamples([stored("ward-1", icmp(7)), stored("ward-1", icmp(7))])).toEqual({ inserted: 1, duplicates: 1 });
    });

    it("accepts an empty batch", () => {
      expect(store.writeSamples([])).toEqual({ inserted: 0, duplicates: 0 });
    });

    it("lists seqs ascending whatever the write order", () => {
      store.writeSamples([9, 3, 7, 1].map((seq) => stored("ward-1", icmp(seq))));
      expect(store.listSeqs("ward-1")).toEqual([1, 3, 7, 9]);
      expect(store.listSeqs("nowhere")).toEqual([]);
    });
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

  describe("querySeries", () => {
    it("averages per bucket, with null for empty buckets", () => {
      const at = (seq: number, offsetMs: number, rttAvgMs: number, lossPct: number) =>
        stored("ward-1", icmp(seq, { ts: T0 + offsetMs, rttAvgMs, lossPct }));
      store.writeSamples([at(1, 0, 10, 0), at(2, 30_000, 20, 20), at(3, 120_000, 40, 40), at(4, 179_999, 60, 0)]);
      const query = { site: "ward-1", link: "fiber", from: T0, to: T0 + 240_000, stepMs: 60_000 } as const;
      expect(store.querySeries({ ...query, metric: "rtt_avg" })).toEqual([
        [T0, 15],
        [T0 + 60_000, null],
        [T0 + 120_000, 50],
        [T0 + 180_000, null],
      ]);
      expect(store.querySeries({ ...query, metric: "loss" }).map(([, v]) => v)).toEqual([10, null, 20, null]);
    });

    it("maps each metric to its column", () => {
      store.writeSamples([stored("ward-1", icmp(1, { ts: T0, rttMinMs: 1, rttAvgMs: 2, rttMaxMs: 3, lossPct: 4 }))]);
      const query = { site: "ward-1", link: "fiber", from: T0, to: T0 + 1000, stepMs: 1000 } as const;
      expect(store.querySeries({ ...query, metric: "rtt_min" })).toEqual([[T0, 1]]);
      expect(store.querySeries({ ...query, metric: "rtt_avg" })).toEqual([[T0, 2]]);
      expect(store.querySeries({ ...query, metric: "rtt_max" })).toEqual([[T0, 3]]);
      expect(store.querySeries({ ...query, metric: "loss" })).toEqual([[T0, 4]]);
    });

    it("leaves the null rtt of failed rounds out of the average, but counts their loss", () => {
      const failed = { ok: false, received: 0, lossPct: 100, rttMinMs: null, rttAvgMs: null, rttMaxMs: null, rttStddevMs: null, reason: "timeout" };
      store.writeSamples([
        stored("ward-1", icmp(1, { ts: T0, rttAvgMs: 30, lossPct: 0 })),
        stored("ward-1", icmp(2, { ts: T0 + 1, ...failed })),
        stored("ward-1", icmp(3, { ts: T0 + 2, rttAvgMs: 50, lossPct: 0 })),
        stored("ward-1", icmp(4, { ts: T0 + 60_000, ...failed })),
      ]);
      const query = { site: "ward-1", link: "fiber", from: T0, to: T0 + 120_000, stepMs: 60_000 } as const;
      expect(store.querySeries({ ...query, metric: "rtt_avg" })).toEqual([
        [T0, 40],
        [T0 + 60_000, null],
      ]);
      expect(store.querySeries({ ...query, metric: "loss" })).toEqual([
        [T0, 100 / 3],
        [T0 + 60_000, 100],
      ]);
    });

    it("uses the corrected ts, only the asked site and link, and excludes `to`", () => {
      store.writeSamples([
        stored("ward-1", icmp(1, { ts: T0 - 5000, rttAvgMs: 10 }), 5000), // agent 5 s behind: lands at T0
        stored("ward-1", icmp(2, { ts: T0, link: "adsl", rttAvgMs: 99 })),
        stored("ward-2", icmp(3, { ts: T0, rttAvgMs: 99 })),
        stored("ward-1", icmp(4, { ts: T0 + 10_000, rttAvgMs: 99 })), // exactly at `to`
      ]);
      expect(store.querySeries({ site: "ward-1", link: "fiber", metric: "rtt_avg", from: T0, to: T0 + 10_000, stepMs: 10_000 })).toEqual([[T0, 10]]);
    });

    it("returns a short last bucket when the range is not a whole number of steps", () => {
      store.writeSamples([stored("ward-1", icmp(1, { ts: T0 + 2500, rttAvgMs: 7 }))]);
      expect(store.querySeries({ site: "ward-1", link: "fiber", metric: "rtt_avg", from: T0, to: T0 + 2600, stepMs: 1000 })).toEqual([
        [T0, null],
        [T0 + 1000, null],
        [T0 + 2000, 7],
      ]);
    });

    it("returns no points for an empty range", () => {
      expect(store.querySeries({ site: "ward-1", link: "fiber", metric: "rtt_avg", from: T0, to: T0, stepMs: 1000 })).toEqual([]);
    });

    it("rejects more than the bucket limit, and accepts exactly it", () => {
      const base = { site: "ward-1", link: "fiber", metric: "rtt_avg", from: T0, stepMs: 1000 } as const;
      expect(store.querySeries({ ...base, to: T0 + MAX_SERIES_BUCKETS * 1000 })).toHaveLength(MAX_SERIES_BUCKETS);
      expect(() => store.querySeries({ ...base, to: T0 + MAX_SERIES_BUCKETS * 1000 + 1 })).toThrow(RangeError);
    });

    it("rejects a non-positive or fractional step and a reversed range", () => {
      const base = { site: "ward-1", link: "fiber", metric: "rtt_avg", from: T0, to: T0 + 1000 } as const;
      expect(() => store.querySeries({ ...base, stepMs: 0 })).toThrow(RangeError);
      expect(() => store.querySeries({ ...base, stepMs: -1000 })).toThrow(RangeError);
      expect(() => store.querySeries({ ...base, stepMs: 0.5 })).toThrow(RangeError);
      expect(() => store.querySeries({ ...base, from: T0 + 2000, stepMs: 1000 })).toThrow(RangeError);
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

  it("keeps samples, tokens, link states and site contacts across close and reopen", () => {
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

    const first = SqliteStore.open(path);
    first.writeSamples([stored("ward-1", icmp(1)), stored("ward-1", icmp(2))]);
    first.addToken("ward-1", "d".repeat(64), T0);
    first.saveLinkStates([
      { site: "ward-1", link: "fiber", machine: initialLinkState() },
      { site: "ward-1", link: "adsl", machine: initialLinkState() },
    ]);
    first.saveLinkStates([{ site: "ward-1", link: "fiber", machine }]); // upsert over the first save
    first.saveSiteContact({ ...contact, lastSeq: 1 });
    first.saveSiteContact(contact);
    first.close();

    const second = SqliteStore.open(path);
    try {
      expect(second.countSamples()).toBe(2);
      expect(second.writeSamples([stored("ward-1", icmp(2))])).toEqual({ inserted: 0, duplicates: 1 });
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
    const store = SqliteStore.open(join(dir, "wal.db"));
    try {
      store.writeSamples([stored("ward-1", icmp(1))]);
      // The -wal file exists while a WAL-mode connection is open.
      expect(existsSync(join(dir, "wal.db-wal"))).toBe(true);
    } finally {
      store.close();
    }
  });

  it("names the link when a stored link state does not parse", async () => {
    const path = join(dir, "corrupt.db");
    SqliteStore.open(path).close();
    const { default: Database } = await import("better-sqlite3");
    const raw = new Database(path);
    raw.prepare("INSERT INTO link_states (site, link, machine_json) VALUES ('ward-1', 'fiber', '{\"state\":\"sideways\"}')").run();
    raw.close();
    const store = SqliteStore.open(path);
    try {
      expect(() => store.loadLinkStates()).toThrow(/ward-1\/fiber/);
    } finally {
      store.close();
    }
  });

  it("refuses a database written by a newer schema version", async () => {
    const path = join(dir, "future.db");
    SqliteStore.open(path).close();
    const { default: Database } = await import("better-sqlite3");
    const raw = new Database(path);
    raw.prepare("UPDATE schema_version SET version = 999").run();
    raw.close();
    expect(() => SqliteStore.open(path)).toThrow(/newer/);
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

    const store = SqliteStore.open(path);
    try {
      expect(store.listSeqs("ward-1")).toEqual([1, 2, 4]);
      expect(store.querySeries({ site: "ward-1", link: "fiber", metric: "rtt_avg", from: T0, to: T0 + 1000, stepMs: 1000 })).toEqual([[T0, 12]]);
      expect(store.writeSamples([stored("ward-1", icmp(9, { ts: T0 + 1000, probe: "gw" }))])).toEqual({ inserted: 0, duplicates: 1 });
      expect(store.listEvents("ward-1", 0, 10).map((e) => e.event.seq)).toEqual([5]);
      expect(store.loadSiteContacts()).toEqual([
        { site: "ward-1", lastSeenTs: T0, clockOffsetMs: 0, pushIntervalMs: 10_000, pendingRecords: 0, droppedRecords: 0, lastSeq: 5, viaLink: null, clockCorrectionMs: 0, refusedRecords: 0, agentRefusedRecords: null },
      ]);
    } finally {
      store.close();
    }
  });
});
