import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { LiveMessage, SiteStatus } from "../../protocol/api.js";
import type { Incident } from "../../protocol/incident.js";
import type { OriginPolicy } from "../auth/origin.js";
import type { RequestIdentity } from "../auth/routeGuard.js";
import { scopeKey, type Scope, type ScopeFilter } from "../auth/scope.js";
import type { SiteListView } from "../api/siteListCache.js";

/**
 * Live clients one user or API token may hold at once: a few tabs and screens. The feed's whole limit
 * (`http.max_live_clients`) is then not one login's to use up.
 */
export const LIVE_CLIENTS_PER_ACTOR = 10;

/** The path of the live feed. */
export const LIVE_PATH = "/api/v1/ws";

/** How long frames are kept for clients that connect later, ms: longer than a hello's list may be old. */
const FRAMES_KEPT_MS = 5000;

/** What the hub needs: who a connecting browser is, whose pages may connect, what each scope sees, how many at once. */
export interface LiveHubDeps {
  /**
   * The site list a scope sees, at most a second old (api/siteListCache.ts, shared with GET /sites): the hello. The
   * frames published since it was built follow it, so a client misses no change made in between.
   */
  siteList: (scope: Scope) => Pick<SiteListView, "body" | "builtAtMs">;
  /** The identity of an upgrade request (session cookie or bearer API token), or null. */
  identify: (req: IncomingMessage) => RequestIdentity | null;
  /** Whether the identity is still valid (its session not ended or expired); checked by {@link LiveHub.revalidate}. */
  stillValid: (identity: RequestIdentity) => boolean;
  origins: OriginPolicy;
  filter: ScopeFilter;
  /** Clients connected at most; one more is answered 503. */
  maxClients: number;
  onClientCount: (count: number) => void;
  /** A client with more than this queued is dropped rather than slowing the collector, bytes (default 4 MiB). */
  maxBufferedBytes?: number;
}

/**
 * Pushes site updates to browsers on /api/v1/ws. An upgrade is refused before any message: a foreign `Origin` 403,
 * no session or API token 401, {@link LiveHubDeps.maxClients} connected already 503. A new client gets `hello` with
 * the sites its scope sees (and the changes published since that list was built, as one `sites` message), then a
 * `sites` message per frame with the changed sites its scope sees and an `incident` message per incident change it
 * sees, filtered as the REST API filters (collector/auth/scope.ts); a message is serialised once per scope key.
 * Clients that cannot keep up (more than `maxBufferedBytes` queued) are dropped; a client whose session ended is
 * closed (1008) at the next {@link revalidate}.
 */
export class LiveHub {
  private readonly wss: WebSocketServer;
  private readonly identities = new Map<WebSocket, RequestIdentity>();
  /** The frames of the last {@link FRAMES_KEPT_MS}, oldest first: what a client connecting now may have missed. */
  private recentFrames: Array<{ atMs: number; sites: SiteStatus[] }> = [];
  private readonly maxBufferedBytes: number;
  private readonly onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

