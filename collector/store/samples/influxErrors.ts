import { SampleStoreUnavailableError } from "./sampleStore.js";

/** Socket errors that mean InfluxDB cannot be reached now. */
const NETWORK_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND", "ECONNABORTED", "UND_ERR_SOCKET"]);

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
    err.name === "ServiceNotAvailableError" ||
    (typeof code === "string" && NETWORK_CODES.has(code)) ||
    status === 401 ||
    status === 403 ||
    (typeof status === "number" && status >= 500) ||
    /timed out|socket hang up/i.test(err.message);
  if (!unavailable) return null;
  return new SampleStoreUnavailableError(`InfluxDB cannot take requests now: ${typeof code === "string" ? `${code}: ` : ""}${err.message}`, err);
}
