import { execFile } from "node:child_process";
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import type { ProbeBinding } from "./probe.js";

/** Where a probe's socket must be bound, or why it cannot leave through its link. */
export type EgressDecision =
  | { ok: true; localAddress: string | undefined }
  | { ok: false; reason: string };

/** The first address of `family` on interface `name`, or null. Link-local IPv6 addresses are skipped. */
export function interfaceAddress(name: string, family: 4 | 6): string | null {
  const entry = (networkInterfaces()[name] ?? []).find(
    (addr) => addr.family === (family === 4 ? "IPv4" : "IPv6") && !addr.address.startsWith("fe80:"),
  );
  return entry?.address ?? null;
}

/** The interface the kernel routes `target` through when the packet comes from `source` (`ip route get`), or an error text. */
export function routeDevice(target: string, source: string, signal: AbortSignal): Promise<{ device: string } | { error: string }> {
  return new Promise((resolve) => {
    execFile("ip", ["route", "get", target, "from", source], { signal, timeout: 2000, env: { ...process.env, LC_ALL: "C" } }, (err, stdout, stderr) => {
      if (err) {
        const text = (stderr || err.message).trim().split("\n")[0]!;
        resolve({ error: (err as NodeJS.ErrnoException).code === "ENOENT" ? "ip (iproute2) not installed" : text.replace(/^RTNETLINK answers: /, "") });
        return;
      }
      const device = /\bdev (\S+)/.exec(stdout)?.[1];
      resolve(device ? { device } : { error: `cannot read the route: ${stdout.trim()}` });
    });
  });
}

/**
 * Decides how a TCP/UDP probe of `targetIp` leaves through its link. Node cannot bind a socket to a device
 * (SO_BINDTODEVICE), so the socket is bound to the link's source address (given, or the interface's first address),
 * and the kernel's route for (target, from that source) must leave through the link's interface: if it would leave
 * through another link, the probe fails instead of measuring the wrong link. Sites with two WAN links route by
 * source (ip rule from SRC lookup TABLE), which is what makes that route right. With no binding, the routing table
 * decides (LAN devices).
 */
export async function decideEgress(targetIp: string, binding: ProbeBinding, signal: AbortSignal): Promise<EgressDecision> {
  if (!binding.interface && !binding.source) return { ok: true, localAddress: undefined };
  const family = isIP(targetIp) === 6 ? 6 : 4;
  const source = binding.source ?? interfaceAddress(binding.interface!, family);
  // os.networkInterfaces() leaves out interfaces that are not up and running, so a link that lost carrier lands here.
  if (!source) return { ok: false, reason: `interface ${binding.interface} is down or has no IPv${family} address` };
  if (isIP(source) !== family) return { ok: false, reason: `source ${source} cannot reach an IPv${family} target` };
  const expectedDevice = binding.interface ?? interfaceOf(source);
  const route = await routeDevice(targetIp, source, signal);
  if ("error" in route) return { ok: false, reason: `no route to ${targetIp} from ${source}: ${route.error}` };
  if (expectedDevice && route.device !== expectedDevice) {
    return { ok: false, reason: `the route to ${targetIp} from ${source} leaves through ${route.device}, not this link's ${expectedDevice}` };
  }
  return { ok: true, localAddress: source };
}

/** The interface holding `address`, or null. */
function interfaceOf(address: string): string | null {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (addrs?.some((addr) => addr.address === address)) return name;
  }
  return null;
}
