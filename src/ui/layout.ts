// Pure layout: where each pane goes for a terminal size. 80×24 stays usable; wider screens
// show more columns; a zoomed pane takes the whole body. Tested without any UI.
import { PANE_DEFS, paneDef, type PaneId } from './panes/registry.js';

export const MIN_COLS = 60;
export const MIN_ROWS = 16;
/** Header and footer rows around the body. */
export const CHROME_ROWS = 2;

export interface PaneBox {
  pane: PaneId;
  width: number;
  height: number;
}

export interface Layout {
  tooSmall: boolean;
  /** Columns of panes, left to right; each column's panes top to bottom. */
  columns: { width: number; panes: PaneBox[] }[];
}

/** The panes of each column, from each pane's place in the registry. */
function columnSets(count: 1 | 2 | 3): PaneId[][] {
  if (count === 1) return [[...PANE_DEFS].sort((a, b) => a.layout.narrow - b.layout.narrow).map((p) => p.id)];
  const place = (p: (typeof PANE_DEFS)[number]) => (count === 2 ? p.layout.two : p.layout.three);
  return Array.from({ length: count }, (_, col) =>
    PANE_DEFS.filter((p) => place(p).column === col)
      .sort((a, b) => place(a).rank - place(b).rank)
      .map((p) => p.id),
  );
}

const COLUMN_SETS: Record<1 | 2 | 3, PaneId[][]> = { 1: columnSets(1), 2: columnSets(2), 3: columnSets(3) };
const minHeight = (p: PaneId) => paneDef(p).layout.minHeight;

export function computeLayout(cols: number, rows: number, focus: PaneId, zoom: PaneId | null): Layout {
  if (cols < MIN_COLS || rows < MIN_ROWS) return { tooSmall: true, columns: [] };
  const bodyRows = rows - CHROME_ROWS;
  if (zoom) return { tooSmall: false, columns: [{ width: cols, panes: [{ pane: zoom, width: cols, height: bodyRows }] }] };

  const count: 1 | 2 | 3 = cols >= 160 ? 3 : cols >= 80 ? 2 : 1;
  const sets = COLUMN_SETS[count];
  const widths = splitWidth(cols, count);
  if (count === 1) {
    // One narrow column: the focused pane gets the room, the others a title line each.
    const others = sets[0].filter((p) => p !== focus);
    const collapsed = others.slice(0, Math.max(0, bodyRows - minHeight(focus))).map((pane) => ({ pane, width: cols, height: 1 }));
    const panes = [{ pane: focus, width: cols, height: bodyRows - collapsed.length }, ...collapsed];
    return { tooSmall: false, columns: [{ width: cols, panes }] };
  }
  return {
    tooSmall: false,
    columns: sets.map((set, i) => ({ width: widths[i], panes: distribute(set, bodyRows, focus).map((p) => ({ ...p, width: widths[i] })) })),
  };
}

function splitWidth(cols: number, n: number): number[] {
  if (n === 2) {
    const left = Math.floor(cols * 0.55);
    return [left, cols - left];
  }
  const base = Math.floor(cols / n);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? cols - base * (n - 1) : base));
}

/** Splits `rows` among the panes by weight, the focused pane weighted double; each gets at least its minimum or collapses to a title line. */
function distribute(panes: PaneId[], rows: number, focus: PaneId): { pane: PaneId; height: number }[] {
  const weight = (p: PaneId) => paneDef(p).layout.weight * (p === focus ? 2 : 1);
  let open = [...panes];
  // Collapse the least important non-focused panes until the minimums fit.
  const collapsed = new Set<PaneId>();
  const need = () => open.reduce((n, p) => n + minHeight(p), 0) + collapsed.size;
  while (need() > rows && open.length > 1) {
    const victim = [...open].filter((p) => p !== focus).sort((a, b) => weight(a) - weight(b))[0];
    open = open.filter((p) => p !== victim);
    collapsed.add(victim);
  }
  const free = rows - collapsed.size;
  const total = open.reduce((n, p) => n + weight(p), 0);
  const heights = new Map<PaneId, number>();
  let used = 0;
  for (const p of open) {
    const h = Math.max(minHeight(p), Math.floor((free * weight(p)) / total));
    heights.set(p, h);
    used += h;
  }
  // Hand out (or take back) the rounding remainder, focused pane first.
  const order = [focus, ...open.filter((p) => p !== focus)].filter((p) => heights.has(p));
  let i = 0;
  while (used !== free && order.length) {
    const p = order[i % order.length];
    const h = heights.get(p)!;
    if (used < free) {
      heights.set(p, h + 1);
      used++;
    } else if (h > minHeight(p)) {
      heights.set(p, h - 1);
      used--;
    }
    i++;
    if (i > 1000) break;
  }
  return panes.map((pane) => ({ pane, height: collapsed.has(pane) ? 1 : heights.get(pane)! }));
}
