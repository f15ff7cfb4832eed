import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { join } from "node:path";

const REPO = join(import.meta.dirname, "..", "..");
/** The built command line (tests run after `npm run build`). */
export const WARDWATCH_BIN = join(REPO, "bin", "wardwatch.js");

/** A wardwatch process under test, with its structured log lines. */
export interface DaemonProcess {
  child: ChildProcess;
  /** Every JSON log line so far (stderr). */
  logs: Array<Record<string, unknown>>;
  /** Output lines that were not JSON (stdout and stderr). */
  text: string[];
  /** Resolves with the first log line (past or future) matching `predicate`; rejects after `timeoutMs` or if the process exits. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/** Where and how {@link runWardwatch} starts the process. */
export interface RunOptions {
  /**
   * Network namespace to run in (`ip netns exec NS node …`; needs root). ip execs the command in place, so
   * `child.pid` and kill() still reach wardwatch itself.
   */
  netns?: string;
}

/** Runs `wardwatch <args>` (inside `options.netns` when given) and collects its output. */
export function runWardwatch(args: string[], env: NodeJS.ProcessEnv = {}, options: RunOptions = {}): DaemonProcess {
  const argv = [process.execPath, WARDWATCH_BIN, ...args];
  const [command, ...commandArgs] = options.netns ? ["ip", "netns", "exec", options.netns, ...argv] : argv;
  const child = spawn(command!, commandArgs, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const logs: Array<Record<string, unknown>> = [];
  const text: string[] = [];
  const waiters: Array<{ predicate: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }> = [];
  const onLine = (line: string): void => {
    let parsed: Record<string, unknown> | null = null;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      text.push(line);
      return;
    }
    logs.push(parsed);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(parsed)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(parsed);
      }
    }
  };
  createInterface({ input: child.stdout! }).on("line", onLine);
  createInterface({ input: child.stderr! }).on("line", onLine);
  const exited = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | string);
  return {
    child,
    logs,
    text,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    waitForLog(predicate, timeoutMs = 30_000) {
      const seen = logs.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; last lines:\n${[...text, ...logs.map((l) => JSON.stringify(l))].slice(-15).join("\n")}`)), timeoutMs);
        const waiter = {
          predicate,
          resolve: (line: Record<string, unknown>) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        waiters.push(waiter);
        void exited.then((code) => {
          if (waiters.includes(waiter)) {
            clearTimeout(timer);
            reject(new Error(`process exited (${code}) before the log line appeared; output:\n${[...text, ...logs.map((l) => JSON.stringify(l))].slice(-15).join("\n")}`));
          }
        });
      });
    },
  };
}

/** Runs `wardwatch <args>` to completion; returns exit code and output. */
export async function runWardwatchOnce(args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [WARDWATCH_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code, signal] = await once(child, "exit");
  return { code: (code ?? signal) as number | string, stdout, stderr };
}
