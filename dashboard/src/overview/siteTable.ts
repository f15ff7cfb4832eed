import type { SiteStateName, SiteStatus } from "../../../protocol/api.js";
import type { Formatter } from "../format.js";
import type { Translator } from "../i18n.js";
import { stateLabel } from "../badges.js";
import { el } from "../dom.js";
import { ALL_GROUP, NO_AREA_GROUP, STATES_WORST_FIRST, compareGroups, groupsOf, insertionIndex, siteComparator, type GroupBy, type GroupKey, type SortBy } from "./siteOrder.js";
import { escapeHtml } from "../html.js";
import { siteRowHtml } from "./siteRowHtml.js";

/** What the table is given: words, formats, the clock and each site's open incident count. */
export interface SiteTableOptions {
  translator: Translator;
  format: Formatter;
  collator: Intl.Collator;
  now(): number;
  openIncidents(siteId: string): number;
}

/** One group of rows: its `<tbody data-group>`, its heading row, its sites' ids in row order, how many have rows yet. */
interface Group {
  key: GroupKey;
  tbody: HTMLTableSectionElement;
  order: string[];
  /** The first `drawn` sites of `order` have their rows in `tbody` (the rest are still to be drawn by renderAll). */
  drawn: number;
}

const COLUMNS = 5;

/** Rows a full render draws at once, in display order: more than the tallest screen shows (a row is ≥ 40 px). */
export const FIRST_ROWS = 60;

/** Rows drawn per later task of a full render: each task short enough (tens of ms) for the page to paint and answer input. */
const ROWS_PER_TASK = 300;

/**
 * The overview's table of sites, grouped and sorted (siteOrder.ts), built for a country's 3,321 sites: a full render
 * puts every group's heading and the first {@link FIRST_ROWS} rows in at once (what the screen shows), then the rest
 * in display order, {@link ROWS_PER_TASK} rows per task (one HTML string each, inserted with insertAdjacentHTML), so
 * the first screen is painted before 3,321 rows are parsed and laid out; a live change of one site replaces only that site's rows (one per
 * group it is in), moving them when their group or place in the order changed; the filter only toggles `hidden`.
 * Each group is a `<tbody data-group="<key>">` whose first row (`tr[data-group-head]`) names it with its counts.
 */
export class SiteTable {
  readonly element: HTMLTableElement;
  private readonly groups = new Map<string, Group>();
  private readonly rows = new Map<string, HTMLTableRowElement[]>();
  private readonly shown = new Map<string, SiteStatus>();
  private groupBy: GroupBy = "none";
  private compare: (a: SiteStatus, b: SiteStatus) => number;
  private matches: (site: SiteStatus) => boolean = () => true;
  /** Groups with rows still to draw, in display order, and what to call once none is left. */
  private drawQueue: Group[] = [];
  private drawTimer: ReturnType<typeof setTimeout> | null = null;
  private onAllDrawn: (() => void) | null = null;

