/**
 * A wardwatch child process (`node bin/wardwatch.js <args>`) whose JSON log lines the bench reads as they come, each
 * with the time it was logged (the winston `timestamp`, the same machine clock as the bench's `Date.now()`).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The command line entry point, two levels up from dist/bench/. */
const WARDWATCH_BIN = fileURLToPath(new URL("../../bin/wardwatch.js", import.meta.url));

/** One JSON log line; `atMs` is its `timestamp` as UTC ms. */
export type LogLine = Record<string, unknown> & { atMs: number };

/** A running child with its log. */
export interface LoggedProcess {
  /** Every JSON log line so far, in order. */
  readonly lines: readonly LogLine[];
  /** The first line at index ≥ `from` matching `predicate` (waiting for it), rejecting after `timeoutMs` or on exit. */
  waitForLine(predicate: (line: LogLine) => boolean, timeoutMs: number, from?: number): Promise<LogLine>;
  /** SIGTERM, then SIGKILL after `limitMs`; resolves with the exit code or signal name. */
  stop(limitMs: number): Promise<number | string>;
  /** SIGKILL if still running; safe at any time. */
  kill(): void;
}

const POLL_MS = 20;

/** Starts `wardwatch <args>` with `env` added to this process's environment. */
export function startLoggedProcess(args: string[], env: NodeJS.ProcessEnv = {}): LoggedProcess {
  const child = spawn(process.execPath, [WARDWATCH_BIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: LogLine[] = [];
  const text: string[] = [];
  let status: number | string | null = null;
  const exited = once(child, "exit").then(([code, signal]) => (status = (code ?? signal) as number | string));
  child.on("error", (err) => text.push(`spawn error: ${err.message}`));
  const onLine = (raw: string): void => {
    try {
      const parsed = JSON.parse(raw) as Record<string, unknown>;
      lines.push({ ...parsed, atMs: Date.parse(String(parsed.timestamp)) });
    } catch {
      text.push(raw);
      if (text.length > 20) text.shift();
    }
  };
  createInterface({ input: child.stdout! }).on("line", onLine);
  createInterface({ input: child.stderr! }).on("line", onLine);
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const tail = (): string => [...text, ...lines.slice(-10).map((l) => JSON.stringify(l))].join("\n");
  return {
    lines,
    kill,
    async waitForLine(predicate, timeoutMs, from = 0) {
      const giveUpAt = Date.now() + timeoutMs;
      for (let i = from; ; ) {
        for (; i < lines.length; i++) if (predicate(lines[i]!)) return lines[i]!;
        if (status !== null) throw new Error(`wardwatch ${args[0]} exited (${status}) before the expected log line:\n${tail()}`);
        if (Date.now() > giveUpAt) throw new Error(`wardwatch ${args[0]}: expected log line not seen within ${timeoutMs} ms:\n${tail()}`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    async stop(limitMs) {
      if (status !== null) return status;
      child.kill("SIGTERM");
      const timer = setTimeout(kill, limitMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
