import { readFileSync } from "node:fs";
import { createLogger } from "../config/logger.js";
import { ConfigError } from "../config/loader.js";
import type { AgentSettings } from "./config.js";
import { startAgent, type RunningAgent } from "./service.js";

/** The agent's version, sent with every batch. */
export const AGENT_VERSION = "0.1.0";

/** Reads the site token from `file` (first line, trimmed); throws ConfigError naming the file when missing or empty. */
export function readTokenFile(file: string): string {
  const problem = (message: string) => new ConfigError([{ file, line: null, column: null, key: "collector.token_file", message }]);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw problem(`cannot read the token file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const token = text.split("\n")[0]!.trim();
  if (!token) throw problem("the token file is empty (create a token with: wardwatch token add SITE --config collector.yaml)");
  return token;
}

/** Starts the agent from a validated configuration with the real clock. */
export async function launchAgent(config: AgentSettings): Promise<RunningAgent> {
  const logger = createLogger(config.logLevel, "agent");
  return startAgent({ config, token: readTokenFile(config.collector.tokenFile), logger, now: Date.now, agentVersion: AGENT_VERSION });
}
