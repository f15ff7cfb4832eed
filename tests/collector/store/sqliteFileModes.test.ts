import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadCollectorConfig } from "../../../collector/config.js";
import { openStore } from "../../../collector/main.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import { collectorYaml } from "../../helpers/collectorHarness.js";

const modeOf = (file: string): number => statSync(file).mode & 0o777;

describe("collector/store/sqliteFileModes", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ww-modes-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("creates data_dir 0700 and the database, its -wal and -shm 0600", () => {
    const dataDir = join(dir, "data", "collector");
    const file = join(dir, "collector.yaml");
    writeFileSync(file, collectorYaml(["tan-phong"]) + `data_dir: ${JSON.stringify(dataDir)}\n`);
    const store = openStore(loadCollectorConfig(file));
    try {
      store.addToken("tan-phong", "0".repeat(64), Date.now()); // a write: the WAL holds it until a checkpoint
      expect(modeOf(dataDir)).toBe(0o700);
      const db = join(dataDir, "wardwatch.db");
      for (const path of [db, `${db}-wal`, `${db}-shm`]) {
        expect(existsSync(path), path).toBe(true);
        expect(modeOf(path), path).toBe(0o600);
      }
    } finally {
      store.close();
    }
  });

  it("tightens a database and companions an older version left readable by others", () => {
    const db = join(dir, "wardwatch.db");
    SqliteMetadataStore.open(db).close();
    for (const path of [db, `${db}-wal`, `${db}-shm`]) {
      writeFileSync(path, "", { flag: "a" });
      chmodSync(path, 0o644);
    }
    const store = SqliteMetadataStore.open(db);
    try {
      for (const path of [db, `${db}-wal`, `${db}-shm`]) expect(modeOf(path), path).toBe(0o600);
    } finally {
      store.close();
    }
  });
});
