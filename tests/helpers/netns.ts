/**
 * Real links for tests: a network namespace joined to the root namespace by a veth pair, with private addresses
 * from 10.199.<subnetIndex>.0/30 (host side .1, namespace side .2). Needs root (or CAP_NET_ADMIN) and iproute2.
 *
 * Rules for callers (see DESIGN.md, "Running real components in tests"):
 * - pick one `subnetIndex` per test file (and per link within it), so files running in parallel never share a
 *   subnet; createTestLink refuses a subnet already on an interface;
 * - call destroyTestLink in afterAll (it is idempotent: "already gone" is success, see isAlreadyGone), and only send traffic to peerAddress while the link
 *   exists: once the veth is gone the kernel would route that address like any other;
 * - skip (with the printed reason) when canUseNetns() says no.
 * Names carry the process id, so runs and parallel test files never collide. Every command is run with execFile
 * (argument lists, no shell).
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** How long up() waits for the link to carry traffic again. */
const LINK_READY_TIMEOUT_MS = 5000;
const LINK_READY_POLL_MS = 20;

/** A veth link from the root namespace into a test namespace. Addresses are IPv4 without prefix length. */
export interface TestLink {
  /** Network namespace holding the peer end, e.g. "ww-icmp-12345". */
  namespace: string;
  /** Host end of the veth (root namespace); bind probes to it. At most 15 characters. */
  hostInterface: string;
  /** Peer end of the veth, inside `namespace`. */
  peerInterface: string;
  /** 10.199.<subnetIndex>.1, on hostInterface. */
  hostAddress: string;
  /** 10.199.<subnetIndex>.2, on peerInterface; answers pings while the link is up. */
  peerAddress: string;
  /** Takes the peer end down: the host end loses carrier and pings from the host to peerAddress fail. */
  down(): Promise<void>;
  /** Brings the peer end back up and resolves once a ping over hostInterface to peerAddress succeeds. */
  up(): Promise<void>;
}

/** Links created and not yet destroyed, removed synchronously if the test process exits without destroying them. */
const liveLinks = new Set<TestLink>();
let exitHookInstalled = false;

/** Output of a command that exited 0. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
}

async function ip(args: string[]): Promise<CommandOutput> {
  return run("ip", args, { encoding: "utf8" });
}

/** Whether process `pid` is running (signal 0 only asks). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Makes sure nothing holds `subnet` before a test takes it: interfaces (and namespaces) that a test process left
 * behind when it was killed (their names end with its pid: `ww100h11047`, `ww-site-11048`) are removed when that
 * process is gone; anything else holding the subnet is an error naming it (`who` says which helper asks). A killed
 * run on the same machine must not fail the next one.
 */
export async function claimTestSubnet(subnet: string, who: string): Promise<void> {
  const holders = (): Promise<string> => ip(["-o", "-4", "addr", "show", "to", subnet]).then((out) => out.stdout.trim());
  const inUse = await holders();
  if (inUse === "") return;
  const stalePids = new Set<number>();
  for (const line of inUse.split("\n")) {
    const name = /^\d+:\s+(\S+)/.exec(line)?.[1] ?? "";
    const pid = Number(/^ww\d+[a-z]+(\d+)$/.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || processAlive(pid)) continue;
    stalePids.add(pid);
    await deleteIfPresent([["link", "del", name]]);
  }
  const namespaces = (await ip(["netns", "list"])).stdout.split("\n").map((line) => line.split(" ")[0] ?? "");
  for (const ns of namespaces) {
    const pid = Number(/^ww-[a-z0-9-]+-(\d+)$/.exec(ns)?.[1] ?? NaN);
    if (stalePids.has(pid)) await deleteIfPresent([["netns", "del", ns]]);
  }
  const still = await holders();
  if (still !== "") throw new Error(`${who}: ${subnet} is already in use: ${still}`);
}

