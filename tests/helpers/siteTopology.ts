/**
 * A commune site with two real WAN links, for end-to-end tests: a "site" network namespace (where the agent runs)
 * joined to the root namespace by two veth pairs, link `tslcd` and link `inet`, plus a collector address on a dummy
 * interface in the root namespace. Needs root and iproute2; skip with canUseNetns() (see netns.ts) when absent.
 *
 * Addresses (subnet base B, default 80; the link tests own 10.199.80–89, the alerting tests 10.199.140–142):
 * - collector: 10.199.B.1/32 on dummy `ww<B>d<pid>` (root namespace; where the kernel has no dummy interfaces, on
 *   one end of a veth pair `ww<B>d<pid>`/`ww<B>e<pid>` whose other end stays unused);
 * - tslcd: root end `ww<B+1>r<pid>` 10.199.<B+1>.1/30, site end `ww<B+1>s<pid>` 10.199.<B+1>.2/30;
 * - inet: root end `ww<B+2>r<pid>` 10.199.<B+2>.1/30, site end `ww<B+2>s<pid>` 10.199.<B+2>.2/30.
 * Inside the site namespace the collector is routed through both links (tslcd preferred by metric), and by source,
 * the way a real two-WAN site does it: `ip rule from <site address> lookup <table>`, one table per link holding the
 * collector route through that link. So a socket bound to a link's address leaves through that link.
 *
 * Nothing is routed beyond these addresses: the site namespace has no default route, and the root namespace only
 * gains the connected /30s and the /32, so test traffic never leaves the machine. Routes and rules live inside the
 * namespace and go with it; destroy() removes the namespace, the root veth ends and the collector's interface (idempotent), and an
 * exit hook does the same if the test process dies first. Every command runs with execFile (no shell).
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { claimTestSubnet, deleteIfPresent } from "./netns.js";

const run = promisify(execFile);

/** How long up() waits for a link to carry traffic again. */
const LINK_READY_TIMEOUT_MS = 5000;
const LINK_READY_POLL_MS = 20;
/** Policy-routing tables of the two links inside the site namespace (private to the namespace). */
const TABLE_BASE = 180;
/** Route metrics to the collector in the site's main table: tslcd preferred. */
const METRIC = { tslcd: 100, inet: 200 } as const;

/** The two WAN links of a test site. */
export type SiteLinkId = "tslcd" | "inet";

/** One WAN link of the site: a veth pair between the site namespace and the root namespace. IPv4, no prefix length. */
export interface SiteLink {
  id: SiteLinkId;
  /** Site end of the veth, inside the site namespace: bind the agent's probes to it (`interface:`). */
  siteInterface: string;
  /** The site's address on this link (10.199.x.2): policy routing sends what comes from it through this link. */
  siteAddress: string;
  /** Root end of the veth (the "provider" side). */
  rootInterface: string;
  /** The root end's address (10.199.x.1): the link's gateway and ICMP target. */
  rootAddress: string;
  /** Policy-routing table of this link inside the site namespace. */
  table: number;
  /** Takes the root end down: the site end loses carrier, nothing passes either way. */
  down(): Promise<void>;
  /** Brings the root end back up and resolves once a ping from the site over this link is answered (bounded poll). */
  up(): Promise<void>;
}

/** A site namespace with its two links and the collector's address; see the file comment. */
export interface SiteTopology {
  /** The site's network namespace, e.g. "ww-site-12345"; run the agent with `ip netns exec <ns>`. */
  ns: string;
  links: Record<SiteLinkId, SiteLink>;
  /** Interface in the root namespace holding the collector address (a dummy, or a stand-in veth end). */
  collectorInterface: string;
  /** Where the collector listens (root namespace), reachable from the site over either link. */
  collectorAddress: string;
  /** Runs `ip <args>` inside the site namespace (`ip -n`) and resolves with its output; rejects when it fails. */
  ipInSite(args: string[]): Promise<string>;
  /** Removes everything the topology made. Idempotent. */
  destroy(): Promise<void>;
}

/** Topologies created and not yet destroyed, removed synchronously if the test process exits first. */
const liveTopologies = new Set<{ ns: string; interfaces: string[] }>();
let exitHookInstalled = false;

async function ip(args: string[]): Promise<void> {
  await run("ip", args, { encoding: "utf8" });
}

function errorText(err: unknown): string {
  const failure = err as { stderr?: string; message?: string };
  return (failure.stderr?.trim() || failure.message || String(err)).split("\n")[0]!;
}

/**
 * Creates the site namespace `ww-site-<pid>` with links tslcd (10.199.<base+1>.0/30) and inet (10.199.<base+2>.0/30)
 * and the collector address 10.199.<base>.1/32 (see the file comment), everything up and both links answering.
 * Rejects, having removed whatever it made, when one of the subnets is already in use or a step fails.
 * `subnetBase`: 0–253 (default 80); each test file passes its own, so that files running in parallel never share a
 * subnet (80–87 keeps all three inside 10.199.80–89).
 */
