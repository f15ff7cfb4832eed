import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../config/loader.js";
import { loadCollectorConfig } from "../../collector/config.js";
import { loadAgentConfig } from "../../agent/config.js";

const invalidDir = join(import.meta.dirname, "invalid");
const examplesDir = join(import.meta.dirname, "..", "..", "config", "examples");

function errorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError, but the file loaded");
}

describe("config/loader", () => {
  it("loads the example collector file with defaults filled in, frozen", () => {
    const config = loadCollectorConfig(join(examplesDir, "collector.yaml"));
    expect(config.sites).toHaveLength(3);
    for (const site of config.sites) {
      expect(site.links.map((l) => l.kind).sort()).toEqual(["dedicated", "internet"]);
      expect(new Set(site.links.map((l) => l.provider)).size).toBe(2);
    }
    // area is optional: the third site has none.
    expect(config.sites.map((site) => site.area)).toEqual(["Biên Hòa (cũ)", "Nhơn Trạch (cũ)", null]);
    expect(config.ingest.clockSkewToleranceMs).toBe(5000);
    expect(config.linkPolicy.failAfter).toBe(3);
    expect(Object.isFrozen(config.sites[0]!.links)).toBe(true);
    expect(config.storage).toEqual({ kind: "sqlite", file: "samples.db", rawRetentionMs: 30 * 86_400_000, rollupRetentionMs: 400 * 86_400_000, rollupIntervalMs: 30_000, retentionIntervalMs: 600_000, retentionChunkRows: 2000 });
  });

  it("loads the example agent file with durations in ms", () => {
    const config = loadAgentConfig(join(examplesDir, "agent.yaml"));
    expect(config.site).toBe("tan-phong");
    expect(config.collector.pushIntervalMs).toBe(10_000);
    expect(config.spoolMaxBytes).toBe(64 * 1024 * 1024);
    expect(config.links[0]!.interface).toBe("eth1");
    expect(config.links[1]!.source).toBe("198.51.100.10");
  });

  it("names the file when it cannot be read", () => {
    const err = errorOf(() => loadCollectorConfig("/nonexistent/collector.yaml"));
    expect(err.message).toContain("/nonexistent/collector.yaml: cannot read");
  });

  const fixtures = readdirSync(invalidDir).filter((name) => name.endsWith(".yaml"));
  it.each(fixtures)("rejects invalid/%s with the expected message", (name) => {
    const file = join(invalidDir, name);
    const expected = /^# expect: (.+)$/m.exec(readFileSync(file, "utf8"))![1]!;
    const load = name.startsWith("agent-") ? () => loadAgentConfig(file) : () => loadCollectorConfig(file);
    const err = errorOf(load);
    expect(err.message).toContain(expected);
    expect(err.message).toContain(file);
    expect(err.problems[0]!.line).not.toBeNull();
  });
});
