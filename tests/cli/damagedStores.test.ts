import { cpSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSiteToken } from "../helpers/alertingE2e.js";
import { batchOf, icmpSample } from "../helpers/batches.js";
import { collectorYaml } from "../helpers/collectorHarness.js";
import { freePort } from "../helpers/e2eSetup.js";
import { runWardwatch, runWardwatchOnce } from "../helpers/processes.js";

/**
 * The real `wardwatch collector` on damaged or missing store files: a collector is run once (a site pushes a batch),
 * stopped, and each case starts a copy of its data_dir with one file damaged. Everything on 127.0.0.1.
 */

const SITE = "tan-phong";

describe("cli: wardwatch collector with a damaged or missing store file", () => {
  const dir = mkdtempSync(join(tmpdir(), "ww-cli-damaged-"));
  const pristine = join(dir, "pristine");
  let port: number;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A collector file for data_dir `dataDir`, log level info. */
  const collectorFile = (name: string, dataDir: string): string => {
    const file = join(dir, `${name}.yaml`);
    const yaml = collectorYaml([SITE]).replace("listen: 127.0.0.1:0", `listen: 127.0.0.1:${port}`).replace("level: error", "level: info");
    writeFileSync(file, `${yaml}data_dir: ${JSON.stringify(dataDir)}\n`);
    return file;
  };

  /** A copy of the pristine data_dir, changed by `damage`; returns the collector file for it. */
  const caseWith = (name: string, damage: (dataDir: string) => void): string => {
    const dataDir = join(dir, name);
    cpSync(pristine, dataDir, { recursive: true });
    damage(dataDir);
    return collectorFile(name, dataDir);
  };

  beforeAll(async () => {
    port = await freePort();
    const file = collectorFile("pristine", pristine);
    const tokenFile = join(dir, "site.token");
    await addSiteToken(file, SITE, tokenFile);
    const collector = runWardwatch(["collector", "--config", file]);
    try {
      await collector.waitForLog((l) => l.message === "collector listening");
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/ingest`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${readFileSync(tokenFile, "utf8").trim()}` },
        body: JSON.stringify(batchOf(SITE, [1, 2, 3].map((seq) => icmpSample(seq)))),
      });
      expect(response.status).toBe(200);
      // A first start, with no site heard from before: nothing to warn about.
      expect(collector.logs.filter((l) => l.level === "warn")).toEqual([]);
    } finally {
      collector.kill("SIGTERM");
    }
    expect(await collector.exited).toBe(0);
  }, 60_000);

  it("samples.db that is not a database: exit 2, naming the samples store, its file and what to do", async () => {
    const file = caseWith("garbage", (dataDir) => writeFileSync(join(dataDir, "samples.db"), Buffer.alloc(20_000, 0xab)));
    const result = await runWardwatchOnce(["collector", "--config", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`wardwatch: samples store ${join(dir, "garbage", "samples.db")}: file is not a database; restore it from a backup or move it aside to start with an empty history`);
  });

  it("a truncated samples.db: exit 2, naming the samples store and its file", async () => {
    const file = caseWith("truncated", (dataDir) => truncateSync(join(dataDir, "samples.db"), 8192));
    const result = await runWardwatchOnce(["collector", "--config", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`wardwatch: samples store ${join(dir, "truncated", "samples.db")}: database disk image is malformed; restore it from a backup`);
  });

  it("overwritten pages in wardwatch.db: exit 2, naming the metadata store and its file", async () => {
    const file = caseWith("overwritten", (dataDir) => {
      const fd = openSync(join(dataDir, "wardwatch.db"), "r+");
      // The whole schema page past the file header, its b-tree header included: with more tables (users, sessions, …)
      // page 1 is an interior page whose cells sit at its end, so damage to its middle alone could land in free space.
      writeSync(fd, Buffer.alloc(3996, 0xab), 0, 3996, 100);
      closeSync(fd);
    });
    const result = await runWardwatchOnce(["collector", "--config", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`wardwatch: metadata store ${join(dir, "overwritten", "wardwatch.db")}: database disk image is malformed; restore it from a backup`);
  });

  it("samples.db deleted while wardwatch.db has heard from sites: starts, and warns once that the history starts empty", async () => {
    const file = caseWith("deleted", (dataDir) => rmSync(join(dataDir, "samples.db")));
    const collector = runWardwatch(["collector", "--config", file]);
    try {
      await collector.waitForLog((l) => l.message === "collector listening");
      const warnings = collector.logs.filter((l) => l.level === "warn");
      expect(warnings).toEqual([expect.objectContaining({ message: "sample store file was missing: created empty, the history of samples starts now", file: join(dir, "deleted", "samples.db"), sitesHeardFrom: 1 })]);
    } finally {
      collector.kill("SIGTERM");
    }
    expect(await collector.exited).toBe(0);
  }, 30_000);
});
