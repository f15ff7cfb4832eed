import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HELD_JOURNAL_FILE, HeldIncidentJournal } from "../../../collector/health/heldJournal.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import type { StoredIncident } from "../../../collector/incidents/incidentStore.js";
import { linkIncident, MONDAY_0800_ICT } from "../../helpers/alertingFixtures.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

/** A real incident as the store makes it, with one delivery attempt. */
function anIncident(): StoredIncident {
  const store = SqliteMetadataStore.open(":memory:");
  const opened = store.incidents.openIncident(linkIncident(MONDAY_0800_ICT));
  store.incidents.recordDelivery(opened.id, { receiver: "province-ict", channel: "email", message: "report", attempt: 1, ts: MONDAY_0800_ICT + 10_000, ok: true, detail: "250 OK", retryable: false });
  const incident = store.incidents.getIncident(opened.id)!;
  store.close();
  return incident;
}

describe("collector/health/heldJournal", () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ww-held-journal-"));
    file = join(dir, HELD_JOURNAL_FILE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps held incidents, with their attempts, across a new journal object (a restart); none left removes the file", () => {
    const incident = anIncident();
    new HeldIncidentJournal(file, memoryLogger().logger).save([incident]);
    expect(new HeldIncidentJournal(file, memoryLogger().logger).load()).toEqual([incident]);
    new HeldIncidentJournal(file, memoryLogger().logger).save([]);
    expect(() => statSync(file)).toThrow(/ENOENT/);
  });

  it("is readable by its owner only, also when a crash left a temporary file with a looser mode", () => {
    const stale = `${file}.${process.pid}.tmp`;
    writeFileSync(stale, "left by a crash");
    chmodSync(stale, 0o644);
    new HeldIncidentJournal(file, memoryLogger().logger).save([anIncident()]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => statSync(stale)).toThrow(/ENOENT/);
  });

  it("ignores, and says so, a journal that is not JSON, of another version, or malformed", () => {
    const cases: Array<[string, RegExp]> = [
      ["{ cut off", /not JSON/],
      [JSON.stringify({ version: 2, incidents: [] }), /malformed/],
      [JSON.stringify({ version: 1, incidents: [{ id: "one" }] }), /malformed/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(file, text);
      const log = memoryLogger();
      expect(new HeldIncidentJournal(file, log.logger).load()).toEqual([]);
      expect(log.lines.map((l) => l.message)).toEqual([expect.stringMatching(message)]);
    }
  });

  it("a journal that cannot be written is logged once and the old one stays whole", () => {
    const incident = anIncident();
    const log = memoryLogger();
    const journal = new HeldIncidentJournal(file, log.logger);
    journal.save([incident]);
    const before = readFileSync(file, "utf8");
    // The temporary file's name taken by a directory: every write attempt fails, as on a full or broken disk (the
    // tests run as root, so permissions cannot stand in for it).
    mkdirSync(`${file}.${process.pid}.tmp`);
    journal.save([incident, { ...incident, id: 2 }]);
    journal.save([incident, { ...incident, id: 3 }]);
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(log.lines.filter((l) => /not written/.test(String(l.message)))).toHaveLength(1);
  });
});
