/**
 * A real DNS server for tests: dnsmasq (Debian dnsmasq-base) on 127.0.0.1 and a free port, answering only from the
 * records it is given. It never forwards (--no-resolv, no servers), reads no configuration file and no /etc/hosts,
 * serves no DHCP, and listens on loopback only. Call stop() in afterAll; a test process that exits without it
 * still kills its servers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as dnsPacket from "dns-packet";

const DNSMASQ = "/usr/sbin/dnsmasq";
/** How long start() waits for the first answer. */
const READY_TIMEOUT_MS = 5000;
/** How long one readiness query waits for its answer before the next is sent. */
const READY_QUERY_TIMEOUT_MS = 200;
const START_ATTEMPTS = 3;
const STOP_TIMEOUT_MS = 3000;

/** The records the server answers with. Names are answered with their subdomains (dnsmasq's --address). */
export interface DnsmasqRecords {
  /** name → IPv4 address (A). At least one: the first is queried to know the server is up. */
  addresses: Record<string, string>;
  /** Domains answered only from these records: unknown names under them get NXDOMAIN (elsewhere: REFUSED). */
  localDomains?: string[];
  /** alias → canonical name (CNAME). */
  cnames?: Record<string, string>;
  /** name → text (one TXT record with one string). */
  txtRecords?: Record<string, string>;
  /** name → "preference exchange" (MX), e.g. "10 mail.tinh.example". */
  mxHosts?: Record<string, string>;
}

/** A running dnsmasq. */
export interface Dnsmasq {
  /** UDP and TCP port on 127.0.0.1. */
  port: number;
  /** What dnsmasq printed so far (for failure messages). */
  output(): string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its temporary directory; idempotent. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A port free for both UDP and TCP on 127.0.0.1 at the time of asking. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const udp = createSocket("udp4");
  try {
    udp.bind(port, "127.0.0.1");
    await once(udp, "listening");
  } finally {
    udp.close();
    server.close();
  }
  return port;
}

function dnsmasqArguments(records: DnsmasqRecords, port: number, pidFile: string): string[] {
  const args = [
    "--conf-file=/dev/null",
    "--no-daemon",
    "--no-resolv",
    "--no-hosts",
    "--no-poll",
    `--port=${port}`,
    "--listen-address=127.0.0.1",
    "--bind-interfaces",
    `--pid-file=${pidFile}`,
  ];
  // As root dnsmasq would switch to an unprivileged user that may not exist here; it never switches otherwise.
  if (process.getuid?.() === 0) args.push("--user=root");
  for (const [name, address] of Object.entries(records.addresses)) args.push(`--address=/${name}/${address}`);
  for (const domain of records.localDomains ?? []) args.push(`--local=/${domain}/`);
  for (const [alias, target] of Object.entries(records.cnames ?? {})) args.push(`--cname=${alias},${target}`);
  for (const [name, text] of Object.entries(records.txtRecords ?? {})) args.push(`--txt-record=${name},${text}`);
  for (const [name, mx] of Object.entries(records.mxHosts ?? {})) {
    const [preference, exchange] = mx.split(" ");
    args.push(`--mx-host=${name},${exchange},${preference}`);
  }
  return args;
}

/** One A query for `name`; true when 127.0.0.1:`port` answered it within READY_QUERY_TIMEOUT_MS. */
async function answers(port: number, name: string): Promise<boolean> {
  const socket = createSocket("udp4");
  const answered = new Promise<boolean>((resolve) => {
    socket.on("message", (message) => {
      try {
        resolve((dnsPacket.decode(message).answers ?? []).length > 0);
      } catch {
        resolve(false);
      }
    });
    socket.on("error", () => resolve(false));
    setTimeout(() => resolve(false), READY_QUERY_TIMEOUT_MS);
  });
  socket.send(dnsPacket.encode({ type: "query", id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: "A", name }] }), port, "127.0.0.1");
  const result = await answered;
  socket.close();
  return result;
}

/** Starts dnsmasq with `records` and resolves once it answers an A query for the first address's name. */
export async function startDnsmasq(records: DnsmasqRecords): Promise<Dnsmasq> {
  const firstName = Object.keys(records.addresses)[0];
  if (firstName === undefined) throw new Error("startDnsmasq needs at least one address");
  let lastFailure = "";
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const directory = await mkdtemp(join(tmpdir(), "ww-dnsmasq-"));
    const port = await freePort();
    const child = spawn(DNSMASQ, dnsmasqArguments(records, port, join(directory, "dnsmasq.pid")), { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const exited = new Promise<string>((resolve) => {
      child.on("error", (err) => resolve(`cannot start ${DNSMASQ}: ${err.message}`));
      child.on("exit", (code, signal) => resolve(`dnsmasq exited (${code ?? signal})`));
    });
    let stillRunning = true;
    void exited.then(() => (stillRunning = false));
    running.add(child);
    installExitHook();

    const stop = async (): Promise<void> => {
      if (stillRunning) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(killer);
      }
      running.delete(child);
      await rm(directory, { recursive: true, force: true });
    };

    const deadline = performance.now() + READY_TIMEOUT_MS;
    while (stillRunning && performance.now() < deadline) {
      if (await answers(port, firstName)) return { port, output: () => output, stop };
    }
    lastFailure = stillRunning ? `dnsmasq did not answer within ${READY_TIMEOUT_MS} ms` : await exited;
    await stop();
    // Another process may have taken the port between freePort() and dnsmasq's bind: try another one.
    if (!/Address already in use/.test(output)) throw new Error(`${lastFailure}; output:\n${output}`);
    lastFailure += `; output:\n${output}`;
  }
  throw new Error(`dnsmasq could not start after ${START_ATTEMPTS} attempts: ${lastFailure}`);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}
