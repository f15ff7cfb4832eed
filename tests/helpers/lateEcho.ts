/**
 * A late ICMP echo responder in a test namespace (lateEchoResponder.py beside this file): every echo request
 * reaching the namespace is answered after `delayMs`, so ping from the host measures that delay. This stands in
 * for netem's `delay`, which this kernel lacks (see DESIGN.md, "Running real components in tests").
 *
 * Starting it switches the kernel's own echo replies off in that namespace (`net.ipv4.icmp_echo_ignore_all=1`,
 * a per-namespace setting), since the kernel would otherwise answer first and the late reply would be a DUP!.
 * Use it only in a namespace the test made (createTestLink), and stop it in afterAll. The responder also exits
 * by itself when this process goes away (it watches its stdin pipe).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { execInNamespace } from "./netns.js";

const SCRIPT = join(import.meta.dirname, "lateEchoResponder.py");
/** How long start waits for the "ready" line. */
const READY_TIMEOUT_MS = 5000;
/** How long stop waits after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 2000;

/** A running responder. */
export interface LateEchoResponder {
  /** The delay each reply is held back by, ms. */
  delayMs: number;
  /** Stops the responder (SIGTERM, SIGKILL after 2 s) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Switches off the kernel's echo replies in `namespace` and starts the responder there with `delayMs` (0–60000),
 * resolving once its raw socket is open (it printed "ready"). Rejects, leaving nothing running, when it exits
 * first or is not ready within 5 s; the error carries its stderr.
 */
export async function startLateEchoResponder(options: { namespace: string; delayMs: number }): Promise<LateEchoResponder> {
  const { namespace, delayMs } = options;
  await execInNamespace(namespace, ["sysctl", "-q", "-w", "net.ipv4.icmp_echo_ignore_all=1"]);
  // stdin stays an open pipe: the responder exits when it closes, i.e. when this process is gone.
  const child = spawn("ip", ["netns", "exec", namespace, "python3", SCRIPT, String(delayMs)], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | string);

  const stop = async (): Promise<void> => {
    // No pid: spawn itself failed, there is nothing to stop (and no exit event will come).
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    child.stdin.destroy();
  };

  const lines = createInterface({ input: child.stdout });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`late echo responder not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      lines.on("line", (line) => {
        if (line.trim() === "ready") {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`late echo responder exited (${code}) before it was ready`));
      });
    });
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}${stderr.trim() === "" ? "" : `: ${stderr.trim()}`}`);
  }
  return { delayMs, stop };
}
