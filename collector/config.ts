import { loadYamlFile, deepFreeze } from "../config/loader.js";
import { makeCollectorFileSchema, toCollectorConfig, type CollectorConfig } from "../config/collectorSchema.js";
import { storageConfigSchema, type SampleStoreConfig } from "./store/samples/registry.js";

/** The collector file's schema, with the `storage:` union of the sample store backend registry. */
export const collectorFileSchema = makeCollectorFileSchema(storageConfigSchema);

/** Reads and validates a collector file; throws ConfigError naming file, line and key. The result is frozen. */
export function loadCollectorConfig(file: string): CollectorConfig<SampleStoreConfig> {
  return deepFreeze(toCollectorConfig(loadYamlFile(file, collectorFileSchema)));
}
