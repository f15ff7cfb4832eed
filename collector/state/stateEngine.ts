import {
  initialLinkState,
  judgeRound,
  nextLinkState,
  type LinkStateEvent,
  type LinkStateMachine,
  type LinkStatePolicy,
} from "../../protocol/linkState.js";
import type { LinkSnapshot } from "../../protocol/ingest.js";
import type { SiteStateName } from "../../protocol/api.js";
import type { SiteConfig } from "../../config/collectorSchema.js";
import { sampleLatencyMs, sampleLossPct } from "../../protocol/sample.js";
import type { SiteContact, StoredLinkState, StoredSample } from "../store/store.js";
import { addToRound, type PendingRound } from "./roundAssembler.js";
import { SilenceDeadlines } from "./silenceDeadlines.js";
import { siteStateOf } from "./siteState.js";

/** The latest measurement of a link, for status views (ts UTC ms on the collector's time line). */
export interface LastMeasurement {
  ts: number;
  rttAvgMs: number | null;
  lossPct: number;
}

/** What the engine holds per link. */
export interface LinkTrack {
  machine: LinkStateMachine;
  pending: PendingRound | null;
  last: LastMeasurement | null;
}

/** A link state event, with the site and link it happened to. */
export interface LinkChange {
  site: string;
  link: string;
  event: LinkStateEvent;
}

function linkKey(site: string, link: string): string {
  return `${site}\u0000${link}`;
}

/**
 * Link and site state for every configured site. Samples come in oldest first, rounds are assembled and judged by the
 * pure link state machine; the engine only keeps the results. Time is passed in.
 *
 * Judged by time, not seq: a link's sample counts when it is newer than the last round judged for that link (older
 * ones are history, a backfill), so an agent whose seqs start again, or jump near 2^53, is judged all the same.
 * Nothing is created for names the configuration does not list: the engine's memory is bounded by the configured
 * sites and links, whatever agents send.
 *
 * It also keeps which sites changed (a push, a snapshot, samples judged) and when each site turns silent, so that
 * those who act on changes ({@link takeChangedSites}) look at those sites only, never at every site.
 */
export class StateEngine {
  private readonly tracks = new Map<string, LinkTrack>();
  private readonly contacts = new Map<string, SiteContact>();
  private readonly dirty = new Set<string>();
  private readonly changedSites = new Set<string>();
  private readonly silenceDeadlines = new SilenceDeadlines();
  /** Every configured (site, link) key. */
  private readonly knownLinks: ReadonlySet<string>;
  private readonly knownSites: ReadonlySet<string>;

  constructor(
    private readonly sites: readonly SiteConfig[],
    private readonly policy: LinkStatePolicy,
    private readonly silentAfterPushes: number,
    saved: { links: StoredLinkState[]; contacts: SiteContact[] },
  ) {
    this.knownLinks = new Set(sites.flatMap((site) => site.links.map((link) => linkKey(site.id, link.id))));
    this.knownSites = new Set(sites.map((site) => site.id));
    for (const stored of saved.links) {
      if (this.knownLinks.has(linkKey(stored.site, stored.link))) {
        this.tracks.set(linkKey(stored.site, stored.link), { machine: stored.machine, pending: null, last: null });
      }
    }
    for (const contact of saved.contacts) {
      if (!this.knownSites.has(contact.site)) continue;
      this.contacts.set(contact.site, contact);
      this.setSilenceDeadline(contact);
    }
  }

  /**
   * The link's track (created on first use). For a (site, link) the configuration does not list, a fresh `unknown`
   * track that is not kept.
   */
  track(site: string, link: string): LinkTrack {
    const key = linkKey(site, link);
    let track = this.tracks.get(key);
    if (!track) {
      track = { machine: initialLinkState(), pending: null, last: null };
      if (this.knownLinks.has(key)) this.tracks.set(key, track);
    }
    return track;
  }

  /** The site's last contact, or null if its agent never pushed. */
  contact(site: string): SiteContact | null {
    return this.contacts.get(site) ?? null;
  }

  /** Records a push from the site's agent; ignored for a site the configuration does not list. */
  recordContact(contact: SiteContact): void {
    if (!this.knownSites.has(contact.site)) return;
    this.contacts.set(contact.site, contact);
    this.changedSites.add(contact.site);
    this.setSilenceDeadline(contact);
  }

  /**
   * The sites whose state may have changed since the last call (UTC ms `nowMs`): those pushed from, given a snapshot
   * or judged samples, and those whose silence deadline passed by `nowMs` (see {@link siteState}). Each is returned
   * once per change; the cost is those sites, not every site.
   */
  takeChangedSites(nowMs: number): string[] {
    for (const site of this.silenceDeadlines.takePassed(nowMs)) this.changedSites.add(site);
    const changed = [...this.changedSites];
    this.changedSites.clear();
    return changed;
  }