export async function createSiteTopology(options: { subnetBase?: number } = {}): Promise<SiteTopology> {
  const base = options.subnetBase ?? 80;
  if (!Number.isInteger(base) || base < 0 || base > 253) throw new Error(`createSiteTopology: subnetBase must be 0–253, not ${base}`);
  for (const subnet of [`10.199.${base}.0/24`, `10.199.${base + 1}.0/24`, `10.199.${base + 2}.0/24`]) await claimTestSubnet(subnet, "createSiteTopology");

  const pid = process.pid;
  const ns = `ww-site-${pid}`;
  const collectorInterface = `ww${base}d${pid}`;
  const collectorAddress = `10.199.${base}.1`;
  /** Far end of the stand-in veth when the kernel has no dummy interfaces. */
  const collectorPeer = `ww${base}e${pid}`;
  const makeLink = (id: SiteLinkId, subnet: number, table: number): SiteLink => {
    const link: SiteLink = {
      id,
      siteInterface: `ww${subnet}s${pid}`,
      siteAddress: `10.199.${subnet}.2`,
      rootInterface: `ww${subnet}r${pid}`,
      rootAddress: `10.199.${subnet}.1`,
      table,
      down: () => ip(["link", "set", link.rootInterface, "down"]),
      up: async () => {
        await ip(["link", "set", link.rootInterface, "up"]);
        await waitUntilUsable(ns, link);
      },
    };
    return link;
  };
  const links = { tslcd: makeLink("tslcd", base + 1, TABLE_BASE + 1), inet: makeLink("inet", base + 2, TABLE_BASE + 2) };
  const record = { ns, interfaces: [collectorInterface, collectorPeer, links.tslcd.rootInterface, links.inet.rootInterface] };

  const destroy = async (): Promise<void> => {
    // Root ends first: each takes its peer in the namespace with it, so deleting the namespace races with nothing.
    const failures = await deleteIfPresent([...record.interfaces.map((name) => ["link", "del", name]), ["netns", "del", ns]]);
    liveTopologies.delete(record);
    if (failures.length > 0) throw new Error(`destroying site topology ${ns}: ${failures.join("; ")}`);
  };

  installExitHook();
  liveTopologies.add(record);
  try {
    await ip(["netns", "add", ns]);
    await ip(["-n", ns, "link", "set", "lo", "up"]);
    try {
      await ip(["link", "add", collectorInterface, "type", "dummy"]);
    } catch (err) {
      if (!/Unknown device type/i.test(errorText(err))) throw err;
      // No dummy module in this kernel: a veth pair whose far end stays unused holds a local address just as well.
      await ip(["link", "add", collectorInterface, "type", "veth", "peer", "name", collectorPeer]);
      await ip(["link", "set", collectorPeer, "up"]);
    }
    await ip(["addr", "add", `${collectorAddress}/32`, "dev", collectorInterface]);
    await ip(["link", "set", collectorInterface, "up"]);
    for (const link of [links.tslcd, links.inet]) {
      await ip(["link", "add", link.rootInterface, "type", "veth", "peer", "name", link.siteInterface, "netns", ns]);
      await ip(["addr", "add", `${link.rootAddress}/30`, "dev", link.rootInterface]);
      await ip(["-n", ns, "addr", "add", `${link.siteAddress}/30`, "dev", link.siteInterface]);
      await ip(["-n", ns, "link", "set", link.siteInterface, "up"]);
      await ip(["link", "set", link.rootInterface, "up"]);
      // Main table: the collector through both links, tslcd preferred (what an unbound socket gets).
      await ip(["-n", ns, "route", "add", `${collectorAddress}/32`, "via", link.rootAddress, "dev", link.siteInterface, "metric", String(METRIC[link.id])]);
      // Source routing: what leaves from this link's address goes through this link, whatever the main table says.
      await ip(["-n", ns, "route", "add", `${collectorAddress}/32`, "via", link.rootAddress, "dev", link.siteInterface, "table", String(link.table)]);
      await ip(["-n", ns, "rule", "add", "from", link.siteAddress, "lookup", String(link.table)]);
    }
    await Promise.all([waitUntilUsable(ns, links.tslcd), waitUntilUsable(ns, links.inet)]);
  } catch (err) {
    await destroy().catch(() => undefined);
    throw new Error(`createSiteTopology failed: ${errorText(err)}`);
  }
  const ipInSite = async (args: string[]): Promise<string> => (await run("ip", ["-n", ns, ...args], { encoding: "utf8" })).stdout;
  return { ns, links, collectorInterface, collectorAddress, ipInSite, destroy };
}

/** Polls (bounded) until one ping from the site namespace, bound to the link's site end, is answered by its root end. */
async function waitUntilUsable(ns: string, link: SiteLink): Promise<void> {
  const giveUpAt = Date.now() + LINK_READY_TIMEOUT_MS;
  let lastError = "";
  while (Date.now() < giveUpAt) {
    try {
      // -I binds to the veth, so this ping can only travel over the link under test.
      await run("ip", ["netns", "exec", ns, "ping", "-n", "-q", "-c", "1", "-W", "0.2", "-I", link.siteInterface, link.rootAddress], {
        env: { ...process.env, LC_ALL: "C" },
      });
      return;
    } catch (err) {
      lastError = errorText(err);
    }
    await new Promise((resolve) => setTimeout(resolve, LINK_READY_POLL_MS));
  }
  throw new Error(`link ${link.id} (${link.siteInterface} → ${link.rootAddress}) not usable after ${LINK_READY_TIMEOUT_MS} ms: ${lastError}`);
}

/** Last resort for a test process that exits without destroy() (crash, worker torn down). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const { ns, interfaces } of liveTopologies) {
      for (const args of [...interfaces.map((name) => ["link", "del", name]), ["netns", "del", ns]]) {
        try {
          execFileSync("ip", args, { stdio: "ignore" });
        } catch {
          // Already gone.
        }
      }
    }
  });
}
