import { z } from "zod";
import type { SampleStoreBackend, SampleStoreDeps } from "./backend.js";
import type { SampleStore } from "./sampleStore.js";
import { influxSampleStoreBackend } from "./influxdb.js";
import { sqliteSampleStoreBackend } from "./sqlite.js";

/**
 * Every sample store backend, one line each: the key is the `storage.kind` written in YAML and equals the literal
 * `kind` of its schema. Adding a backend means adding its file and one line here, nothing in config/.
 */
export const sampleStoreBackends = {
  sqlite: sqliteSampleStoreBackend,
  influxdb: influxSampleStoreBackend,
} satisfies Record<string, SampleStoreBackend<z.ZodType<{ kind: string }>>>;

/** A registered backend name, e.g. "sqlite". */
export type SampleStoreBackendName = keyof typeof sampleStoreBackends;

type BackendSchema = (typeof sampleStoreBackends)[SampleStoreBackendName]["schema"];

/**
 * The collector file's `storage:` section, any backend: a discriminated union on `kind` built from
 * {@link sampleStoreBackends}. Pass it to `makeCollectorFileSchema` (config/collectorSchema.ts).
 */
export const storageConfigSchema = z.discriminatedUnion(
  "kind",
  // The registry has at least one backend, so the list is never empty.
  Object.values(sampleStoreBackends).map((backend) => backend.schema) as [BackendSchema, ...BackendSchema[]],
);

/** A validated `storage:` section of any registered backend (camelCase, durations in ms). */
export type SampleStoreConfig = z.output<typeof storageConfigSchema>;

/** Each backend's parsed configuration, by registry name. */
type ConfigOf = { [K in SampleStoreBackendName]: z.output<(typeof sampleStoreBackends)[K]["schema"]> };

/** The registry seen as openers of their own configuration: the form that lets a kind pick its opener (TS#47109). */
const openers: { [K in SampleStoreBackendName]: { open(config: ConfigOf[K], deps: SampleStoreDeps): Promise<SampleStore> } } = sampleStoreBackends;

/** Opens the sample store `config` names, through its backend's opener. */
export function openSampleStore(config: SampleStoreConfig, deps: SampleStoreDeps): Promise<SampleStore> {
  return openAs(config.kind, config, deps);
}

function openAs<K extends SampleStoreBackendName>(kind: K, config: ConfigOf[K], deps: SampleStoreDeps): Promise<SampleStore> {
  return openers[kind].open(config, deps);
}
