import type { ApiClient } from "./api.js";
import type { Formatter } from "./format.js";
import type { Translator } from "./i18n.js";
import type { IncidentApi } from "./incidentApi.js";
import type { IncidentBoard } from "./incidentBoard.js";
import type { LiveStatus } from "./live.js";
import type { RoleAccess } from "./roleAccess.js";
import type { SiteDirectory } from "./siteDirectory.js";

/** What every page is given by main.ts (the only place that wires the dashboard). */
export interface PageContext {
  translator: Translator;
  format: Formatter;
  api: ApiClient;
  /** The incident endpoints of the same API. */
  incidents: IncidentApi;
  directory: SiteDirectory;
  /** The latest incidents, fed by REST and live `incident` messages. */
  incidentBoard: IncidentBoard;
  /** The browser's clock, UTC ms. */
  now(): number;
  /** What the logged-in user's role may open and do: a page offers nothing the collector would refuse (403). */
  access: RoleAccess;
  /** Where the live feed stands now: a page that needs every site waits for its hello unless it is down. */
  liveStatus(): LiveStatus;
}

/** A mounted page: its root element, and destroy() to stop its timers, requests and subscriptions. */
export interface Page {
  readonly element: HTMLElement;
  destroy(): void;
}
