import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canUseNetns, createTestLink, destroyTestLink, type TestLink } from "../helpers/netns.js";
import { runWardwatch, type DaemonProcess } from "../helpers/processes.js";
import { freePort } from "../helpers/e2eSetup.js";

const netns = await canUseNetns();
if (!netns.ok) console.warn(`skipping e2e local status page tests: ${netns.reason}`);

interface StatusJson {
  links: Array<{ id: string; state: string }>;
  uplink: { consecutiveFailures: number; lastError: string | null };
  diagnosis: { severity: string; vi: string[]; en: string[] };
}

describe.skipIf(!netns.ok)("e2e: the agent's local status page with the collector unreachable", () => {
  let tslcd: TestLink;
  let inet: TestLink;
  let dir: string;
  let agent: DaemonProcess;
  let statusUrl: string;

  beforeAll(async () => {
    tslcd = await createTestLink({ name: "page-a", subnetIndex: 53 });
    inet = await createTestLink({ name: "page-b", subnetIndex: 54 });
    dir = mkdtempSync(join(tmpdir(), "ww-page-"));
    const statusPort = await freePort();
    const deadCollectorPort = await freePort(); // nothing listens there: the collector is "stopped"
    writeFileSync(join(dir, "token"), "ww_unused_token\n");
    writeFileSync(
      join(dir, "agent.yaml"),
      `site: tan-phong
site_name: "Phường Tân Phong"
collector: { urls: ["http://127.0.0.1:${deadCollectorPort}"], token_file: ${JSON.stringify(join(dir, "token"))}, push_interval: 1s, max_backoff: 1s }
spool_dir: ${JSON.stringify(join(dir, "spool"))}
status_listen: 127.0.0.1:${statusPort}
log: { level: info }
links:
  - id: tslcd
    kind: dedicated
    provider: VNPT
    circuit: DNI-TSL-000123
    interface: ${tslcd.hostInterface}
    probes: [ { kind: icmp, target: ${tslcd.peerAddress}, interval: 1s, count: 3, packet_interval: 50ms, timeout: 300ms } ]
  - id: inet-viettel
    kind: internet
    provider: Viettel
    circuit: VT-DNI-556677
    interface: ${inet.hostInterface}
    probes: [ { kind: icmp, target: ${inet.peerAddress}, interval: 1s, count: 3, packet_interval: 50ms, timeout: 300ms } ]
`,
    );
    agent = runWardwatch(["agent", "--config", join(dir, "agent.yaml")]);
    const listening = await agent.waitForLog((l) => l.message === "status page listening");
    statusUrl = listening.url as string;
  });

  afterAll(async () => {
    agent?.kill("SIGKILL");
    await agent?.exited;
    await Promise.all([tslcd && destroyTestLink(tslcd), inet && destroyTestLink(inet)]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("names the failing link, its vendor and circuit while the other link is fine", async () => {
    await agent.waitForLog((l) => l.message === "state changed" && l.monitor === "inet-viettel" && l.to === "up");
    await tslcd.down();
    await agent.waitForLog((l) => l.message === "state changed" && l.monitor === "tslcd" && l.to === "down");
    const status = (await (await fetch(`${statusUrl}status.json`)).json()) as StatusJson;
    expect(status.links.map((l) => [l.id, l.state])).toEqual([
      ["tslcd", "down"],
      ["inet-viettel", "up"],
    ]);
    const text = status.diagnosis.vi.join("\n");
    expect(text).toMatch(/Mất kết nối mạng TSLCD từ \d\d:\d\d; Internet Viettel vẫn bình thường → báo VNPT, mã kênh DNI-TSL-000123/);
    expect(status.diagnosis.severity).not.toBe("ok");
    // The collector never answered, yet the page works and says pushes are failing.
    expect(status.uplink.consecutiveFailures).toBeGreaterThan(0);
    const page = await (await fetch(statusUrl)).text();
    expect(page).toContain("Mất kết nối");
    expect(page).toContain("DNI-TSL-000123");
  });
});
