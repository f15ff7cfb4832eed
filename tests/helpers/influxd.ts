/**
 * A real InfluxDB 1.x for tests: Debian's `influxd` (1.6.7) started with `influxd -config <file>` on free loopback
 * ports (HTTP, and the RPC bind address of backup/restore), a temporary data directory, `reporting-enabled = false`
 * and auth enabled. start() creates the admin user (the one request 1.x accepts without credentials when it has no
 * user), then everything uses credentials. stop()/restart() keep the data and ports; pause()/resume() freeze and thaw
 * the process (SIGSTOP/SIGCONT: connections are accepted by the kernel, never answered); remove() stops it and deletes
 * everything. A test process that exits without remove() still kills its servers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { freePort } from "./freePort.js";
import { tmpdir } from "node:os";
import { join } from "node:path";

const INFLUXD = "/usr/bin/influxd";
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/** A running (or stopped, restartable) influxd. */
export interface Influxd {
  /** The HTTP API, e.g. http://127.0.0.1:40123. */
  url: string;
  /** The admin user's name and password. */
  username: string;
  password: string;
  /** What influxd printed so far (for failure messages). */
  output(): string;
  /** Freezes the running server (SIGSTOP): it keeps its port, requests hang unanswered. Idempotent. */
  pause(): void;
  /** Thaws a paused server (SIGCONT); it answers again, the requests that waited included. Idempotent. */
  resume(): void;
  /** Stops the server (SIGTERM, then SIGKILL), keeping its data; a paused one is thawed first. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data, and waits for /ping. */
  restart(): Promise<void>;
  /** Stops it and removes its directory; idempotent. */
  remove(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;


function configText(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-enabled = false
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
  logging-enabled = false
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[retention]
  enabled = true
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = true
  log-enabled = false
`;
}

async function waitForPing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`influxd exited with ${child.exitCode}:\n${output()}`);
    try {
      const answer = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(500) });
      if (answer.status === 204) return;
    } catch {
      // not listening yet
    }
    // Polling: influxd says nothing machine-readable when it is ready, /ping is the documented readiness check.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`influxd did not answer /ping within ${READY_TIMEOUT_MS} ms:\n${output()}`);
}

/** Starts influxd and creates its admin user; see the module comment. */
export async function startInfluxd(): Promise<Influxd> {
  const dir = await mkdtemp(join(tmpdir(), "wardwatch-influxd-"));
  const httpPort = await freePort();
  const rpcPort = await freePort();
  const configFile = join(dir, "influxdb.conf");
  await writeFile(configFile, configText(dir, httpPort, rpcPort), { mode: 0o600 });
  const url = `http://127.0.0.1:${httpPort}`;
  const username = "admin";
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  let log = "";
  let child: ChildProcess | null = null;
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const process of running) process.kill("SIGKILL");
    });
  }

  const launch = async (): Promise<void> => {
    const started = spawn(INFLUXD, ["-config", configFile], { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir } });
    started.stdout!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    started.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    running.add(started);
    started.once("exit", () => running.delete(started));
    child = started;
    await waitForPing(url, started, () => log);
  };
  const stop = async (): Promise<void> => {
    const current = child;
    child = null;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = once(current, "exit");
    current.kill("SIGTERM");
    // A stopped process keeps SIGTERM pending until it runs again.
    current.kill("SIGCONT");
    const timer = setTimeout(() => current.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  const query = `CREATE USER "${username}" WITH PASSWORD '${password}' WITH ALL PRIVILEGES`;
  const created = await fetch(`${url}/query`, { method: "POST", body: new URLSearchParams({ q: query }) });
  if (created.status !== 200) {
    await stop();
    throw new Error(`creating the influxd admin user failed: ${created.status} ${await created.text()}`);
  }
  return {
    url,
    username,
    password,
    output: () => log,
    pause: () => {
      if (child && child.exitCode === null) child.kill("SIGSTOP");
    },
    resume: () => {
      if (child && child.exitCode === null) child.kill("SIGCONT");
    },
    stop,
    restart: launch,
    remove: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