  /**
   * After the site was silent (or never seen), adopts the agent's current view of its links so the site shows its
   * state at once; the backlog that follows is older than `asOfTs` and feeds history only (a round stamped `asOfTs`
   * or later is judged). Entries for links the site does not have are ignored.
   */
  adoptSnapshot(site: string, snapshot: readonly LinkSnapshot[], asOfTs: number, correctionMs: number): LinkChange[] {
    const changes: LinkChange[] = [];
    this.changedSites.add(site);
    for (const entry of snapshot) {
      if (!this.knownLinks.has(linkKey(site, entry.link))) continue;
      const track = this.track(site, entry.link);
      if (track.machine.lastTs >= asOfTs) continue;
      const from = track.machine.state;
      // As if the last round judged were just before asOfTs: a round that began at the very moment the batch was sent
      // (an agent's first round and first push, say) is not in the snapshot and must still be judged.
      const lastTs = asOfTs - 1;
      track.machine = { ...initialLinkState(), ...track.machine, state: entry.state, lastTs, failStreak: 0, reachStreak: 0, goodStreak: 0, poorStreak: 0 };
      if (from !== entry.state) {
        track.machine.sinceTs = entry.sinceTs + correctionMs;
        changes.push({ site, link: entry.link, event: { type: "state", from, to: entry.state, ts: asOfTs } });
      }
      this.dirty.add(linkKey(site, entry.link));
    }
    return changes;
  }

  /**
   * Judges one site's samples, oldest first: a link sample newer than the last round judged for its link joins that
   * link's round (older ones, and resends, are history only). Returns the changes.
   */
  observe(site: string, samples: readonly StoredSample[]): LinkChange[] {
    this.changedSites.add(site);
    const changes: LinkChange[] = [];
    for (const stored of samples) {
      const { sample } = stored;
      // Only a link's own probes judge the link; applications and LAN devices are history (and later, their own state).
      if (sample.role !== "link" || sample.link === null) continue;
      const key = linkKey(site, sample.link);
      if (!this.knownLinks.has(key)) continue; // ingest refuses these; never keep state for a name the file does not list
      const track = this.track(site, sample.link);
      const latencyMs = sampleLatencyMs(sample);
      const lossPct = sampleLossPct(sample);
      if (!track.last || stored.ts >= track.last.ts) track.last = { ts: stored.ts, rttAvgMs: latencyMs, lossPct };
      if (stored.ts <= track.machine.lastTs) continue;
      const part = { ts: stored.ts, probe: sample.probe, round: sample.round, roundSize: sample.roundSize, ok: sample.ok, lossPct, rttAvgMs: latencyMs };
      const { complete, pending } = addToRound(track.pending, part);
      track.pending = pending;
      for (const parts of complete) {
        const result = nextLinkState(track.machine, judgeRound(parts), this.policy);
        track.machine = result.machine;
        for (const event of result.events) changes.push({ site, link: sample.link, event });
      }
      this.dirty.add(key);
    }
    return changes;
  }

  /** The site's state now. */
  siteState(site: SiteConfig, nowMs: number): SiteStateName {
    const states = site.links.map((link) => this.track(site.id, link.id).machine.state);
    return siteStateOf(states, this.contacts.get(site.id) ?? null, nowMs, this.silentAfterPushes);
  }

  /** Link states changed since the last call, for persisting. */
  takeDirty(): StoredLinkState[] {
    const out: StoredLinkState[] = [];
    for (const key of this.dirty) {
      const [site, link] = key.split("\u0000") as [string, string];
      out.push({ site, link, machine: this.track(site, link).machine });
    }
    this.dirty.clear();
    return out;
  }

  /** Marks link states taken by {@link takeDirty} as still to persist (their save failed); the next takeDirty returns them as they are then. */
  markDirty(states: readonly StoredLinkState[]): void {
    for (const { site, link } of states) this.dirty.add(linkKey(site, link));
  }

  /** A site is silent once `nowMs - lastSeenTs` exceeds `silentAfterPushes` push intervals (siteState.ts). */
  private setSilenceDeadline(contact: SiteContact): void {
    this.silenceDeadlines.set(contact.site, contact.lastSeenTs + this.silentAfterPushes * contact.pushIntervalMs);
  }

  /** Every site's contact, for persisting. */
  allContacts(): SiteContact[] {
    return [...this.contacts.values()];
  }

  /** The configured sites. */
  siteConfigs(): readonly SiteConfig[] {
    return this.sites;
  }
}
