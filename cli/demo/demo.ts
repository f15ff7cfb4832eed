import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type Server } from "node:http";
import { join, resolve } from "node:path";
import { loadCollectorConfig } from "../../collector/config.js";
import { addSiteToken, launchCollector, openStore } from "../../collector/main.js";
import { ensureDemoUsers } from "./demoUsers.js";
import type { CollectorConfig } from "../../config/collectorSchema.js";
import { loadAgentConfig } from "../../agent/config.js";
import { launchAgent } from "../../agent/main.js";
import { demoSites, demoSitesYaml, startDemoProvince } from "./demoProvince.js";

/**
 * Options of `wardwatch demo`: the dashboard port (the site's status page uses port + 1, the stand-in application
 * port + 2) and where to keep its files (a new temp dir when null).
 */
export interface DemoOptions {
  port: number;
  dir: string | null;
}

function collectorYaml(port: number, dataDir: string, simulatedSites: string): string {
  return `# wardwatch demo collector: one province; 'demo-phuong-1' has a real agent (this host), the 'mo-phong-*' sites
# are simulated (cli/demo/demoProvince.ts), and two sites have no agent yet.
listen: 127.0.0.1:${port}
data_dir: ${JSON.stringify(dataDir)}
storage: { kind: sqlite }
province: { id: demo, name: "Tỉnh Demo", timezone: Asia/Ho_Chi_Minh }
providers:
  - { id: vnpt, name: VNPT }
  - { id: viettel, name: Viettel }
  - { id: fpt, name: FPT }
sites:
  - id: demo-phuong-1
    name: "Phường Demo 1 (máy này)"
    address: "Trạm demo chạy trên máy này"
    links:
      - { id: tslcd, kind: dedicated, provider: vnpt, circuit: "DEMO-TSL-000001", bandwidth_mbps: 200 }
      - { id: inet-viettel, kind: internet, provider: viettel, circuit: "DEMO-VT-000001", bandwidth_mbps: 100 }
  - id: demo-xa-2
    name: "Xã Demo 2 (chưa có trạm)"
    links:
      - { id: tslcd, kind: dedicated, provider: vnpt, circuit: "DEMO-TSL-000002", bandwidth_mbps: 200 }
      - { id: inet-fpt, kind: internet, provider: fpt, circuit: "DEMO-FPT-000002", bandwidth_mbps: 100 }
  - id: demo-dac-khu-3
    name: "Đặc khu Demo 3 (chưa có trạm)"
    links:
      - { id: tslcd, kind: dedicated, provider: vnpt, circuit: "DEMO-TSL-000003", bandwidth_mbps: 200 }
      - { id: inet-viettel, kind: internet, provider: viettel, circuit: "DEMO-VT-000003", bandwidth_mbps: 100 }
${simulatedSites}
`;
}

function agentYaml(port: number, tokenFile: string, spoolDir: string, appPort: number): string {
  return `# wardwatch demo agent: its two "links" are loopback stand-ins (nothing leaves this host).
site: demo-phuong-1
site_name: "Phường Demo 1 (máy này)"
collector: { urls: ["http://127.0.0.1:${port}"], token_file: ${JSON.stringify(tokenFile)}, push_interval: 5s }
spool_dir: ${JSON.stringify(spoolDir)}
status_listen: 127.0.0.1:${port + 1}
links:
  - id: tslcd
    kind: dedicated
    provider: VNPT
    circuit: DEMO-TSL-000001
    source: 127.0.0.1
    probes: [ { kind: icmp, target: 127.0.0.2, interval: 5s, count: 5 } ]
  - id: inet-viettel
    kind: internet
    provider: Viettel
    circuit: DEMO-VT-000001
    source: 127.0.0.1
    probes: [ { kind: icmp, target: 127.0.0.3, interval: 5s, count: 5 } ]
apps:
  - id: mot-cua
    name: "Một cửa điện tử (bản demo)"
    via: [tslcd, inet-viettel]
    probe: { kind: http, url: "http://127.0.0.1:${appPort}/", interval: 10s, timeout: 5s, expect_body: "Một cửa" }
lan:
  - { id: camera-quay-1, name: "Camera quầy 1 (bản demo)", probe: { kind: tcp, target: "127.0.0.1:${appPort}", interval: 10s } }
`;
}

/** A loopback stand-in for the one-stop application (and, on the same port, a "camera"), started by the demo. */
async function startStandInApp(port: number): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end("<!doctype html><title>Một cửa điện tử</title><h1>Một cửa điện tử (bản demo)</h1>");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return server;
}

/** Runs `work` on the collector's metadata store, closed afterwards. */
async function withStore<T>(config: CollectorConfig, work: (store: ReturnType<typeof openStore>) => Promise<T>): Promise<T> {
  const store = openStore(config);
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

/** Runs a collector and an agent for this host in one process, on the embedded store; prints the dashboard address. */
export async function runDemo(options: DemoOptions): Promise<{ close(): Promise<void> }> {
  const dir = resolve(options.dir ?? mkdtempSync(join(tmpdir(), "wardwatch-demo-")));
  mkdirSync(dir, { recursive: true });
  const collectorFile = join(dir, "collector.yaml");
  const agentFile = join(dir, "agent.yaml");
  const tokenFile = join(dir, "agent.token");
  const originTs = Date.now();
  const province = demoSites(originTs);
  writeFileSync(collectorFile, collectorYaml(options.port, join(dir, "data"), demoSitesYaml(province)));
  const appPort = options.port + 2;
  writeFileSync(agentFile, agentYaml(options.port, tokenFile, join(dir, "spool"), appPort));
  const collectorConfig = loadCollectorConfig(collectorFile);
  writeFileSync(tokenFile, `${addSiteToken(collectorConfig, "demo-phuong-1")}\n`, { mode: 0o600 });
  const logins = await withStore(collectorConfig, (store) => ensureDemoUsers(store.auth, Date.now()));

  const tokens = new Map(province.map(({ model }) => [model.id, addSiteToken(collectorConfig, model.id)]));

  const app = await startStandInApp(appPort);
  const collector = await launchCollector(collectorConfig, collectorFile);
  const agent = await launchAgent(loadAgentConfig(agentFile));
  const simulated = startDemoProvince(province, collector.url, (site) => tokens.get(site)!, originTs);
  process.stdout.write(
    `\nwardwatch demo is running: this host's agent and ${province.length} simulated sites (an hour of history; a link fails within the first minute).\n  Dashboard:         ${collector.url}/\n  Log in as (one per audience):\n${logins.map((login) => `    ${login}\n`).join("")}  API:               ${collector.url}/api/v1/sites\n  Site status page:  ${agent.statusUrl ?? "-"}\n  Files:             ${dir}\nPress Ctrl+C to stop.\n\n`,
  );
  return {
    async close() {
      await simulated.stop();
      await agent.close();
      await collector.close();
      await new Promise<void>((resolve) => app.close(() => resolve()));
    },
  };
}
