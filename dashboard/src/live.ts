import type { LiveMessage } from "../../protocol/api.js";
import { parseSiteStatus } from "./api.js";
import { parseIncident } from "./incidentApi.js";

/** Where the live connection stands: first attempt, receiving updates, or waiting to retry. */
export type LiveStatus = "connecting" | "live" | "reconnecting";

/** What a LiveConnection needs; everything that touches the browser is passed in so it can be replaced. */
export interface LiveOptions {
  /** ws: or wss: URL of the collector's /api/v1/ws. */
  url: string;
  onMessage(message: LiveMessage): void;
  onStatus(status: LiveStatus): void;
  /** WebSocket constructor (the browser's by default). */
  createSocket?: (url: string) => WebSocket;
  /** First retry delay, ms (doubles per failed attempt up to maxDelayMs, with ±20% jitter). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** The collector's live endpoint relative to the page: ws: for http: pages, wss: for https: pages. */
export function liveUrl(location: Pick<Location, "protocol" | "host">): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/api/v1/ws`;
}

/**
 * Keeps one WebSocket to the collector open: reconnects with exponential backoff after any close,
 * and hands every well-formed LiveMessage to `onMessage`. Malformed messages are logged and skipped.
 */
export class LiveConnection {
  private socket: WebSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private failedAttempts = 0;
  private stopped = true;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly createSocket: (url: string) => WebSocket;

  constructor(private readonly options: LiveOptions) {
    this.initialDelayMs = options.initialDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
  }

  /** Opens the connection (no-op when already started). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.options.onStatus("connecting");
    this.connect();
  }

  /** Closes the connection and stops retrying. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
  }

  private connect(): void {
    let socket: WebSocket;
    try {
      socket = this.createSocket(this.options.url);
    } catch (err) {
      console.warn("live: cannot open WebSocket", { url: this.options.url, err });
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => performance.mark("live:open"));
    socket.addEventListener("message", (event) => {
      if (socket !== this.socket) return;
      const receivedAtMs = performance.now();
      const message = parseLiveMessage(event.data);
      if (!message) return;
      if (message.type === "hello") {
        // Where a first render's time goes (bench/dashboard.ts reads these): the hello in, then parsed.
        performance.mark("live:hello-received", { startTime: receivedAtMs, detail: { chars: typeof event.data === "string" ? event.data.length : 0 } });
        performance.mark("live:hello-parsed");
        // Only a hello proves the collector side works: reset the backoff then, not on open.
        this.failedAttempts = 0;
        this.options.onStatus("live");
      }
      this.options.onMessage(message);
    });
    socket.addEventListener("close", () => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.scheduleRetry();
    });
    // An error is always followed by close, which retries.
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.options.onStatus("reconnecting");
    const base = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** this.failedAttempts);
    this.failedAttempts += 1;
    const delayMs = base * (0.8 + Math.random() * 0.4);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect();
    }, delayMs);
  }
}

/** Parses one frame; null (and a console warning) when it is not a LiveMessage. */
export function parseLiveMessage(data: unknown): LiveMessage | null {
  try {
    if (typeof data !== "string") throw new Error("binary frame");
    const value: unknown = JSON.parse(data);
    if (typeof value !== "object" || value === null) throw new Error("not an object");
    const message = value as { type?: unknown; sites?: unknown; site?: unknown; incident?: unknown };
    if (message.type === "hello") {
      if (!Array.isArray(message.sites)) throw new Error("hello without sites");
      return { type: "hello", sites: message.sites.map((site, i) => parseSiteStatus(site, `hello.sites[${i}]`)) };
    }
    if (message.type === "sites") {
      if (!Array.isArray(message.sites)) throw new Error("sites without sites");
      return { type: "sites", sites: message.sites.map((site, i) => parseSiteStatus(site, `sites.sites[${i}]`)) };
    }
    if (message.type === "site") return { type: "site", site: parseSiteStatus(message.site, "site.site") };
    if (message.type === "incident") return { type: "incident", incident: parseIncident(message.incident, "incident.incident") };
    // Unknown types are ignored without noise: a newer collector may send more.
    return null;
  } catch (err) {
    console.warn("live: malformed message skipped", { err });
    return null;
  }
}
