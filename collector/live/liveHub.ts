import type { Server } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import type { LiveMessage, SiteStatus } from "../../protocol/api.js";
import type { Incident } from "../../protocol/incident.js";

/**
 * Pushes site updates to browsers on /api/v1/ws. A new client gets `hello` with every site, then a `site` message per
 * change. Clients that cannot keep up (more than `maxBufferedBytes` queued) are dropped rather than slowing the collector.
 */
export class LiveHub {
  private readonly wss: WebSocketServer;

  constructor(
    server: Server,
    private readonly snapshot: () => SiteStatus[],
    private readonly onClientCount: (count: number) => void,
    private readonly maxBufferedBytes = 4 * 1024 * 1024,
  ) {
    this.wss = new WebSocketServer({ server, path: "/api/v1/ws", maxPayload: 4096 });
    this.wss.on("connection", (socket) => {
      this.onClientCount(this.wss.clients.size);
      socket.on("close", () => this.onClientCount(this.wss.clients.size));
      socket.on("error", () => socket.terminate());
      this.send(socket, { type: "hello", sites: this.snapshot() });
    });
  }

  /** Sends an incident that opened, changed or closed to every client. */
  publishIncident(incident: Incident): void {
    const text = JSON.stringify({ type: "incident", incident } satisfies LiveMessage);
    for (const client of this.wss.clients) this.sendText(client, text);
  }

  /** Sends a site's new status to every client. */
  publishSite(site: SiteStatus): void {
    const text = JSON.stringify({ type: "site", site } satisfies LiveMessage);
    for (const client of this.wss.clients) this.sendText(client, text);
  }

  private send(socket: WebSocket, message: LiveMessage): void {
    this.sendText(socket, JSON.stringify(message));
  }

  private sendText(socket: WebSocket, text: string): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      socket.terminate();
      return;
    }
    socket.send(text);
  }

  /** Closes every client and the server. */
  close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}
