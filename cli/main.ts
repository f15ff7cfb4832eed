import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { ConfigError } from "../config/loader.js";
import { closeWithin, waitForStopSignal } from "./stopSignal.js";

// Each command loads only its own daemon's code (the agent on a commune box never loads the collector's modules:
// measured 77.8 → 69.7 MiB RSS).

/** Exit codes (DESIGN): 0 ok, 1 bad configuration or usage, 2 runtime failure. */
export const EXIT = { ok: 0, usage: 1, runtime: 2 } as const;

const USAGE = `wardwatch — network monitoring for commune and ward sites

Usage:
  wardwatch collector --config FILE     run the provincial collector
  wardwatch agent --config FILE         run the site agent
  wardwatch demo [--port N] [--dir DIR] collector + an agent for this host, dashboard on http://127.0.0.1:8080
  wardwatch check-config FILE [--collector COLLECTOR_FILE]
                                        validate a collector or agent file (exit 1 on error); with
                                        --collector, also check the agent's site and links are in it
  wardwatch token add SITE --config FILE
                                        create an agent token for SITE (printed once, stored hashed)
  wardwatch calendar [--year YYYY] [--config FILE]
                                        the year's holidays, days off in lieu and make-up days, and the
                                        office hours (of the collector file's province, else the defaults)
  wardwatch token list|revoke SITE --config FILE
                                        list agent tokens; revoke every token of SITE
  wardwatch user add NAME --role province|vendor|ward [--provider ID] [--site ID] [--password-stdin] --config FILE
  wardwatch user list | disable NAME | reset-password NAME [--password-stdin] --config FILE
                                        dashboard users (a generated password is printed once)
  wardwatch api-token add NAME --role R [--provider ID] [--site ID] | list | revoke ID --config FILE
                                        API tokens for scripts (printed once, stored hashed)
`;

const STOP_LIMIT_MS = 10_000;

/** Runs the command line; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string", short: "c" },
        collector: { type: "string" },
        port: { type: "string" },
        dir: { type: "string" },
        year: { type: "string" },
        role: { type: "string" },
        provider: { type: "string" },
        site: { type: "string" },
        "password-stdin": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    process.stderr.write(`wardwatch: ${(err as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  try {
    switch (command) {
      case "collector": {
        const file = requireConfig(values.config);
        const [{ loadCollectorConfig }, { launchCollector }] = await Promise.all([import("../collector/config.js"), import("../collector/main.js")]);
        return await runUntilStopped(() => launchCollector(loadCollectorConfig(file), file));
      }
      case "agent": {
        const file = requireConfig(values.config);
        favourMemoryOverSpeed();
        const [{ loadAgentConfig }, { launchAgent }] = await Promise.all([import("../agent/config.js"), import("../agent/main.js")]);
        return await runUntilStopped(() => launchAgent(loadAgentConfig(file)));
      }
      case "demo": {
        const { runDemo } = await import("./demo/demo.js");
        return await runUntilStopped(() => runDemo({ port: values.port ? Number(values.port) : 8080, dir: values.dir ?? null }));
      }
      case "check-config": {
        if (rest.length !== 1) throw new UsageError("check-config takes one FILE");
        const { checkConfigFile } = await import("./checkConfig.js");
        process.stdout.write(`${checkConfigFile(rest[0]!, values.collector)}\n`);
        return EXIT.ok;
      }
      case "token": {
        if (rest[0] !== "add") return await runAccessCommand(command, rest, values);
        if (rest.length !== 2) throw new UsageError("usage: wardwatch token add SITE --config FILE");
        const [{ loadCollectorConfig }, { addSiteToken }] = await Promise.all([import("../collector/config.js"), import("../collector/main.js")]);
        const config = loadCollectorConfig(requireConfig(values.config));
        if (!config.sites.some((site) => site.id === rest[1])) {
          throw new UsageError(`unknown site '${rest[1]}' (known: ${config.sites.map((site) => site.id).join(", ")})`);
        }
        const token = addSiteToken(config, rest[1]!);
        process.stderr.write(`token for site '${rest[1]}' (shown once; only its hash is stored):\n`);
        process.stdout.write(`${token}\n`);
        return EXIT.ok;
      }
      case "calendar": {
        if (rest.length !== 0) throw new UsageError("usage: wardwatch calendar [--year YYYY] [--config FILE]");
        const { calendarCommand, parseCalendarYear, CalendarYearError } = await import("./calendar.js");
        let year: number;
        try {
          year = parseCalendarYear(values.year, Date.now());
        } catch (err) {
          if (err instanceof CalendarYearError) throw new UsageError(err.message);
          throw err;
        }
        process.stdout.write(await calendarCommand({ year, configFile: values.config }));
        return EXIT.ok;
      }
      case "user":
      case "api-token":
        return await runAccessCommand(command, rest, values);
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`wardwatch: ${err.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    process.stderr.write(`wardwatch: ${(err as Error).message}\n`);
    return EXIT.runtime;
  }
}

class UsageError extends Error {}

/**
 * V8 settings for the agent, a small daemon that must stay under 80 MB of resident memory (issue 4), made before its
 * modules load (the largest allocation of its life):
 * - `--semi-space-growth-factor=1`: the young generation keeps its initial size (two 1 MiB semi-spaces) instead of
 *   growing with start-up's allocation (to 8–16 MiB here), whose pages then stayed resident;
 * - `--optimize-for-size`: V8 favours memory over speed; here, the old generation is collected every few minutes
 *   (about 2.5 MB above the live heap) instead of filling with dead objects for 10 minutes and more (RSS +8 MiB).
 * bench/agent over 300 s: peak RSS 82–84 → 67–68 MiB, CPU unchanged (docs/benchmarks.md). Node warns that a flag set
 * after start-up may misbehave or do nothing, and those that size the heap (`--max-semi-space-size`) do nothing; these
 * two are read each time V8 decides to grow or collect, as those measurements show.
 */
function favourMemoryOverSpeed(): void {
  setFlagsFromString("--semi-space-growth-factor=1");
  setFlagsFromString("--optimize-for-size");
}

/** `user …`, `api-token …`, `token list|revoke`: see cli/accessCommands.ts. */
async function runAccessCommand(command: string, args: string[], values: { config?: string | undefined; role?: string | undefined; provider?: string | undefined; site?: string | undefined; "password-stdin"?: boolean | undefined }): Promise<number> {
  const [{ loadCollectorConfig }, access] = await Promise.all([import("../collector/config.js"), import("./accessCommands.js")]);
  const config = loadCollectorConfig(requireConfig(values.config));
  const options = { role: values.role, provider: values.provider, site: values.site, passwordStdin: values["password-stdin"] };
  try {
    const output =
      command === "user"
        ? await access.userCommand(config, args, options, readStdin)
        : command === "api-token"
          ? access.apiTokenCommand(config, args, options)
          : access.siteTokenCommand(config, args);
    process.stderr.write(output.stderr);
    process.stdout.write(output.stdout);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof access.AccessUsageError) throw new UsageError(err.message);
    throw err;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function requireConfig(config: string | undefined): string {
  if (!config) throw new UsageError("--config FILE is required");
  return config;
}

/** Starts a daemon, waits for SIGTERM/SIGINT, then stops it within the limit. */
async function runUntilStopped(start: () => Promise<{ close(): Promise<void> }>): Promise<number> {
  const stopped = waitForStopSignal();
  const daemon = await start();
  await stopped;
  const finished = await closeWithin(() => daemon.close(), STOP_LIMIT_MS);
  return finished ? EXIT.ok : EXIT.runtime;
}
