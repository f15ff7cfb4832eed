/**
 * A real link for the detection bench: a network namespace `ww-bench-<pid>` joined to the root namespace by a veth
 * pair, host end `ww<subnet>h<pid>` with 10.199.<subnet>.1/30, peer end `ww<subnet>p<pid>` (inside the namespace)
 * with 10.199.<subnet>.2/30. Cutting the link takes the peer end down, so the host end loses carrier and pings from
 * the host to the peer fail at once, as when a provider's line goes dark. Needs root and iproute2; nothing is routed
 * beyond the /30, so no traffic leaves the machine. Every command runs with execFile (no shell). The same layout as
 * tests/helpers/netns.ts, kept here because the bench is built without the tests.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
const READY_TIMEOUT_MS = 5000;
const READY_POLL_MS = 20;

/** A veth link into the bench's namespace. Addresses IPv4, without prefix length. */
export interface BenchLink {
  namespace: string;
  /** Root-namespace end: bind the agent's probes to it (`interface:`). */
  hostInterface: string;
  /** The namespace end's address: the probe target, answering while the link is up. */
  peerAddress: string;
  /** Takes the peer end down (the cut). Resolves when `ip` has returned. */
  down(): Promise<void>;
  /** Brings the peer end up and resolves once a ping over the link is answered. */
  up(): Promise<void>;
  /** Removes the namespace and the veth pair. Idempotent. */
  destroy(): void;
}

function errorText(err: unknown): string {
  const failure = err as { stderr?: string; message?: string };
  return (failure.stderr?.trim() || failure.message || String(err)).split("\n")[0]!;
}

/** Why the bench cannot make a link here (not root, no `ip`), or null when it can. */
export function benchLinkUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "the detection bench needs root (it creates a network namespace and a veth pair)";
  try {
    execFileSync("ip", ["-V"], { stdio: "ignore" });
  } catch {
    return "iproute2 (`ip`) is not installed";
  }
  return null;
}

/** Creates the link on 10.199.<subnetIndex>.0/30 (refused when that subnet is already on an interface). */
export async function createBenchLink(subnetIndex: number): Promise<BenchLink> {
  const subnet = `10.199.${subnetIndex}.0/30`;
  const inUse = (await run("ip", ["-o", "-4", "addr", "show", "to", subnet], { encoding: "utf8" })).stdout.trim();
  if (inUse !== "") throw new Error(`${subnet} is already in use: ${inUse}`);
  const pid = process.pid;
  const namespace = `ww-bench-${pid}`;
  const hostInterface = `ww${subnetIndex}h${pid}`;
  const peerInterface = `ww${subnetIndex}p${pid}`;
  const hostAddress = `10.199.${subnetIndex}.1`;
  const peerAddress = `10.199.${subnetIndex}.2`;
  const ip = (args: string[]) => run("ip", args, { encoding: "utf8" });

  let destroyed = false;
  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    for (const args of [["netns", "del", namespace], ["link", "del", hostInterface]]) {
      try {
        execFileSync("ip", args, { stdio: "ignore" });
      } catch {
        // Already gone (deleting the namespace removes both veth ends).
      }
    }
  };
  const waitReachable = async (): Promise<void> => {
    const giveUpAt = Date.now() + READY_TIMEOUT_MS;
    let lastError = "";
    while (Date.now() < giveUpAt) {
      try {
        await run("ping", ["-n", "-q", "-c", "1", "-W", "0.2", "-I", hostInterface, peerAddress], { env: { ...process.env, LC_ALL: "C" } });
        return;
      } catch (err) {
        lastError = errorText(err);
      }
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    throw new Error(`link ${hostInterface} → ${peerAddress} not usable after ${READY_TIMEOUT_MS} ms: ${lastError}`);
  };

  process.once("exit", destroy);
  try {
    await ip(["netns", "add", namespace]);
    await ip(["link", "add", hostInterface, "type", "veth", "peer", "name", peerInterface, "netns", namespace]);
    await ip(["addr", "add", `${hostAddress}/30`, "dev", hostInterface]);
    await ip(["-n", namespace, "addr", "add", `${peerAddress}/30`, "dev", peerInterface]);
    await ip(["-n", namespace, "link", "set", "lo", "up"]);
    await ip(["-n", namespace, "link", "set", peerInterface, "up"]);
    await ip(["link", "set", hostInterface, "up"]);
    await waitReachable();
  } catch (err) {
    destroy();
    throw new Error(`cannot create the bench link: ${errorText(err)}`);
  }
  return {
    namespace,
    hostInterface,
    peerAddress,
    down: async () => {
      await ip(["-n", namespace, "link", "set", peerInterface, "down"]);
    },
    up: async () => {
      await ip(["-n", namespace, "link", "set", peerInterface, "up"]);
      await waitReachable();
    },
    destroy,
  };
}
