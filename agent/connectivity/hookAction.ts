import { spawn } from "node:child_process";
import type { ActionResult } from "./routeAction.js";

/** What a hook program is told, through its environment (WARDWATCH_*). */
export interface HookEvent {
  site: string;
  group: string;
  prefixes: readonly string[];
  fromLink: string;
  toLink: string;
  reason: string;
}

/**
 * Runs the configured program (no shell) with the event in its environment: WARDWATCH_SITE, WARDWATCH_GROUP,
 * WARDWATCH_PREFIXES (space-separated), WARDWATCH_FROM_LINK, WARDWATCH_TO_LINK, WARDWATCH_REASON. Killed after
 * `timeoutMs`. Exit 0 is success; otherwise the exit code and the first line of stderr are the detail.
 */
export function runHook(command: string, event: HookEvent, timeoutMs: number): Promise<ActionResult> {
  return new Promise((resolve) => {
    const child = spawn(command, [], {
      stdio: ["ignore", "ignore", "pipe"],
      env: {
        ...process.env,
        WARDWATCH_SITE: event.site,
        WARDWATCH_GROUP: event.group,
        WARDWATCH_PREFIXES: event.prefixes.join(" "),
        WARDWATCH_FROM_LINK: event.fromLink,
        WARDWATCH_TO_LINK: event.toLink,
        WARDWATCH_REASON: event.reason,
      },
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: `hook ${command} could not start: ${err.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const firstLine = stderr.trim().split("\n")[0] ?? "";
      if (signal === "SIGKILL") resolve({ ok: false, detail: `hook ${command} timed out after ${timeoutMs} ms` });
      else if (code === 0) resolve({ ok: true, detail: `hook ${command} exited 0` });
      else resolve({ ok: false, detail: `hook ${command} exited ${code ?? signal}${firstLine ? `: ${firstLine}` : ""}` });
    });
  });
}
