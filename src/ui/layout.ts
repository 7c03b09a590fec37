// Pure layout: where each pane goes for a terminal size. 80×24 stays usable; wider screens
// show more columns; a zoomed pane takes the whole body. Tested without any UI.
import type { PaneId } from '../store/store.js';

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

const COLUMN_SETS: Record<1 | 2 | 3, PaneId[][]> = {
  1: [['alerts', 'signals', 'pods', 'deployments', 'events', 'postgres', 'redis', 'timeline']],
  2: [
    ['pods', 'deployments', 'events'],
    ['alerts', 'signals', 'postgres', 'redis', 'timeline'],
  ],
  3: [
    ['pods', 'deployments'],
    ['alerts', 'signals', 'events'],
    ['postgres', 'redis', 'timeline'],
  ],
};

/** How much of a column's height each pane wants (relative). */
const WEIGHT: Record<PaneId, number> = { pods: 5, deployments: 3, events: 3, alerts: 3, signals: 2, postgres: 3, redis: 2, timeline: 3 };
/** Height a pane needs to show its content at all: borders plus its fixed lines. */
const MIN_HEIGHT: Record<PaneId, number> = { pods: 4, deployments: 4, events: 3, alerts: 3, signals: 4, postgres: 4, redis: 3, timeline: 3 };

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
    const collapsed = others.slice(0, Math.max(0, bodyRows - MIN_HEIGHT[focus])).map((pane) => ({ pane, width: cols, height: 1 }));
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
  const weight = (p: PaneId) => WEIGHT[p] * (p === focus ? 2 : 1);
  let open = [...panes];
  // Collapse the least important non-focused panes until the minimums fit.
  const collapsed = new Set<PaneId>();
  const need = () => open.reduce((n, p) => n + MIN_HEIGHT[p], 0) + collapsed.size;
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
    const h = Math.max(MIN_HEIGHT[p], Math.floor((free * weight(p)) / total));
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
    } else if (h > MIN_HEIGHT[p]) {
      heights.set(p, h - 1);
      used--;
    }
    i++;
    if (i > 1000) break;
  }
  return panes.map((pane) => ({ pane, height: collapsed.has(pane) ? 1 : heights.get(pane)! }));
}
