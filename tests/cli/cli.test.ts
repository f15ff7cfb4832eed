import { readFileSync, writeFileSync, mkdtempSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runWardwatch, runWardwatchOnce } from "../helpers/processes.js";
import { collectorYaml } from "../helpers/collectorHarness.js";
import { freePort } from "../helpers/e2eSetup.js";

const EXAMPLES = join(import.meta.dirname, "..", "..", "config", "examples");
const INVALID = join(import.meta.dirname, "..", "config", "invalid");

describe("cli/main (the built wardwatch command)", () => {
  const dir = mkdtempSync(join(tmpdir(), "ww-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("check-config accepts the example collector and agent files", async () => {
    const collector = await runWardwatchOnce(["check-config", join(EXAMPLES, "collector.yaml")]);
    expect(collector.code).toBe(0);
    expect(collector.stdout).toContain("is valid (3 sites, 6 links, 3 providers)");
    const agent = await runWardwatchOnce(["check-config", join(EXAMPLES, "agent.yaml")]);
    expect(agent.code).toBe(0);
    expect(agent.stdout).toContain("agent configuration for site 'tan-phong' is valid (2 links, 3 probes)");
  });

  it("check-config exits 1 and names file, line and key", async () => {
    const file = join(INVALID, "collector-unknown-provider.yaml");
    const result = await runWardwatchOnce(["check-config", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`${file}:\\d+:\\d+: sites\\[0\\]\\.links\\[1\\]\\.provider: unknown provider 'vnp' \\(known: vnpt, viettel\\)`));
  });

  it("check-config exits 1 with file and line for an alias bomb or an unresolved alias", async () => {
    for (const name of ["collector-yaml-alias-bomb.yaml", "collector-yaml-unresolved-alias.yaml"]) {
      const file = join(INVALID, name);
      const result = await runWardwatchOnce(["check-config", file]);
      expect(result.code, name).toBe(1);
      expect(result.stderr, name).toMatch(new RegExp(`^${file}:\\d+:\\d+: YAML: `));
    }
  });

  it("check-config --collector checks the agent's site and links against the collector file", async () => {
    const collectorFile = join(EXAMPLES, "collector.yaml");
    const ok = await runWardwatchOnce(["check-config", join(EXAMPLES, "agent.yaml"), "--collector", collectorFile]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`and matches ${collectorFile} (site and links known)`);

    const example = readFileSync(join(EXAMPLES, "agent.yaml"), "utf8");
    const strayLink = join(dir, "agent-stray-link.yaml");
    writeFileSync(strayLink, example.replaceAll("inet-viettel", "inet-fpt")); // another site's link
    const refused = await runWardwatchOnce(["check-config", strayLink, "--collector", collectorFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^${strayLink}:\\d+:\\d+: links\\[1\\]\\.id: link 'inet-fpt' is not a link of site 'tan-phong' in ${collectorFile} \\(its links: tslcd, inet-viettel\\)`));

    const straySite = join(dir, "agent-stray-site.yaml");
    writeFileSync(straySite, example.replace("site: tan-phong ", "site: tan-phuoc "));
    const unknownSite = await runWardwatchOnce(["check-config", straySite, "--collector", collectorFile]);
    expect(unknownSite.code).toBe(1);
    expect(unknownSite.stderr).toMatch(new RegExp(`^${straySite}:4:1: site: site 'tan-phuoc' is not in `));

    const backwards = await runWardwatchOnce(["check-config", collectorFile, "--collector", collectorFile]);
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toContain("give the agent file first");
  });

  it("check-config --collector names a file it cannot read, and an invalid collector file's problem", async () => {
    const collectorFile = join(EXAMPLES, "collector.yaml");
    const agentFile = join(EXAMPLES, "agent.yaml");
    const missing = join(dir, "missing.yaml");
    const noAgent = await runWardwatchOnce(["check-config", missing, "--collector", collectorFile]);
    expect(noAgent.code).toBe(1);
    expect(noAgent.stderr).toMatch(new RegExp(`^${missing}: cannot read: ENOENT`));
    expect(noAgent.stderr).not.toContain("give the agent file first");

    const noCollector = await runWardwatchOnce(["check-config", agentFile, "--collector", missing]);
    expect(noCollector.code).toBe(1);
    expect(noCollector.stderr).toMatch(new RegExp(`^${missing}: cannot read: ENOENT`));

    const invalid = join(INVALID, "collector-unknown-provider.yaml");
    const badCollector = await runWardwatchOnce(["check-config", agentFile, "--collector", invalid]);
    expect(badCollector.code).toBe(1);
    expect(badCollector.stderr).toMatch(new RegExp(`^${invalid}:\\d+:\\d+: sites\\[0\\]\\.links\\[1\\]\\.provider: unknown provider 'vnp'`));
  });

  it("check-config accepts a collector file of 3,400 sites sharing one contacts anchor", async () => {
    const example = readFileSync(join(EXAMPLES, "collector.yaml"), "utf8");
    const sites = Array.from({ length: 3400 }, (_, i) => `  - { id: s${i}, name: "Xã ${i}", contacts: *ict, links: [{ id: tslcd, kind: dedicated, provider: vnpt, circuit: C-${i}, bandwidth_mbps: 100 }] }`);
    const file = join(dir, "country.yaml");
    writeFileSync(file, `${example.slice(0, example.indexOf("\nsites:") + 1).replace("escalate_to: [province-ict]", "escalate_to: &ict [province-ict]")}sites:\n${sites.join("\n")}\n`);
    const result = await runWardwatchOnce(["check-config", file]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("is valid (3400 sites, 3400 links, 3 providers)");
  });

  it("exits 1 on usage errors", async () => {
    expect((await runWardwatchOnce([])).code).toBe(1);
    expect((await runWardwatchOnce(["frobnicate"])).stderr).toContain("unknown command 'frobnicate'");
    expect((await runWardwatchOnce(["collector"])).stderr).toContain("--config FILE is required");
    expect((await runWardwatchOnce(["--help"])).code).toBe(0);
  });

  it("token add prints the token once and stores only its hash", async () => {
    const file = join(dir, "collector.yaml");
    writeFileSync(file, collectorYaml(["tan-phong"]) + `data_dir: ${JSON.stringify(join(dir, "data"))}\n`);
    const result = await runWardwatchOnce(["token", "add", "tan-phong", "--config", file]);
    expect(result.code).toBe(0);
    const token = result.stdout.trim();
    expect(token).toMatch(/^ww_[A-Za-z0-9_-]{43}$/);
    expect(result.stderr).not.toContain(token);
    for (const name of readdirSync(join(dir, "data"))) {
      expect(readFileSync(join(dir, "data", name)).includes(token)).toBe(false);
    }
    const unknown = await runWardwatchOnce(["token", "add", "nowhere", "--config", file]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown site 'nowhere' (known: tan-phong)");
  });

  it("user add prints a generated password once, user list/disable, token list/revoke; the audit log has each change", async () => {
    const file = join(dir, "collector-users.yaml");
    writeFileSync(file, collectorYaml(["tan-phong"]) + `data_dir: ${JSON.stringify(join(dir, "users-data"))}\n`);
    const added = await runWardwatchOnce(["user", "add", "admin", "--role", "province", "--config", file]);
    expect(added.code).toBe(0);
    const password = added.stdout.trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(added.stderr).toContain("user 'admin' added (province)");
    for (const name of readdirSync(join(dir, "users-data"))) expect(readFileSync(join(dir, "users-data", name)).includes(password)).toBe(false);
    const vendorWithoutProvider = await runWardwatchOnce(["user", "add", "noc", "--role", "vendor", "--config", file]);
    expect(vendorWithoutProvider.code).toBe(1);
    expect(vendorWithoutProvider.stderr).toContain("a vendor needs --provider ID (known: vnpt, viettel)");
    expect((await runWardwatchOnce(["user", "add", "noc", "--role", "vendor", "--provider", "vnpt", "--config", file])).code).toBe(0);
    expect((await runWardwatchOnce(["user", "disable", "noc", "--config", file])).code).toBe(0);
    const listed = await runWardwatchOnce(["user", "list", "--config", file]);
    expect(listed.stdout.split("\n").filter(Boolean).map((line) => line.split("\t").slice(0, 3))).toEqual([
      ["admin", "province", "enabled"],
      ["noc", "vendor of vnpt", "disabled"],
    ]);

    expect((await runWardwatchOnce(["token", "add", "tan-phong", "--config", file])).code).toBe(0);
    const revoked = await runWardwatchOnce(["token", "revoke", "tan-phong", "--config", file]);
    expect(revoked.stderr).toContain("1 token(s) of site 'tan-phong' revoked");
    expect((await runWardwatchOnce(["token", "list", "--config", file])).stdout).toMatch(/^tan-phong\t[0-9a-f]{8}\t\S+\trevoked /);
  });

  it("the agent exits 1 naming the token file when it is missing", async () => {
    const file = join(dir, "agent.yaml");
    writeFileSync(
      file,
      `site: tan-phong\ncollector: { urls: ["http://127.0.0.1:9"], token_file: ${JSON.stringify(join(dir, "missing.token"))} }\nspool_dir: ${JSON.stringify(join(dir, "spool"))}\nlinks:\n  - id: tslcd\n    probes: [ { kind: icmp, target: 127.0.0.1 } ]\n`,
    );
    const result = await runWardwatchOnce(["agent", "--config", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("missing.token: collector.token_file: cannot read the token file (ENOENT)");
  });

  it("the collector stops on SIGTERM with exit code 0", async () => {
    const file = join(dir, "collector-sigterm.yaml");
    const port = await freePort();
    writeFileSync(
      file,
      collectorYaml(["tan-phong"]).replace("listen: 127.0.0.1:0", `listen: 127.0.0.1:${port}`).replace("level: error", "level: info") +
        `data_dir: ${JSON.stringify(join(dir, "data-sigterm"))}\n`,
    );
    const collector = runWardwatch(["collector", "--config", file]);
    await collector.waitForLog((l) => l.message === "collector listening");
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    collector.kill("SIGTERM");
    expect(await collector.exited).toBe(0);
  });
});
