import WebSocket from "ws";
import type { LiveMessage, SiteStatus } from "../../protocol/api.js";
import type { Incident } from "../../protocol/incident.js";

/** A connection to the collector's /api/v1/ws feed that keeps the latest status of every site. */
export interface LiveFeed {
  latest: Map<string, SiteStatus>;
  /** Every incident message received, oldest first. */
  incidents: Incident[];
  /** Resolves with the first incident message (received or still to come) that matches; rejects after `timeoutMs`. */
  waitForIncident(predicate: (incident: Incident) => boolean, timeoutMs?: number): Promise<Incident>;
  /** Resolves with the site's status as soon as (or if already) it matches; rejects after `timeoutMs`. */
  waitForSite(siteId: string, predicate: (site: SiteStatus) => boolean, timeoutMs?: number): Promise<SiteStatus>;
  close(): void;
}

/** Opens the live feed of the collector at `baseUrl` with `auth` (an API token's header) and waits for its hello. */
export async function openLiveFeed(baseUrl: string, auth: { Authorization: string }): Promise<LiveFeed> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/api/v1/ws`, { headers: auth });
  const latest = new Map<string, SiteStatus>();
  const incidents: Incident[] = [];
  const waiters = new Set<() => void>();
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString()) as LiveMessage;
      if (message.type === "hello") {
        for (const site of message.sites) latest.set(site.id, site);
        resolve();
      } else if (message.type === "sites") {
        for (const site of message.sites) latest.set(site.id, site);
      } else if (message.type === "site") {
        latest.set(message.site.id, message.site);
      } else {
        incidents.push(message.incident);
      }
      for (const check of [...waiters]) check();
    });
  });
  return {
    latest,
    incidents,
    waitForIncident(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = incidents.find(predicate);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching incident within ${timeoutMs} ms; seen: ${JSON.stringify(incidents.map((i) => [i.number, i.kind, i.cause, i.state]))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    waitForSite(siteId, predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const site = latest.get(siteId);
          if (site && predicate(site)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(site);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`site ${siteId} did not reach the expected status within ${timeoutMs} ms; last: ${JSON.stringify(latest.get(siteId))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => socket.terminate(),
  };
}
