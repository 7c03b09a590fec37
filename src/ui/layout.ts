// Pure layout: where each pane goes for a terminal size. 80×24 stays usable; wider screens
// show more columns; a zoomed pane takes the whole body. Tested without any UI.
import { PANE_DEFS, paneDef, paneModel, type PaneId } from './panes/registry.js';
import { visibleRows } from './panes/model.js';
import type { State } from '../store/store.js';

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

/** Body lines each pane would fill (PaneDef.layout.lines); a pane not listed takes what it is given. */
export type PaneLines = Partial<Record<PaneId, number>>;

/** Body lines per pane for this state, from each pane's own count; a filtered pane counts the rows that match. */
export function paneLines(state: State): PaneLines {
  const out: PaneLines = {};
  for (const p of PANE_DEFS) {
    if (!p.layout.lines) continue;
    const filter = state.ui.filter[p.id];
    out[p.id] = filter ? filteredLines(p.id, state, filter) : p.layout.lines(state);
  }
  return out;
}

const filtered = new Map<PaneId, { reads: readonly unknown[]; filter: string; lines: number }>();

/**
 * A filtered pane's lines: its own count less the rows the filter hides (3 of 18 pods leave the
 * rest of the column to Events). The rows are the pane's model, built once per change of what
 * it reads (the wall clock only shows in ages, which a filter rarely names).
 */
function filteredLines(pane: PaneId, state: State, filter: string): number {
  const def = paneDef(pane);
  const reads = def.reads(state);
  const hit = filtered.get(pane);
  if (hit && hit.filter === filter && hit.reads.length === reads.length && hit.reads.every((r, i) => r === reads[i])) return hit.lines;
  const model = paneModel(pane, state, Date.now());
  const lines = def.layout.lines!(state) - model.rows.length + Math.max(1, visibleRows(model, filter).length);
  filtered.set(pane, { reads, filter, lines });
  return lines;
}

/** The panes whose content is the trouble now (PaneDef.layout.urgent). */
export function urgentPanes(state: State): PaneId[] {
  return PANE_DEFS.filter((p) => p.layout.urgent?.(state)).map((p) => p.id);
}

export function computeLayout(cols: number, rows: number, focus: PaneId, zoom: PaneId | null, lines: PaneLines = {}, urgent: readonly PaneId[] = []): Layout {
  if (cols < MIN_COLS || rows < MIN_ROWS) return { tooSmall: true, columns: [] };
  const bodyRows = rows - CHROME_ROWS;
  if (zoom) return { tooSmall: false, columns: [{ width: cols, panes: [{ pane: zoom, width: cols, height: bodyRows }] }] };

  const count: 1 | 2 | 3 = cols >= 240 ? 3 : cols >= 80 ? 2 : 1;
  const sets = COLUMN_SETS[count];
  const widths = splitWidth(cols, count);
  if (count === 1) {
    // One narrow column: the focused pane gets the room, the others a title line each.
    const others = (sets[0] ?? []).filter((p) => p !== focus);
    const collapsed = others.slice(0, Math.max(0, bodyRows - minHeight(focus))).map((pane) => ({ pane, width: cols, height: 1 }));
    const panes = [{ pane: focus, width: cols, height: bodyRows - collapsed.length }, ...collapsed];
    return { tooSmall: false, columns: [{ width: cols, panes }] };
  }
  return {
    tooSmall: false,
    columns: sets.map((set, i) => {
      // splitWidth returns one width per column set.
      const width = widths[i]!;
      return { width, panes: distribute(set, bodyRows, focus, lines, urgent).map((p) => ({ ...p, width })) };
    }),
  };
}

/**
 * The left column holds Pods: from 160 columns it gets 104 or more, enough for NAME READY STATUS
 * RESTARTS with CPU, MEM against the limit and LAST STATE (and whole names and NODE at 200); a
 * third column only comes where the others still get about 58.
 */
function splitWidth(cols: number, n: number): number[] {
  if (n === 2) {
    // Below 100 columns Pods needs 48 for NAME READY STATUS RESTARTS.
    const left = Math.floor(cols * (cols >= 160 ? 0.65 : cols < 100 ? 0.6 : 0.55));
    return [left, cols - left];
  }
  const left = Math.floor(cols * 0.52);
  const middle = Math.floor((cols - left) / 2);
  return [left, middle, cols - left - middle];
}

