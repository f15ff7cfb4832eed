import type { Sample } from "../../protocol/sample.js";
import type { AgentEvent } from "../../protocol/event.js";
import type { LinkStateMachine } from "../../protocol/linkState.js";

/** A sample as stored: the agent's sample plus its site, and `ts` corrected for the agent's clock offset. */
export interface StoredSample {
  site: string;
  /** Timestamp on the collector's time line, UTC ms (the agent's `ts` plus the correction applied at ingest). */
  ts: number;
  /** The timestamp the agent wrote, UTC ms by its own clock. */
  agentTs: number;
  sample: Sample;
}

/** An agent event as stored: `ts` on the collector's time line, `agentTs` as the agent wrote it (UTC ms). */
export interface StoredEvent {
  site: string;
  ts: number;
  agentTs: number;
  event: AgentEvent;
}

/** What one idempotent write of events did. */
export interface WriteResult {
  /** Records newly stored. */
  inserted: number;
  /** Records already held for the same identity (see {@link MetadataStore}), left unchanged. */
  duplicates: number;
}

/** What the collector remembers of a site's agent between pushes (and across restarts). */
export interface SiteContact {
  site: string;
  /** Collector clock at the last push, UTC ms. */
  lastSeenTs: number;
  clockOffsetMs: number;
  pushIntervalMs: number;
  pendingRecords: number;
  droppedRecords: number;
  /** Highest record seq of the last batch taken (for audits; judging goes by time, not seq). */
  lastSeq: number;
  /** The link that carried the last push, as the agent reported it (null: its routing table chose). */
  viaLink: string | null;
  /** Added to this site's agent timestamps to put them on the collector's time line, ms (sticky, collector/ingest/clockOffset.ts). */
  clockCorrectionMs: number;
  /** Records of this site's batches the collector refused (set aside by the agent), counted at the collector since it first heard from the site. */
  refusedRecords: number;
  /** Records the agent reported it set aside because the collector refused them (protocol version 2; null: not reported). */
  agentRefusedRecords: number | null;
}

/** A link's state machine as persisted. */
export interface StoredLinkState {
  site: string;
  link: string;
  machine: LinkStateMachine;
}

/**
 * The collector's metadata store (wardwatch.db): agent events, site tokens, link states, site contacts and (beside it,
 * sqliteIncidents.ts) incidents; transactions. Samples are not here: they go to the sample store
 * (collector/store/samples/, STYLE rule 15). Event writes are idempotent on what an event recorded, (site, ts, type,
 * group), not on the agent's seq (which starts again when an agent loses its spool); a resend never duplicates.
 * Implementations must make a write durable before returning (the collector acknowledges after it).
 */
export interface MetadataStore {
  /** Stores agent events, ignoring any (site, ts, type, group) already held. */
  writeEvents(events: StoredEvent[]): WriteResult;
  /** A site's events from `fromTs` (inclusive, collector time line), oldest first, at most `limit`. */
  listEvents(site: string, fromTs: number, limit: number): StoredEvent[];
  /** Records a token: only its SHA-256 hex digest is stored. */
  addToken(site: string, tokenHash: string, createdAt: number): void;
  /** The site a token hash belongs to, or null (also for a revoked token). */
  siteForTokenHash(tokenHash: string): string | null;
  saveLinkStates(states: StoredLinkState[]): void;
  loadLinkStates(): StoredLinkState[];
  saveSiteContact(contact: SiteContact): void;
  /** Upserts link states and site contacts together, in one transaction: all are saved or none. */
  saveSiteState(states: StoredLinkState[], contacts: SiteContact[]): void;
  loadSiteContacts(): SiteContact[];
  /** True when the store answers (for /healthz). */
  isReachable(): boolean;
  /**
   * A cheap real write, made while the store is known to be failing to find out whether it takes writes again.
   * Waits for a lock much less than ordinary writes do. Throws when the write fails.
   */
  probeWrite(nowMs: number): void;
  /**
   * Runs `work` (writes) waiting for a lock only as long as the probe does; returns its result. For the writes let
   * through after a good probe, while the store may still be locked.
   */
  withShortLockWait<T>(work: () => T): T;
  /** Runs `work` in one transaction: every write it makes is kept, or (when it throws) none. Returns its result. */
  atomically<T>(work: () => T): T;
  /**
   * Whether `err`, thrown by one of this store's methods, means the store cannot take writes now (locked, disk full,
   * I/O error, closed…), as opposed to a fault of the request itself (a constraint, a bad argument).
   */
  isUnavailableError(err: unknown): boolean;
  close(): void;
}
