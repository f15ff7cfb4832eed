import type { Logger } from "../../config/logger.js";
import type { StoreBreaker } from "../health/storeBreaker.js";
import type { MetadataStore } from "../store/store.js";
import type { StateEngine } from "./stateEngine.js";

/**
 * Saves what the state engine judged to the metadata store: after each push, the link states it changed and the
 * site's contact, in one transaction through the store's breaker; at shutdown, everything left. A save the store
 * refuses is not lost: the link states are marked dirty again and the contact kept, both saved with the next push's.
 */
export class SiteStateSaver {
  /** Sites whose contact a failed save left unsaved. */
  readonly #unsavedContacts = new Set<string>();

  constructor(
    private readonly engine: Pick<StateEngine, "takeDirty" | "markDirty" | "contact" | "allContacts">,
    private readonly store: Pick<MetadataStore, "saveSiteState">,
    private readonly breaker: Pick<StoreBreaker, "write" | "writable">,
    private readonly logger: Logger,
  ) {}

  /** Saves the dirty link states and the contact of `siteId` (and of any site a failed save left). Never throws. */
  afterPush(siteId: string): void {
    const dirty = this.engine.takeDirty();
    this.#unsavedContacts.add(siteId);
    try {
      this.breaker.write(() => {
        const contacts = [...this.#unsavedContacts].flatMap((site) => this.engine.contact(site) ?? []);
        this.store.saveSiteState(dirty, contacts);
      });
      this.#unsavedContacts.clear();
    } catch (err) {
      this.engine.markDirty(dirty);
      // A store failure opened the breaker, which logged it once; only another fault is news here.
      if (this.breaker.writable) this.logger.error("cannot save site state", { site: siteId, err });
    }
  }

  /** Saves every dirty link state and every contact, at shutdown. Never throws: a failure is logged. */
  atShutdown(): void {
    const dirty = this.engine.takeDirty();
    try {
      this.breaker.write(() => this.store.saveSiteState(dirty, this.engine.allContacts()));
    } catch (err) {
      // Lost with this process: the samples they were judged from are stored and acknowledged (agents never resend
      // them), so the next start judges those links from the last saved state and the rounds that come after.
      this.logger.error("link states and contacts not saved at shutdown", { links: dirty.length, err });
    }
  }
}
