import type { LinkStateName } from "../../protocol/linkState.js";
import type { LinkKind } from "../../protocol/api.js";

/** One point of recent history: when (UTC ms), latency (ms, null when nothing answered) and loss (%). */
export interface HistoryPoint {
  ts: number;
  latencyMs: number | null;
  lossPct: number;
}

/** The latest judged round of a link, application path or device. Times UTC ms; latency ms; loss %. */
export interface LastRound {
  ts: number;
  ok: boolean;
  latencyMs: number | null;
  lossPct: number;
  /** Why the round failed (the probe's words), when it did. */
  reason: string | null;
}

/** A WAN link as the local page shows it. */
export interface LinkView {
  id: string;
  kind: LinkKind;
  /** The vendor's name as configured (e.g. "VNPT"), or null. */
  provider: string | null;
  /** Circuit id / subscriber code (Mã kênh), or null. */
  circuit: string | null;
  /** How the link's probes are bound: "eth1" or "198.51.100.10". */
  boundTo: string | null;
  state: LinkStateName;
  /** Since when the link has been in `state`, UTC ms; null while unknown. */
  sinceTs: number | null;
  last: LastRound | null;
  /** The last hour, oldest first. */
  history: HistoryPoint[];
}

/** One application reached through one link. */
export interface AppPathView {
  link: string;
  state: LinkStateName;
  sinceTs: number | null;
  last: LastRound | null;
}

/** An application (Một cửa điện tử, Cổng dịch vụ công …) and how it fares over each link. */
export interface AppView {
  id: string;
  name: string;
  target: string;
  paths: AppPathView[];
}

/** A device on the site's LAN (camera, printer …). */
export interface LanDeviceView {
  id: string;
  name: string;
  target: string;
  state: LinkStateName;
  sinceTs: number | null;
  last: LastRound | null;
}

/** What the agent knows of its push to the collector. Times UTC ms. */
export interface UplinkView {
  lastPushOkTs: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  collectorUrl: string | null;
  /** The link that carried the last successful push, when known. */
  viaLink: string | null;
}

/**
 * A record the collector refused and the agent set aside: its seq, when (UTC ms), the collector's error code and
 * message, and what it was (`icmp:10.0.0.1 via tslcd`, `failover event`).
 */
export interface RefusedRecordView {
  seq: number;
  refusedAt: number;
  error: string;
  message: string;
  what: string;
}

/**
 * The spool as the page shows it: records waiting, records lost (spool full, corrupt or unreadable), size in bytes,
 * records the collector refused (lifetime count) and the newest of them, newest first.
 */
export interface SpoolView {
  pendingRecords: number;
  droppedRecords: number;
  bytes: number;
  refusedRecords: number;
  recentRefused: RefusedRecordView[];
}

/** Everything the local status page and /status.json show, as of `generatedAt` (UTC ms). */
export interface AgentStatus {
  site: string;
  siteName: string | null;
  generatedAt: number;
  links: LinkView[];
  apps: AppView[];
  lan: LanDeviceView[];
  spool: SpoolView;
  uplink: UplinkView;
}

/** Supplies the current status; the page asks for it on every request. */
export type AgentStatusSource = () => AgentStatus;