  constructor(
    private readonly server: Server,
    private readonly deps: LiveHubDeps,
  ) {
    this.maxBufferedBytes = deps.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
    this.onUpgrade = (req, socket, head) => this.upgrade(req, socket, head);
    server.on("upgrade", this.onUpgrade);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => socket.destroy());
    const path = (req.url ?? "").split("?")[0];
    if (path !== LIVE_PATH) return refuse(socket, 404, "not_found", "no such WebSocket endpoint");
    const origin = req.headers.origin;
    if (origin !== undefined && !this.deps.origins.isAllowed(origin, req.headers.host)) {
      return refuse(socket, 403, "foreign_origin", "the live feed is open only to pages of this collector (http.allowed_origins)");
    }
    const identity = this.deps.identify(req);
    if (!identity) return refuse(socket, 401, "unauthenticated", "log in, or send Authorization: Bearer <API token>");
    if (this.identities.size >= this.deps.maxClients) return refuse(socket, 503, "too_many_clients", "the live feed has as many clients as it serves; try again later");
    if (this.clientsOf(identity.scope.actor) >= LIVE_CLIENTS_PER_ACTOR) {
      return refuse(socket, 429, "too_many_clients", `at most ${LIVE_CLIENTS_PER_ACTOR} live feeds per user or token; close another tab`);
    }
    this.wss.handleUpgrade(req, socket, head, (client) => this.connected(client, identity));
  }

  /** Live clients connected now as `actor` (one user or API token, however many sessions). */
  private clientsOf(actor: string): number {
    let count = 0;
    for (const identity of this.identities.values()) if (identity.scope.actor === actor) count++;
    return count;
  }

  private connected(client: WebSocket, identity: RequestIdentity): void {
    this.identities.set(client, identity);
    this.deps.onClientCount(this.identities.size);
    client.on("close", () => {
      this.identities.delete(client);
      this.deps.onClientCount(this.identities.size);
    });
    client.on("error", () => client.terminate());
    const list = this.deps.siteList(identity.scope);
    // The list is JSON already (the bytes GET /sites sends): wrapped, not parsed and serialised again.
    this.sendText(client, Buffer.concat([Buffer.from('{"type":"hello","sites":'), list.body, Buffer.from("}")]));
    const since = new Map<string, SiteStatus>();
    for (const frame of this.recentFrames) {
      if (frame.atMs < list.builtAtMs) continue;
      for (const site of frame.sites) since.set(site.id, site);
    }
    const missed = this.deps.filter.siteStatuses(identity.scope, [...since.values()]);
    if (missed.length > 0) this.sendText(client, JSON.stringify({ type: "sites", sites: missed } satisfies LiveMessage));
  }

  /** Sends an incident that opened, changed or closed to every client whose scope sees it. */
  publishIncident(incident: Incident): void {
    this.broadcast((scope) => {
      const visible = this.deps.filter.incident(scope, incident);
      return visible ? { type: "incident", incident: visible } : null;
    });
  }

  /**
   * Sends one frame, the statuses that changed (each site once, statusPublisher.ts) at `atMs` (UTC ms, the clock of
   * the hello's list), as one `sites` message to each client, of the sites its scope sees (a vendor: its own links
   * only); nothing to a client that sees none of them.
   */
  publishSites(sites: readonly SiteStatus[], atMs: number): void {
    if (sites.length === 0) return;
    this.recentFrames = this.recentFrames.filter((frame) => frame.atMs >= atMs - FRAMES_KEPT_MS);
    this.recentFrames.push({ atMs, sites: [...sites] });
    this.broadcast((scope) => {
      const visible = this.deps.filter.siteStatuses(scope, sites);
      return visible.length > 0 ? { type: "sites", sites: visible } : null;
    });
  }

  /** Closes (1008) every client whose session has ended or expired, or whose token was revoked. */
  revalidate(): void {
    for (const [client, identity] of this.identities) {
      if (!this.deps.stillValid(identity)) client.close(1008, "session ended");
    }
  }

  /** Clients connected now. */
  get clientCount(): number {
    return this.identities.size;
  }

  private broadcast(messageFor: (scope: Scope) => LiveMessage | null): void {
    const texts = new Map<string, string | null>();
    for (const [client, { scope }] of this.identities) {
      const key = scopeKey(scope);
      let text = texts.get(key);
      if (text === undefined) {
        const message = messageFor(scope);
        text = message ? JSON.stringify(message) : null;
        texts.set(key, text);
      }
      if (text !== null) this.sendText(client, text);
    }
  }

  /** Sends one text message (a string, or UTF-8 bytes); a client with more than `maxBufferedBytes` queued is dropped instead. */
  private sendText(socket: WebSocket, text: string | Buffer): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      socket.terminate();
      return;
    }
    socket.send(text, { binary: false });
  }

  /** Closes every client and stops taking upgrades. */
  close(): Promise<void> {
    this.server.off("upgrade", this.onUpgrade);
    for (const client of this.identities.keys()) client.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

/** Answers an upgrade with an HTTP error and a JSON body `{ error, message }`, then closes the connection. */
function refuse(socket: Duplex, status: number, error: string, message: string): void {
  const body = JSON.stringify({ error, message });
  const reason = { 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 503: "Service Unavailable" }[status] ?? "Error";
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
