import { candidateLinks, type DownLink } from "./incidentRules.js";
import type { SiteView } from "./siteView.js";

function downKey(site: string, link: string): string {
  return `${site}\u0000${link}`;
}

/**
 * The site views the incident rules last saw, and per provider what its provider-wide rule reads, kept up to date as
 * views are replaced one site at a time: its link count over the sites seen, and its candidate links now down (see
 * {@link candidateLinks}) with their sinceTs. Replacing a view costs that site's links, never a walk of every site.
 * Sites keep the order in which they were first seen (the configuration's, when every site is seen at start), the
 * order the rules list sites in.
 */
export class SiteViewIndex {
  readonly #views = new Map<string, SiteView>();
  readonly #order = new Map<string, number>();
  readonly #totalLinks = new Map<string, number>();
  /** provider → site/link key → its down candidate link. */
  readonly #down = new Map<string, Map<string, DownLink>>();

  /** The site's view as last given, if any. */
  view(siteId: string): SiteView | undefined {
    return this.#views.get(siteId);
  }

  /**
   * Puts `view` in place of the site's previous one (null: the site is gone). Returns the providers whose down
   * links changed (one added, removed, or down since another time): only their provider-wide rule can judge
   * differently now.
   */
  update(siteId: string, view: SiteView | null): Set<string> {
    const before = this.#views.get(siteId);
    const touched = new Set<string>();
    if (before) {
      for (const link of before.links) this.#addTotal(link.provider, -1);
      for (const link of downLinksOf(before)) {
        const current = view ? downLinksOf(view).find((l) => l.id === link.id && l.provider === link.provider) : undefined;
        if (!current || current.sinceTs !== link.sinceTs) touched.add(link.provider);
        this.#down.get(link.provider)?.delete(downKey(siteId, link.id));
      }
    }
    if (!view) {
      this.#views.delete(siteId);
      return touched;
    }
    if (!this.#order.has(siteId)) this.#order.set(siteId, this.#order.size);
    this.#views.set(siteId, view);
    for (const link of view.links) this.#addTotal(link.provider, 1);
    for (const link of downLinksOf(view)) {
      if (!before || !downLinksOf(before).some((l) => l.id === link.id && l.provider === link.provider && l.sinceTs === link.sinceTs)) touched.add(link.provider);
      let down = this.#down.get(link.provider);
      if (!down) this.#down.set(link.provider, (down = new Map()));
      down.set(downKey(siteId, link.id), { site: view, link });
    }
    return touched;
  }

  /** How many links the provider has at the sites seen. */
  totalLinks(provider: string): number {
    return this.#totalLinks.get(provider) ?? 0;
  }

  /** The provider's candidate links now down, in site order then the site's link order. */
  downLinks(provider: string): DownLink[] {
    const down = [...(this.#down.get(provider)?.values() ?? [])];
    const linkIndex = (d: DownLink) => d.site.links.indexOf(d.link);
    return down.sort((a, b) => this.#order.get(a.site.id)! - this.#order.get(b.site.id)! || linkIndex(a) - linkIndex(b));
  }

  #addTotal(provider: string, delta: number): void {
    const total = (this.#totalLinks.get(provider) ?? 0) + delta;
    if (total === 0) this.#totalLinks.delete(provider);
    else this.#totalLinks.set(provider, total);
  }
}

function downLinksOf(view: SiteView) {
  return candidateLinks(view).filter((link) => link.state === "down");
}
