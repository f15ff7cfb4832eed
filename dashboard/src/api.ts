import type { LinkStatus, SeriesMetric, SeriesResponse, SiteStatus } from "../../protocol/api.js";

/**
 * A failed API call. `code` is the collector's `error` field (`not_found`, `bad_request`, …), or
 * `network` when the server could not be reached, or `malformed` when the answer was not what the
 * contract in protocol/api.ts says. `status` is the HTTP status (0 when there was no answer).
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** One series request: a link's metric over [fromMs, toMs) in buckets of stepMs (all UTC ms). */
export interface SeriesRequest {
  site: string;
  link: string;
  metric: SeriesMetric;
  fromMs: number;
  toMs: number;
  stepMs: number;
}

/** Reads the collector's REST API under `baseUrl` (default `/api/v1`, same origin). */
export class ApiClient {
  constructor(
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
    private readonly baseUrl = "/api/v1",
  ) {}

  /** GET /sites: every site's status. */
  async listSites(signal?: AbortSignal): Promise<SiteStatus[]> {
    const body = await this.getJson("/sites", signal);
    const list = Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.sites) ? body.sites : null;
    if (!list) throw malformed("/sites: expected a list of sites");
    return list.map((item, index) => parseSiteStatus(item, `/sites[${index}]`));
  }

  /** GET /sites/:id: one site's status; ApiError with status 404 when the site is unknown. */
  async getSite(siteId: string, signal?: AbortSignal): Promise<SiteStatus> {
    const path = `/sites/${encodeURIComponent(siteId)}`;
    return parseSiteStatus(await this.getJson(path, signal), path);
  }

  /** GET /sites/:id/series: bucketed values of one metric, null where there was no data. */
  async getSeries(request: SeriesRequest, signal?: AbortSignal): Promise<SeriesResponse> {
    const query = new URLSearchParams({
      link: request.link,
      metric: request.metric,
      from: String(request.fromMs),
      to: String(request.toMs),
      step: String(request.stepMs),
    });
    const path = `/sites/${encodeURIComponent(request.site)}/series?${query.toString()}`;
    return parseSeriesResponse(await this.getJson(path, signal), path);
  }

  private getJson(path: string, signal?: AbortSignal): Promise<unknown> {
    return this.requestJson(path, { signal });
  }

  /**
   * Sends one request to `baseUrl + path` and returns its JSON answer. With `body`, it is a POST (unless
   * `method` says otherwise) carrying the body as JSON; a POST may answer with no body (undefined), a GET
   * must answer JSON. Throws ApiError: the collector's `{error, message}`, `network`, or `malformed`.
   */
  async requestJson(path: string, options: { method?: "GET" | "POST"; body?: unknown; signal?: AbortSignal | undefined } = {}): Promise<unknown> {
    const method = options.method ?? (options.body === undefined ? "GET" : "POST");
    const signal = options.signal;
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers: options.body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ApiError("network", err instanceof Error ? err.message : String(err), 0);
    }
    let body: unknown = undefined;
    try {
      body = await response.json();
    } catch {
      // Handled below: an error without a JSON body, or a success that is not JSON.
    }
    if (!response.ok) {
      if (isRecord(body) && typeof body.error === "string") {
        const message = typeof body.message === "string" ? body.message : body.error;
        throw new ApiError(body.error, message, response.status);
      }
      throw new ApiError(`http_${response.status}`, `${response.status} ${response.statusText}`.trim(), response.status);
    }
    if (body === undefined && method === "GET") throw malformed(`${path}: the answer is not JSON`);
    return body;
  }
}

const LINK_STATES = new Set(["up", "degraded", "down", "unknown"]);
const SITE_STATES = new Set([...LINK_STATES, "silent"]);
const LINK_KINDS = new Set(["dedicated", "internet"]);

/** Checks the parts of a site the dashboard relies on; throws ApiError("malformed") naming the bad field. */
export function parseSiteStatus(value: unknown, where: string): SiteStatus {
  if (!isRecord(value)) throw malformed(`${where}: expected an object`);
  expectString(value.id, `${where}.id`);
  expectString(value.name, `${where}.name`);
  if (typeof value.state !== "string" || !SITE_STATES.has(value.state)) throw malformed(`${where}.state: unknown state`);
  expectNumberOrNull(value.lastSeenTs, `${where}.lastSeenTs`);
  if (!Array.isArray(value.links)) throw malformed(`${where}.links: expected a list`);
  value.links.forEach((link, index) => checkLink(link, `${where}.links[${index}]`));
  return value as unknown as SiteStatus;
}

function checkLink(value: unknown, where: string): asserts value is LinkStatus {
  if (!isRecord(value)) throw malformed(`${where}: expected an object`);
  expectString(value.id, `${where}.id`);
  if (typeof value.kind !== "string" || !LINK_KINDS.has(value.kind)) throw malformed(`${where}.kind: unknown kind`);
  if (typeof value.state !== "string" || !LINK_STATES.has(value.state)) throw malformed(`${where}.state: unknown state`);
  expectNumberOrNull(value.rttAvgMs, `${where}.rttAvgMs`);
  expectNumberOrNull(value.lossPct, `${where}.lossPct`);
}

/** Checks a series answer: points must be [number, number | null] pairs. */
export function parseSeriesResponse(value: unknown, where: string): SeriesResponse {
  if (!isRecord(value) || !Array.isArray(value.points)) throw malformed(`${where}: expected an object with points`);
  for (const [index, point] of value.points.entries()) {
    if (!Array.isArray(point) || typeof point[0] !== "number" || (point[1] !== null && typeof point[1] !== "number")) {
      throw malformed(`${where}: points[${index}] is not [time, value or null]`);
    }
  }
  return value as unknown as SeriesResponse;
}

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function expectString(value: unknown, where: string): void {
  if (typeof value !== "string") throw malformed(`${where}: expected a string`);
}

function expectNumberOrNull(value: unknown, where: string): void {
  // Absent is tolerated as null: an older collector may not send every field.
  if (value !== null && value !== undefined && typeof value !== "number") throw malformed(`${where}: expected a number or null`);
}

/** The error for an answer that does not match the contract; `message` names the bad field. */
export function malformed(message: string): ApiError {
  return new ApiError("malformed", message, 0);
}
