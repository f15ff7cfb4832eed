import { SampleStoreUnavailableError } from "./sampleStore.js";

/** Socket errors that mean InfluxDB cannot be reached now. */
const NETWORK_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND", "ECONNABORTED", "UND_ERR_SOCKET"]);

/** InfluxDB's answer to points older than a retention policy keeps: the others were written. */
const BEYOND_RETENTION = /partial write: points beyond retention policy dropped=(\d+)/;

/** How many points a write's error says were dropped as beyond retention (the rest were written), or null. */
export function droppedBeyondRetention(err: unknown): number | null {
  const match = err instanceof Error ? BEYOND_RETENTION.exec(err.message) : null;
  return match ? Number(match[1]) : null;
}

/**
 * What an error from the `influx` client means: a {@link SampleStoreUnavailableError} when InfluxDB cannot take
 * requests now (unreachable, timed out, 5xx, "No host available" while the client waits to retry its host, and 401/403:
 * wrong credentials are the store's fault, not the batch's, so the agent keeps the batch); null for an error of the
 * request itself (400: a bad point or query), which is passed on as it is. The message never holds the password.
 */
export function classifyInfluxError(err: unknown): SampleStoreUnavailableError | null {
  if (err instanceof SampleStoreUnavailableError) return err;
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  const status = (err as { res?: { statusCode?: number } }).res?.statusCode;
  const unavailable =
    // The client's own class (not exported by the package): 5xx, its request timeout, and "No host available".
    err.constructor.name === "ServiceNotAvailableError" ||
    (typeof code === "string" && NETWORK_CODES.has(code)) ||
    status === 401 ||
    status === 403 ||
    (typeof status === "number" && status >= 500) ||
    /timed out|socket hang up/i.test(err.message);
  if (!unavailable) return null;
  return new SampleStoreUnavailableError(`InfluxDB cannot take requests now: ${typeof code === "string" ? `${code}: ` : ""}${err.message}`, err);
}
