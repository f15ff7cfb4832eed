import { deepFreeze, loadYamlFile } from "../config/loader.js";
import { makeAgentFileSchema, toAgentConfig, type AgentConfig } from "../config/agentSchema.js";
import { probeConfigSchema, type ProbeConfig } from "./probes/registry.js";

/** The agent file's schema, its probe entries checked by the agent's probe registry. */
export const agentFileSchema = makeAgentFileSchema(probeConfigSchema);

/** The validated agent configuration. */
export type AgentSettings = AgentConfig<ProbeConfig>;

/** Reads and validates an agent file; throws ConfigError naming file, line and key. The result is frozen. */
export function loadAgentConfig(file: string): AgentSettings {
  return deepFreeze(toAgentConfig(loadYamlFile(file, agentFileSchema), (probe) => probe as ProbeConfig));
}