/** Borders, a column header and one row. */
const FIRST_ROW_HEIGHT = 4;
/** A pane this many rows short of showing everything is topped up from a long list… */
const TOP_UP_ROWS = 4;
/** …that hides at least this many rows. */
const LONG_LIST_HIDDEN = 5;

/**
 * Splits `rows` among the panes: each gets at least its minimum (or collapses to a title line,
 * least important first), then the rest one row at a time to the pane least served for its
 * weight (the focused pane weighted double) that still has rows to show. Only when every pane
 * shows all it has does the remainder go to panes regardless (focused first, by weight).
 * Last, panes a few rows short are topped up from a long list.
 */
function distribute(panes: PaneId[], rows: number, focus: PaneId, lines: PaneLines, urgent: readonly PaneId[]): { pane: PaneId; height: number }[] {
  const weight = (p: PaneId) => paneDef(p).layout.weight * (p === focus ? 2 : 1) * (urgent.includes(p) ? 3 : 1);
  let open = [...panes];
  const collapsed = new Set<PaneId>();
  const need = () => open.reduce((n, p) => n + minHeight(p), 0) + collapsed.size;
  while (need() > rows && open.length > 1) {
    const victim = [...open].filter((p) => p !== focus).sort((a, b) => weight(a) - weight(b))[0];
    if (victim === undefined) break;
    open = open.filter((p) => p !== victim);
    collapsed.add(victim);
  }
  const heights = new Map<PaneId, number>(open.map((p) => [p, minHeight(p)]));
  // Borders plus the lines the pane would fill; unknown means "as much as it gets".
  const cap = (p: PaneId) => {
    const n = lines[p];
    return n === undefined ? Infinity : Math.max(minHeight(p), n + 2);
  };
  let free = rows - collapsed.size - [...heights.values()].reduce((n, h) => n + h, 0);
  let order = [focus, ...open.filter((p) => p !== focus)].filter((p) => heights.has(p));
  // First, every pane its column header and first row (a table's first line is its header), the
  // focused pane and the heavier ones first: a pane with data never shows only its header while
  // another pane shows its seventh row.
  for (const p of [...order].sort((a, b) => (a === focus ? -1 : b === focus ? 1 : weight(b) - weight(a)))) {
    const add = Math.min(free, Math.max(0, Math.min(cap(p), FIRST_ROW_HEIGHT) - heights.get(p)!));
    heights.set(p, heights.get(p)! + add);
    free -= add;
  }
  // A pane left with its header and no row says more as a title line ("9 Nodes 3"); its rows go
  // to the others.
  for (const p of order) {
    if (p === focus || heights.get(p)! >= Math.min(cap(p), FIRST_ROW_HEIGHT)) continue;
    free += heights.get(p)! - 1;
    heights.delete(p);
    collapsed.add(p);
  }
  order = order.filter((p) => heights.has(p));
  while (free > 0 && order.length) {
    const wanting = order.filter((p) => heights.get(p)! < cap(p));
    const pool = wanting.length ? wanting : order;
    // `order` is not empty, so neither is the pool.
    let best = pool[0]!;
    for (const p of pool) if (heights.get(p)! / weight(p) < heights.get(best)! / weight(best)) best = p;
    heights.set(best, heights.get(best)! + 1);
    free--;
  }
  // A pane a few rows short of showing everything takes them from a long list that hides many
  // rows anyway (4 deployments shown whole rather than 300 pods showing 3 more).
  const deficit = (p: PaneId) => cap(p) - heights.get(p)!;
  for (const p of [...order].sort((a, b) => deficit(a) - deficit(b))) {
    const short = deficit(p);
    if (short <= 0 || short > TOP_UP_ROWS) continue;
    const longList = order.filter((d) => d !== p && deficit(d) >= LONG_LIST_HIDDEN && heights.get(d)! - short >= minHeight(d)).sort((a, b) => deficit(b) - deficit(a))[0];
    // Else a list that lends, if it stays at least as tall as this one: 4 deployments whole beside
    // 8 of 11 pods rather than 1 deployment beside all 11.
    const lender = order.find((d) => d !== p && paneDef(d).layout.lends && heights.get(d)! - short >= Math.max(minHeight(d), FIRST_ROW_HEIGHT, heights.get(p)! + short));
    const donor = longList ?? lender;
    if (!donor) continue;
    heights.set(donor, heights.get(donor)! - short);
    heights.set(p, heights.get(p)! + short);
  }
  return panes.map((pane) => ({ pane, height: collapsed.has(pane) ? 1 : heights.get(pane)! }));
}