/** What a failed command (execFile's error) printed and said; empty strings for what it lacks. */
function commandFailure(err: unknown): { stderr: string; message: string } {
  const failure = (typeof err === "object" && err !== null ? err : {}) as { stderr?: unknown; message?: unknown };
  return { stderr: typeof failure.stderr === "string" ? failure.stderr : "", message: typeof failure.message === "string" ? failure.message : String(err) };
}

/** The first line of what a failed command printed on stderr, else of its error message. */
function errorText(err: unknown): string {
  const { stderr, message } = commandFailure(err);
  return (stderr.trim() || message).split("\n")[0]!;
}

/**
 * Whether this process can create namespaces and veth pairs: root, `ip` present, and a scratch namespace with a
 * veth pair inside it can be made and removed (nothing is created in the root namespace). Tests skip when not ok,
 * printing `reason`.
 */
export async function canUseNetns(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.getuid?.() !== 0) return { ok: false, reason: "not root: network namespace tests need root" };
  const scratch = `ww-check-${process.pid}`;
  try {
    await ip(["netns", "add", scratch]);
  } catch (err) {
    return { ok: false, reason: `cannot create a network namespace (ip netns add): ${errorText(err)}` };
  }
  try {
    await ip(["-n", scratch, "link", "add", "wwcheck0", "type", "veth", "peer", "name", "wwcheck1"]);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `cannot create a veth pair: ${errorText(err)}` };
  } finally {
    await ip(["netns", "del", scratch]).catch(() => undefined);
  }
}

/**
 * Runs `argv` inside namespace `ns` (`ip netns exec`), resolving with its output; rejects when it exits non-zero
 * (the error carries stdout/stderr).
 */
export async function execInNamespace(ns: string, argv: string[]): Promise<CommandOutput> {
  if (argv.length === 0) throw new Error("execInNamespace: empty command");
  return run("ip", ["netns", "exec", ns, ...argv], { encoding: "utf8" });
}

/**
 * Creates namespace `ww-<name>-<pid>` and a veth pair: host end `ww<subnetIndex>h<pid>` in the root namespace
 * with 10.199.<subnetIndex>.1/30, peer end `ww<subnetIndex>p<pid>` in the namespace with 10.199.<subnetIndex>.2/30,
 * both up, and `lo` up inside the namespace. Rejects (having removed whatever it made) when the subnet is already
 * in use or a step fails. `name`: 1–20 characters of a-z, 0-9, '-'; `subnetIndex`: 0–255.
 */
export async function createTestLink(options: { name: string; subnetIndex: number }): Promise<TestLink> {
  const { name, subnetIndex } = options;
  if (!/^[a-z0-9-]{1,20}$/.test(name)) throw new Error(`createTestLink: bad name '${name}' (1–20 of a-z, 0-9, '-')`);
  if (!Number.isInteger(subnetIndex) || subnetIndex < 0 || subnetIndex > 255) {
    throw new Error(`createTestLink: subnetIndex must be an integer 0–255, not ${subnetIndex}`);
  }
  const subnet = `10.199.${subnetIndex}.0/30`;
  await claimTestSubnet(subnet, "createTestLink");

  const namespace = `ww-${name}-${process.pid}`;
  const hostInterface = `ww${subnetIndex}h${process.pid}`;
  const peerInterface = `ww${subnetIndex}p${process.pid}`;
  const hostAddress = `10.199.${subnetIndex}.1`;
  const peerAddress = `10.199.${subnetIndex}.2`;

  const link: TestLink = {
    namespace,
    hostInterface,
    peerInterface,
    hostAddress,
    peerAddress,
    down: async () => {
      await ip(["-n", namespace, "link", "set", peerInterface, "down"]);
    },
    up: async () => {
      await ip(["-n", namespace, "link", "set", peerInterface, "up"]);
      await waitUntilReachable(link);
    },
  };

  installExitHook();
  liveLinks.add(link);
  try {
    await ip(["netns", "add", namespace]);
    await ip(["link", "add", hostInterface, "type", "veth", "peer", "name", peerInterface, "netns", namespace]);
    await ip(["addr", "add", `${hostAddress}/30`, "dev", hostInterface]);
    await ip(["-n", namespace, "addr", "add", `${peerAddress}/30`, "dev", peerInterface]);
    await ip(["-n", namespace, "link", "set", "lo", "up"]);
    await ip(["-n", namespace, "link", "set", peerInterface, "up"]);
    await ip(["link", "set", hostInterface, "up"]);
    await waitUntilReachable(link);
  } catch (err) {
    await destroyTestLink(link);
    throw new Error(`createTestLink(${name}, ${subnetIndex}) failed: ${errorText(err)}`);
  }
  return link;
}

