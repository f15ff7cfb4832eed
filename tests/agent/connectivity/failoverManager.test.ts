import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FailoverManager, type UnsequencedEvent } from "../../../agent/connectivity/failoverManager.js";
import type { LinkCondition } from "../../../agent/connectivity/failoverPolicy.js";
import type { RouteChange } from "../../../agent/connectivity/routeAction.js";
import type { ConnectivityConfig } from "../../../config/agentSchema.js";
import { memoryLogger } from "../../helpers/memoryLogger.js";

const LINKS = [
  { id: "tslcd", kind: "dedicated" as const, provider: "VNPT", circuit: "C1", interface: "eth1", source: null, gateway: "192.0.2.1", probes: [] },
  { id: "inet", kind: "internet" as const, provider: "Viettel", circuit: "C2", interface: "eth2", source: null, gateway: "198.51.100.1", probes: [] },
];
const HOLD_MS = 60_000;

function setup(action: ConnectivityConfig["action"], hook: ConnectivityConfig["hook"] = null) {
  const clock = { nowMs: 1_000_000 };
  const conditions = new Map<string, LinkCondition>([
    ["tslcd", { state: "up", sinceTs: 0 }],
    ["inet", { state: "up", sinceTs: 0 }],
  ]);
  const routeCalls: RouteChange[][] = [];
  const events: UnsequencedEvent[] = [];
  const log = memoryLogger("agent");
  const manager = new FailoverManager({
    site: "tan-phong",
    connectivity: { action, holdMs: HOLD_MS, hook, groups: [{ id: "tinh", prefixes: ["203.0.113.0/24", "192.0.2.128/25"], links: ["tslcd", "inet"] }] },
    links: LINKS,
    conditions: () => conditions,
    logger: log.logger,
    now: () => clock.nowMs,
    record: (event) => events.push(event),
    replaceRoutes: async (changes) => {
      routeCalls.push([...changes]);
      return { ok: true, detail: "routes replaced" };
    },
  });
  return { clock, conditions, routeCalls, events, manager, log };
}

describe("agent/connectivity/failoverManager", () => {
  const dir = mkdtempSync(join(tmpdir(), "ww-hook-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("observes only by default: reports the switch and changes nothing", async () => {
    const t = setup("observe");
    t.conditions.set("tslcd", { state: "down", sinceTs: t.clock.nowMs });
    await t.manager.evaluate();
    expect(t.events).toMatchObject([{ group: "tinh", fromLink: "tslcd", toLink: "inet", reason: "preferred_down", action: "observe", ok: true }]);
    expect(t.routeCalls).toEqual([]);
  });

  it("runs the route action once on failure, and once more to switch back after the hold time", async () => {
    const t = setup("route");
    t.conditions.set("tslcd", { state: "down", sinceTs: t.clock.nowMs });
    await t.manager.evaluate();
    await t.manager.evaluate();
    expect(t.routeCalls).toEqual([
      [
        { prefix: "203.0.113.0/24", gateway: "198.51.100.1", device: "eth2" },
        { prefix: "192.0.2.128/25", gateway: "198.51.100.1", device: "eth2" },
      ],
    ]);
    // Back up: nothing until it has been up for the hold time.
    t.conditions.set("tslcd", { state: "up", sinceTs: t.clock.nowMs });
    t.clock.nowMs += HOLD_MS - 1;
    await t.manager.evaluate();
    expect(t.routeCalls).toHaveLength(1);
    t.clock.nowMs += 1;
    await t.manager.evaluate();
    await t.manager.evaluate();
    expect(t.routeCalls).toHaveLength(2);
    expect(t.routeCalls[1]![0]).toEqual({ prefix: "203.0.113.0/24", gateway: "192.0.2.1", device: "eth1" });
    expect(t.events.map((e) => e.reason)).toEqual(["preferred_down", "preferred_back"]);
    expect(t.manager.status()).toEqual([{ group: "tinh", activeLink: "tslcd", since: t.clock.nowMs }]);
  });

  it("points every group at its preferred link when it starts with the route action", async () => {
    const t = setup("route");
    t.manager.start(60_000);
    await t.manager.stop();
    expect(t.routeCalls[0]).toEqual([
      { prefix: "203.0.113.0/24", gateway: "192.0.2.1", device: "eth1" },
      { prefix: "192.0.2.128/25", gateway: "192.0.2.1", device: "eth1" },
    ]);
    expect(t.events).toEqual([]);
  });

  it("runs a hook with the event in its environment, and reports a failing hook", async () => {
    const out = join(dir, "hook.out");
    const hook = join(dir, "hook.sh");
    writeFileSync(hook, `#!/bin/sh\necho "$WARDWATCH_GROUP $WARDWATCH_FROM_LINK $WARDWATCH_TO_LINK $WARDWATCH_REASON $WARDWATCH_PREFIXES" > ${out}\n`);
    chmodSync(hook, 0o755);
    const t = setup("hook", { command: hook, timeoutMs: 5000 });
    t.conditions.set("tslcd", { state: "down", sinceTs: t.clock.nowMs });
    await t.manager.evaluate();
    expect(readFileSync(out, "utf8").trim()).toBe("tinh tslcd inet preferred_down 203.0.113.0/24 192.0.2.128/25");
    expect(t.events[0]).toMatchObject({ action: "hook", ok: true });

    const failing = join(dir, "fail.sh");
    writeFileSync(failing, "#!/bin/sh\necho 'no permission' >&2\nexit 3\n");
    chmodSync(failing, 0o755);
    const f = setup("hook", { command: failing, timeoutMs: 5000 });
    f.conditions.set("tslcd", { state: "down", sinceTs: f.clock.nowMs });
    await f.manager.evaluate();
    expect(f.events[0]).toMatchObject({ ok: false, detail: `hook ${failing} exited 3: no permission` });
    expect(f.log.lines.some((l) => l.level === "error" && l.message === "failover")).toBe(true);
  });

  it("kills a hook that runs past its timeout", async () => {
    const slow = join(dir, "slow.sh");
    writeFileSync(slow, "#!/bin/sh\nexec sleep 30\n");
    chmodSync(slow, 0o755);
    const t = setup("hook", { command: slow, timeoutMs: 200 });
    t.conditions.set("tslcd", { state: "down", sinceTs: t.clock.nowMs });
    await t.manager.evaluate();
    expect(t.events[0]).toMatchObject({ ok: false, detail: `hook ${slow} timed out after 200 ms` });
  });
});