  constructor(private readonly options: SiteTableOptions) {
    const { t } = options.translator;
    this.compare = siteComparator(options.collator, "name");
    this.element = el(
      "table",
      { class: "sites" },
      el("caption", { class: "visually-hidden" }, t("overview.heading")),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", { scope: "col" }, t("overview.col.site")),
          el("th", { scope: "col" }, t("overview.col.state")),
          el("th", { scope: "col" }, t("overview.col.links")),
          el("th", { scope: "col" }, t("overview.col.incidents")),
          el("th", { scope: "col" }, t("overview.col.lastSeen")),
        ),
      ),
    );
  }

  /** Rows shown (not filtered out). */
  get visibleCount(): number {
    let count = 0;
    for (const site of this.shown.values()) if (this.matches(site)) count += 1;
    return count;
  }

  /**
   * Rebuilds every row: `sites` grouped by `groupBy`, ordered by `sortBy`. The headings and the first
   * {@link FIRST_ROWS} rows are in the table when this returns, the others follow in later tasks; `onAllDrawn` is
   * called once every row is in (at once when there are few). Live changes, filters and incident counts apply
   * meanwhile as well (a row drawn later is drawn from the latest status).
   */
  renderAll(sites: readonly SiteStatus[], groupBy: GroupBy, sortBy: SortBy, onAllDrawn: () => void = () => {}): void {
    this.stop();
    this.groupBy = groupBy;
    this.compare = siteComparator(this.options.collator, sortBy);
    for (const group of this.groups.values()) group.tbody.remove();
    this.groups.clear();
    this.rows.clear();
    this.shown.clear();
    const sorted = [...sites].sort(this.compare);
    for (const site of sorted) {
      this.shown.set(site.id, site);
      for (const key of groupsOf(site, groupBy)) this.groupFor(key).order.push(site.id);
    }
    this.drawQueue = this.sortedGroups();
    for (const group of this.drawQueue) {
      group.tbody.innerHTML = this.headHtml(group);
      group.tbody.hidden = !this.anyShown(group);
      this.element.append(group.tbody);
    }
    this.onAllDrawn = onAllDrawn;
    this.drawRows(FIRST_ROWS);
  }

  /** Stops drawing the rows a full render has not drawn yet (the page is leaving). */
  stop(): void {
    if (this.drawTimer !== null) clearTimeout(this.drawTimer);
    this.drawTimer = null;
    this.drawQueue = [];
    this.onAllDrawn = null;
  }

  /** Draws up to `limit` rows not drawn yet, in display order; then the next task's, or says all are drawn. */
  private drawRows(limit: number): void {
    const now = this.options.now();
    let left = limit;
    while (left > 0 && this.drawQueue.length > 0) {
      const group = this.drawQueue[0]!;
      const siteIds = group.order.slice(group.drawn, group.drawn + left);
      group.tbody.insertAdjacentHTML("beforeend", siteIds.map((siteId) => this.rowHtml(this.site(siteId), now)).join(""));
      const rows = group.tbody.rows;
      for (let i = rows.length - siteIds.length; i < rows.length; i++) {
        const row = rows[i]!;
        const siteId = row.dataset.site as string;
        this.rows.set(siteId, [...(this.rows.get(siteId) ?? []), row]);
      }
      group.drawn += siteIds.length;
      left -= siteIds.length;
      if (group.drawn >= group.order.length) this.drawQueue.shift();
    }
    if (this.drawQueue.length > 0) {
      this.drawTimer ??= setTimeout(() => {
        this.drawTimer = null;
        this.drawRows(ROWS_PER_TASK);
      }, 0);
      return;
    }
    const done = this.onAllDrawn;
    this.onAllDrawn = null;
    done?.();
  }

  /** Draws every row still to draw now: before a change that moves rows (the order is then no longer the drawn one). */
  private finishDrawing(): void {
    if (this.drawQueue.length === 0) return;
    if (this.drawTimer !== null) clearTimeout(this.drawTimer);
    this.drawTimer = null;
    this.drawRows(Infinity);
  }

  /**
   * Shows one site's new status: its rows replaced in place (work proportional to the row, not to the table), or
   * moved when its group or its place in the order changed (a state change while grouped or sorted by state).
   */
  update(site: SiteStatus): void {
    const before = this.shown.get(site.id);
    this.shown.set(site.id, site);
    const oldKeys = before ? groupsOf(before, this.groupBy).map((key) => key.key) : [];
    const newKeys = groupsOf(site, this.groupBy);
    const moved = !before || this.compare(before, site) !== 0 || oldKeys.join("\n") !== newKeys.map((key) => key.key).join("\n");
    if (moved) this.finishDrawing();
    const now = this.options.now();
    if (!moved) {
      const rows = this.rows.get(site.id) ?? [];
      this.rows.set(site.id, rows.map((row) => this.replaceRow(row, site, now)));
      // The heading's counts change only with a state; visibility only with what the filter sees.
      const stateChanged = before.state !== site.state;
      const visibilityChanged = this.matches(before) !== this.matches(site);
      if (stateChanged || visibilityChanged) for (const key of oldKeys) this.refreshGroup(key, stateChanged);
      return;
    }
    for (const row of this.rows.get(site.id) ?? []) row.remove();
    this.rows.set(site.id, []);
    for (const key of oldKeys) {
      const group = this.groups.get(key);
      if (!group) continue;
      group.order = group.order.filter((other) => other !== site.id);
      this.refreshGroup(key, true);
    }
    const byId = (a: string, b: string) => this.compare(this.site(a), this.site(b));
    for (const key of newKeys) {
      const group = this.groupFor(key);
      const index = insertionIndex(group.order, site.id, byId);
      group.order.splice(index, 0, site.id);
      const next = group.order[index + 1];
      const beforeRow = next ? this.rowIn(next, group.tbody) : null;
      const row = this.parseRow(this.rowHtml(site, now));
      group.tbody.insertBefore(row, beforeRow);
      this.rows.get(site.id)?.push(row);
      if (!group.tbody.isConnected) this.placeGroup(group);
      this.refreshGroup(key.key, true);
    }
  }

  /** Re-renders the rows of these sites (their open incident count changed). */
  refreshSites(siteIds: Iterable<string>): void {
    const now = this.options.now();
    for (const siteId of siteIds) {
      const site = this.shown.get(siteId);
      const rows = this.rows.get(siteId);
      if (site && rows) this.rows.set(siteId, rows.map((row) => this.replaceRow(row, site, now)));
    }
  }

  /** Shows only the rows `matches` accepts; a group with none left is hidden. */
  filter(matches: (site: SiteStatus) => boolean): void {
    this.matches = matches;
    for (const [siteId, rows] of this.rows) {
      const site = this.shown.get(siteId);
      const hidden = site === undefined || !matches(site);
      for (const row of rows) if (row.hidden !== hidden) row.hidden = hidden;
    }
    for (const group of this.groups.values()) group.tbody.hidden = !this.anyShown(group);
  }

  private site(siteId: string): SiteStatus {
    return this.shown.get(siteId) as SiteStatus;
  }

  private anyShown(group: Group): boolean {
    return group.order.some((siteId) => this.matches(this.site(siteId)));
  }

  private groupFor(key: GroupKey): Group {
    let group = this.groups.get(key.key);
    if (!group) {
      group = { key, tbody: el("tbody", { "data-group": key.key === ALL_GROUP ? "all" : key.key }), order: [], drawn: 0 };
      this.groups.set(key.key, group);
    }
    return group;
  }

  private sortedGroups(): Group[] {
    return [...this.groups.values()].sort((a, b) => compareGroups(this.options.collator, a.key, b.key));
  }

  /** Puts a new group's tbody among the others in group order. */
  private placeGroup(group: Group): void {
    const groups = this.sortedGroups();
    const next = groups.slice(groups.indexOf(group) + 1).find((other) => other.tbody.isConnected);
    this.element.insertBefore(group.tbody, next?.tbody ?? null);
    group.tbody.insertAdjacentHTML("afterbegin", this.headHtml(group));
  }

  /** Updates a group's visibility, and its heading when `counts` changed; drops it once empty. */
  private refreshGroup(key: string, counts: boolean): void {
    const group = this.groups.get(key);
    if (!group) return;
    if (group.order.length === 0) {
      group.tbody.remove();
      this.groups.delete(key);
      return;
    }
    if (counts) {
      const head = group.tbody.querySelector("tr[data-group-head]");
      if (head) head.replaceWith(this.parseRow(this.headHtml(group)));
    }
    group.tbody.hidden = !this.anyShown(group);
  }

  private rowIn(siteId: string, tbody: HTMLTableSectionElement): HTMLTableRowElement | null {
    return (this.rows.get(siteId) ?? []).find((row) => row.parentElement === tbody) ?? null;
  }

  private replaceRow(row: HTMLTableRowElement, site: SiteStatus, now: number): HTMLTableRowElement {
    const fresh = this.parseRow(this.rowHtml(site, now));
    row.replaceWith(fresh);
    return fresh;
  }

  private parseRow(html: string): HTMLTableRowElement {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content.firstElementChild as HTMLTableRowElement;
  }

  private rowHtml(site: SiteStatus, now: number): string {
    const html = siteRowHtml(site, { translator: this.options.translator, format: this.options.format, now, openIncidents: this.options.openIncidents(site.id) });
    return this.matches(site) ? html : html.replace("<tr ", "<tr hidden ");
  }

  /** The heading row of a group: its name and its sites per state (nothing when the table is not grouped). */
  private headHtml(group: Group): string {
    if (group.key.key === ALL_GROUP) return "";
    const { translator, format } = this.options;
    const { t } = translator;
    const counts = new Map<SiteStateName, number>();
    for (const siteId of group.order) {
      const state = this.site(siteId).state;
      counts.set(state, (counts.get(state) ?? 0) + 1);
    }
    const name =
      this.groupBy === "state"
        ? stateLabel(translator, group.key.key as SiteStateName)
        : group.key.key === NO_AREA_GROUP
          ? t("overview.noArea")
          : group.key.label;
    const parts = STATES_WORST_FIRST.filter((state) => (counts.get(state) ?? 0) > 0).map(
      (state) => `<span class="group-count state-${state}" data-group-count="${state}"><span class="dot" aria-hidden="true"></span>${escapeHtml(format.number(counts.get(state) ?? 0, 0))} ${escapeHtml(stateLabel(translator, state))}</span>`,
    );
    return (
      `<tr class="group-head" data-group-head="${escapeHtml(group.key.key)}"><th colspan="${COLUMNS}" scope="rowgroup">` +
      `<span class="group-name">${escapeHtml(name)}</span> <span class="group-total">${escapeHtml(t("overview.groupTotal", { n: format.number(group.order.length, 0) }))}</span> ${parts.join(" ")}</th></tr>`
    );
  }
}