/**
 * What `ip` says when the interface or namespace to delete is already gone. "No such device" comes from a race, not a
 * mistake: deleting a namespace removes the veth ends inside it in the background, so the root end is found and then
 * vanishes before `ip link del` gets to it (seen in teardown of tests/e2e/localStatusPage.test.ts).
 */
const ALREADY_GONE = /No such device|Cannot find device|No such file or directory|does not exist|Invalid netns name/i;

/** Whether the output of a failed `ip … del` says the thing to delete is already gone (see {@link ALREADY_GONE}). */
export function isAlreadyGone(ipOutput: string): boolean {
  return ALREADY_GONE.test(ipOutput);
}

/**
 * Runs each `ip` deletion of `deletions` in order (interfaces before the namespace holding their peers, so that no
 * veth is removed twice at once); one that fails because its target is already gone ({@link isAlreadyGone}) counts as
 * done. Resolves with the other failures, "ip <args>: <message>", empty when everything is gone.
 */
export async function deleteIfPresent(deletions: string[][]): Promise<string[]> {
  const failures: string[] = [];
  for (const args of deletions) {
    try {
      await ip(args);
    } catch (err) {
      const { stderr, message } = commandFailure(err);
      if (!isAlreadyGone(`${stderr}\n${message}`)) failures.push(`ip ${args.join(" ")}: ${errorText(err)}`);
    }
  }
  return failures;
}

/**
 * Removes the link's host interface and namespace (deleting either end of a veth removes both). Idempotent: what is
 * already gone is not an error; any other failure rejects, naming the command.
 */
export async function destroyTestLink(link: TestLink): Promise<void> {
  const failures = await deleteIfPresent([["link", "del", link.hostInterface], ["netns", "del", link.namespace]]);
  if (failures.length > 0) throw new Error(`destroyTestLink: ${failures.join("; ")}`);
  liveLinks.delete(link);
}

/** Polls (bounded) until one ping over the host interface gets an answer from the peer. */
async function waitUntilReachable(link: TestLink): Promise<void> {
  const giveUpAt = Date.now() + LINK_READY_TIMEOUT_MS;
  let lastError = "";
  while (Date.now() < giveUpAt) {
    try {
      // -I binds to the veth, so this ping can never leave the machine by another route.
      await run("ping", ["-n", "-q", "-c", "1", "-W", "0.2", "-I", link.hostInterface, link.peerAddress], {
        env: { ...process.env, LC_ALL: "C" },
      });
      return;
    } catch (err) {
      lastError = errorText(err);
    }
    await new Promise((resolve) => setTimeout(resolve, LINK_READY_POLL_MS));
  }
  throw new Error(`link ${link.hostInterface} → ${link.peerAddress} not usable after ${LINK_READY_TIMEOUT_MS} ms: ${lastError}`);
}

/** Last resort for a test process that exits without destroyTestLink (crash, worker torn down). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const link of liveLinks) {
      for (const args of [["link", "del", link.hostInterface], ["netns", "del", link.namespace]]) {
        try {
          execFileSync("ip", args, { stdio: "ignore" });
        } catch {
          // Already gone.
        }
      }
    }
  });
}
