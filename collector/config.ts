import { loadYamlFile, deepFreeze } from "../config/loader.js";
import { collectorFileSchema, toCollectorConfig, type CollectorConfig } from "../config/collectorSchema.js";

/** Reads and validates a collector file; throws ConfigError naming file, line and key. The result is frozen. */
export function loadCollectorConfig(file: string): CollectorConfig {
  return deepFreeze(toCollectorConfig(loadYamlFile(file, collectorFileSchema)));
}
