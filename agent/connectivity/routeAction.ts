import { execFile } from "node:child_process";

/** The outcome of a connectivity action: whether it worked and what it did or what went wrong. */
export interface ActionResult {
  ok: boolean;
  detail: string;
}

/** A route to install: `prefix` via `gateway`, optionally pinned to `device`. */
export interface RouteChange {
  prefix: string;
  gateway: string;
  device: string | null;
}

function run(argv: string[], timeoutMs: number): Promise<{ ok: boolean; text: string }> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, env: { ...process.env, LC_ALL: "C" } }, (err, _stdout, stderr) => {
      resolve({ ok: !err, text: (stderr || (err ? err.message : "")).trim().split("\n")[0] ?? "" });
    });
  });
}

/**
 * Points every prefix at the new link with `ip route replace PREFIX via GATEWAY [dev DEVICE]` (idempotent: running it
 * twice leaves one route). Stops at the first failure and says which prefix failed.
 */
export async function replaceRoutes(changes: readonly RouteChange[], timeoutMs = 5000): Promise<ActionResult> {
  const done: string[] = [];
  for (const change of changes) {
    const argv = ["ip", "route", "replace", change.prefix, "via", change.gateway, ...(change.device ? ["dev", change.device] : [])];
    const result = await run(argv, timeoutMs);
    if (!result.ok) return { ok: false, detail: `ip route replace ${change.prefix} via ${change.gateway} failed: ${result.text}` };
    done.push(change.prefix);
  }
  return { ok: true, detail: `routes ${done.join(", ")} via ${changes[0]?.gateway ?? "-"}` };
}
