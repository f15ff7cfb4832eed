import type { LinkStatus, MultiSeriesResponse, SeriesStatName, SiteStatus } from "../../protocol/api.js";
import type { SampleKindName } from "../../protocol/kinds/registry.js";

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

/**
 * One series request: several metrics (a stored field of `kind` and the statistic over each bucket) of one link's
 * samples over [fromMs, toMs) in buckets of stepMs (all UTC ms). The collector reads raw samples or, for long ranges
 * with a step and `fromMs` on whole 5 minutes or hours, its rollups.
 */
export interface SeriesRequest {
  site: string;
  link: string;
  kind: SampleKindName;
  metrics: ReadonlyArray<{ field: string; stat: SeriesStatName }>;
  fromMs: number;
  toMs: number;
  stepMs: number;
}

/** Who is logged in, as GET /me and POST /login answer. */
export interface CurrentUser {
  name: string;
  role: "province" | "vendor" | "ward";
  provider: string | null;
  site: string | null;
}

/** The CSRF cookie the collector sets at login; sent back in the X-CSRF-Token header of every change. */
const CSRF_COOKIE = "ww_csrf";

/** The value of the CSRF cookie in `cookies` (document.cookie), or null. */
export function csrfTokenOf(cookies: string): string | null {
  for (const part of cookies.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === CSRF_COOKIE) return value.join("=") || null;
  }
  return null;
}

/**
 * Reads the collector's REST API under `baseUrl` (default `/api/v1`, same origin), with the session cookie; a change
 * (POST) carries the CSRF token. `onUnauthenticated` is told of every 401 (the session ended: show the login page).
 */
export class ApiClient {
  /** Told of every 401 answer (set by main.ts). */
  onUnauthenticated: () => void = () => {};

  constructor(
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
    private readonly baseUrl = "/api/v1",
    private readonly cookies: () => string = () => (typeof document === "undefined" ? "" : document.cookie),
  ) {}

  /** GET /me: who is logged in; ApiError with status 401 when nobody is. */
  async me(): Promise<CurrentUser> {
    return parseCurrentUser(await this.requestJson("/me"));
  }

  /** POST /login: starts a session (the collector sets its cookies); ApiError 401 or 429 (`retryAfterS` in the message). */
  async login(name: string, password: string): Promise<CurrentUser> {
    return parseCurrentUser(await this.requestJson("/login", { body: { name, password }, quiet: true }));
  }

  /** POST /logout: ends the session. */
  async logout(): Promise<void> {
    await this.requestJson("/logout", { method: "POST", quiet: true });
  }

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

  /** GET /sites/:id/series?metrics=…: every metric of `request` in one answer, null where a bucket has no data. */
  async getSeries(request: SeriesRequest, signal?: AbortSignal): Promise<MultiSeriesResponse> {
    const query = new URLSearchParams({
      link: request.link,
      kind: request.kind,
      metrics: request.metrics.map(({ field, stat }) => `${field}:${stat}`).join(","),
      from: String(request.fromMs),
      to: String(request.toMs),
      step: String(request.stepMs),
    });
    const path = `/sites/${encodeURIComponent(request.site)}/series?${query.toString()}`;
    return parseSeriesResponse(await this.getJson(path, signal), path, request.metrics);
  }

  private getJson(path: string, signal?: AbortSignal): Promise<unknown> {
    return this.requestJson(path, { signal });
  }

  /**
   * Sends one request to `baseUrl + path` and returns its JSON answer. With `body`, it is a POST (unless
   * `method` says otherwise) carrying the body as JSON; a POST may answer with no body (undefined), a GET
   * must answer JSON. Throws ApiError: the collector's `{error, message}`, `network`, or `malformed`.
   */
  async requestJson(path: string, options: { method?: "GET" | "POST"; body?: unknown; signal?: AbortSignal | undefined; quiet?: boolean } = {}): Promise<unknown> {
    const method = options.method ?? (options.body === undefined ? "GET" : "POST");
    const signal = options.signal;
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const csrf = method === "GET" ? null : csrfTokenOf(this.cookies());
    if (csrf) headers["x-csrf-token"] = csrf;
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + path, {
        method,
        credentials: "same-origin",
        headers,
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
      // A failed login is the login page's to show; any other 401 means the session is gone.
      if (response.status === 401 && !options.quiet) this.onUnauthenticated();
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

const RESOLUTIONS = new Set(["raw", "5m", "1h"]);

/**
 * Checks a series answer against what was asked: `metrics` as requested and in order, `timestamps` numbers, and per
 * metric one value (number or null) per timestamp. Throws ApiError("malformed") naming the first bad part.
 */
export function parseSeriesResponse(value: unknown, where: string, asked: SeriesRequest["metrics"]): MultiSeriesResponse {
  if (!isRecord(value)) throw malformed(`${where}: expected an object`);
  if (typeof value.resolution !== "string" || !RESOLUTIONS.has(value.resolution)) throw malformed(`${where}.resolution: unknown resolution`);
  const { metrics, timestamps, values } = value;
  if (!Array.isArray(metrics) || metrics.length !== asked.length) throw malformed(`${where}.metrics: expected the ${asked.length} metrics asked for`);
  asked.forEach(({ field, stat }, m) => {
    const metric: unknown = metrics[m];
    if (!isRecord(metric) || metric.field !== field || metric.stat !== stat) throw malformed(`${where}.metrics[${m}]: expected ${field}:${stat}`);
  });
  if (!Array.isArray(timestamps) || timestamps.some((ts) => typeof ts !== "number")) throw malformed(`${where}.timestamps: expected a list of times`);
  if (!Array.isArray(values) || values.length !== asked.length) throw malformed(`${where}.values: expected one list per metric`);
  values.forEach((list: unknown, m) => {
    if (!Array.isArray(list) || list.length !== timestamps.length) throw malformed(`${where}.values[${m}]: expected one value per timestamp`);
    const bad = list.findIndex((v: unknown) => v !== null && typeof v !== "number");
    if (bad >= 0) throw malformed(`${where}.values[${m}][${bad}]: expected a number or null`);
  });
  return value as unknown as MultiSeriesResponse;
}

function parseCurrentUser(value: unknown): CurrentUser {
  if (!isRecord(value) || typeof value.name !== "string" || (value.role !== "province" && value.role !== "vendor" && value.role !== "ward")) {
    throw malformed("/me: expected { name, role }");
  }
  return { name: value.name, role: value.role, provider: typeof value.provider === "string" ? value.provider : null, site: typeof value.site === "string" ? value.site : null };
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
