import type { Formatter } from "../format.js";

/** How far above and below the window a time still counts as on screen, px: what a small scroll brings in. */
const MARGIN_PX = 300;

/**
 * Rewrites the "seen … ago" times (`time[data-ts]`) under `root` that are on screen (or within {@link MARGIN_PX}
 * of it), as of `now` (UTC ms). A country's table has 3,321 of them: rewriting all every second made the browser lay
 * the whole table out again every second (about 0.4 s of each second on the bench machine, docs/benchmarks.md); the
 * off-screen ones are rewritten when scrolled to (call this on scroll) or when their row is redrawn. Reading their
 * positions costs no layout of its own when nothing changed since the last frame.
 */
export function refreshVisibleTimes(root: ParentNode, format: Formatter, now: number, viewportHeightPx: number): void {
  // Every position read before any text is written: a read after a write would lay the table out again, per row.
  const onScreen = [...root.querySelectorAll<HTMLElement>("time[data-ts]")].filter((time) => {
    const box = time.getBoundingClientRect();
    // A hidden row (filtered out) has an empty box: nothing to show.
    return box.height > 0 && box.bottom >= -MARGIN_PX && box.top <= viewportHeightPx + MARGIN_PX;
  });
  for (const time of onScreen) {
    const text = format.ago(Number(time.dataset.ts), now);
    if (time.textContent !== text) time.textContent = text;
  }
}
